"""Blank print stock for every clinic x protocol."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from click.testing import CliRunner

from handouts.cli import main
from handouts.content.bundled import BUNDLED_ROOT as PROJECT_ROOT
from handouts.content.store import ContentStore as Content
from tests.pdfcheck import pdf_text


def test_every_clinic_and_protocol_is_made_and_rerun_skips(tmp_path: Path) -> None:
    content = Content(PROJECT_ROOT)
    out = tmp_path / "stock"
    args = ["variants", "-o", str(out), "--allow-draft"]  # every protocol, drafts included
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    expected = {f"{c}/{p}.pdf" for c in content.clinic_ids() for p in content.protocol_ids()}
    assert len(expected) >= 4
    made = {str(p.relative_to(out)) for p in out.rglob("*.pdf")}
    assert made == expected
    assert f"{len(expected)} handouts made (" in result.stdout
    rows = list(csv.DictReader(io.StringIO((out / "manifest.csv").read_text(), newline="")))
    assert {r["output"] for r in rows} == expected
    assert all(r["status"] == "made" for r in rows)
    assert all((out / c).stat().st_mode & 0o777 == 0o700 for c in content.clinic_ids())
    # Drafts are stock only when asked for, and then every copy says it is a draft.
    drafts = [p for p in content.protocol_ids() if content.protocol(p).is_draft]
    assert drafts
    for draft in drafts:
        text = pdf_text((out / "harbourside" / f"{draft}.pdf").read_bytes())
        assert "Draft: not yet reviewed by your clinic" in text

    again = CliRunner().invoke(main, args, catch_exceptions=False)
    assert f"0 handouts made, {len(expected)} already made and unchanged (" in again.stdout

    # The same bytes as `handout PROTOCOL --clinic ID` without patient or date.
    single = tmp_path / "single.pdf"
    args = ["handout", "micropenning", "--clinic", "magnolia", "-o", str(single)]
    assert CliRunner().invoke(main, args).exit_code == 0
    assert (out / "magnolia" / "micropenning.pdf").read_bytes() == single.read_bytes()


def test_chosen_clinics_and_protocols_only(tmp_path: Path) -> None:
    out = tmp_path / "stock"
    args = ["variants", "-o", str(out), "--clinic", "harbourside", "--protocol", "micropenning"]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert [str(p.relative_to(out)) for p in out.rglob("*.pdf")] == ["harbourside/micropenning.pdf"]


def test_unknown_id_is_refused_before_anything_is_made(tmp_path: Path) -> None:
    out = tmp_path / "stock"
    args = ["variants", "-o", str(out), "--protocol", "micro-neddling"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert "Unknown protocol 'micro-neddling'. Did you mean 'microneedling'?" in result.output
    assert not out.exists()


def test_names_people_use_become_ids_in_file_names(tmp_path: Path) -> None:
    out = tmp_path / "stock"
    args = ["variants", "-o", str(out), "--protocol", "Micro-Needling", "--clinic", "HARBOURSIDE"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert [str(p.relative_to(out)) for p in out.rglob("*.pdf")] == [
        "harbourside/microneedling.pdf"
    ]


def test_stock_in_a_translation(tmp_path: Path) -> None:
    out = tmp_path / "stock"
    args = ["variants", "-o", str(out), "--clinic", "magnolia", "--language", "es", "--allow-draft"]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    made = sorted(str(p.relative_to(out)) for p in out.rglob("*.pdf"))
    assert made == ["magnolia/microneedling.es.pdf", "magnolia/micropenning.es.pdf"]
    text = pdf_text((out / "magnolia" / "micropenning.es.pdf").read_bytes())
    assert "Paciente" in text and "Patient" not in text.replace("Paciente", "")


def test_a_language_a_protocol_lacks_is_refused_before_anything_is_made(tmp_path: Path) -> None:
    out = tmp_path / "stock"
    args = ["variants", "-o", str(out), "--language", "fr", "--protocol", "micropenning"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert "has no 'fr' translation" in result.output
    assert not out.exists()


def test_drafts_are_left_out_of_stock_unless_asked_for(tmp_path: Path) -> None:
    content = Content(PROJECT_ROOT)
    draft = next(p for p in content.protocol_ids() if content.protocol(p).is_draft)
    out = tmp_path / "stock"
    every = CliRunner().invoke(main, ["variants", "-o", str(out)], catch_exceptions=False)
    assert every.exit_code == 0, every.output
    assert f"{draft} (a draft no clinician signed off; --allow-draft includes it)" in every.stdout
    assert not (out / "harbourside" / f"{draft}.pdf").exists()
    # Asked for by name, a draft is refused with the way to sign it off.
    args = ["variants", "-o", str(out), "--clinic", "harbourside", "--protocol", draft]
    named = CliRunner().invoke(main, args)
    assert named.exit_code == 1
    assert f"the protocol '{draft}' is a draft not yet signed off" in named.output
    assert "--allow-draft" in named.output and "Traceback" not in named.output
    assert not (out / "harbourside" / f"{draft}.pdf").exists()
