"""``handouts init``: a starter content folder that validates and makes handouts."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from handouts.cli import main
from tests.pdfcheck import pdf_text


def test_init_writes_a_folder_that_validates_and_makes_a_handout(tmp_path: Path) -> None:
    runner = CliRunner()
    folder = tmp_path / "my-clinic"
    made = runner.invoke(main, ["init", str(folder)])
    assert made.exit_code == 0, made.output
    for name in ("protocols", "branding", "schema", "templates"):
        assert (folder / name).is_dir(), name
    # The YAML files' schema references resolve inside the new folder.
    first_line = (folder / "protocols" / "microneedling.yaml").read_text().splitlines()[0]
    reference = first_line.split("$schema=", 1)[1].strip()
    assert (folder / "protocols" / reference).resolve().is_file()

    valid = runner.invoke(main, ["--root", str(folder), "validate"])
    assert valid.exit_code == 0, valid.output

    out = tmp_path / "sam.pdf"
    args = ["--root", str(folder), "handout", "microneedling", "--patient", "Sam Lee"]
    handout = runner.invoke(main, [*args, "--date", "2026-11-22", "--yes", "-o", str(out)])
    assert handout.exit_code == 0, handout.output
    assert "Sam Lee" in pdf_text(out.read_bytes())


def test_a_clinics_edit_in_its_own_folder_changes_its_handouts(tmp_path: Path) -> None:
    runner = CliRunner()
    folder = tmp_path / "my-clinic"
    runner.invoke(main, ["init", str(folder)])
    clinic = folder / "branding" / "harbourside" / "clinic.yaml"
    text = clinic.read_text(encoding="utf-8").replace(
        "name: Harbourside Skin Clinic", "name: Seaview Skin Studio"
    )
    clinic.write_text(text, encoding="utf-8")
    out = tmp_path / "x.pdf"
    result = runner.invoke(main, ["--root", str(folder), "handout", "micropenning", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Seaview Skin Studio" in pdf_text(out.read_bytes())


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    folder = tmp_path / "busy"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    result = CliRunner().invoke(main, ["init", str(folder)])
    assert result.exit_code == 1
    assert "not an empty folder" in result.output
    assert (folder / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]
