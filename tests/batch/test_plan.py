"""Rows to jobs with a language: each patient's handout in their own language."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from click.testing import CliRunner

from handouts.batch.plan import plan_rows
from handouts.batch.rows import RawRow, read_rows
from handouts.cli import main
from handouts.content.store import ContentStore
from tests.pdfcheck import pdf_text


def row(number: int, **values: str) -> RawRow:
    base = {"patient": f"Patient {number}", "date": "2026-11-23", "protocol": "micropenning"}
    return RawRow(number, {**base, **values})


def test_a_row_language_picks_the_translation_and_changes_the_inputs(
    content: ContentStore,
) -> None:
    jobs, bad = plan_rows(
        [row(2), row(3, language="es"), row(4, language=""), row(5, language="fr")],
        content,
        allow_draft=True,  # the Spanish translation is a draft
    )
    assert [job.language for job in jobs] == [None, "es", None]
    assert len({job.inputs_hash for job in jobs}) == 3
    assert [(b.row, b.reason) for b in bad] == [
        (5, "language: Protocol 'micropenning' has no 'fr' translation. Its languages: en, es.")
    ]


def test_a_row_without_language_keeps_the_hash_it_had(content: ContentStore) -> None:
    # A language column added to a list must not remake the rows that leave it empty.
    (plain,), _ = plan_rows([row(2)], content)
    (empty,), _ = plan_rows([row(2, language="")], content)
    assert plain.inputs_hash == empty.inputs_hash


def test_thirty_rows_mixing_english_and_spanish(tmp_path: Path) -> None:
    lines = ["patient,date,protocol,language"]
    languages = {}
    for number in range(2, 32):  # spreadsheet rows 2..31
        language = "es" if number % 3 == 0 else ("en" if number % 3 == 1 else "")
        protocol = "microneedling" if number % 2 else "micropenning"
        lines.append(f"Paciente Número {number},2026-11-23,{protocol},{language}")
        languages[number] = language or "en"
    source = tmp_path / "day.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"

    result = CliRunner().invoke(
        main, ["batch", str(source), "-o", str(out), "--workers", "2"], catch_exceptions=False
    )

    assert result.exit_code == 0, result.output
    manifest = list(csv.DictReader(io.StringIO((out / "manifest.csv").read_text("utf-8"))))
    assert len(manifest) == 30 and {r["status"] for r in manifest} == {"made"}
    for record in manifest:
        number = int(record["row"])
        text = pdf_text((out / record["output"]).read_bytes())
        assert f"Número {number} " in text
        if languages[number] == "es":
            assert "Paciente Paciente Número" in text and "lunes, 23 de noviembre de 2026" in text
            assert "Patient" not in text.replace("Paciente", "")
        else:
            assert "Patient Paciente Número" in text and "Monday 23 November 2026" in text


def test_an_export_names_the_language_column_its_own_way(
    content: ContentStore, tmp_path: Path
) -> None:
    export = tmp_path / "export.csv"
    export.write_text(
        "Client,Service,Date,Preferred Language\n"
        "Ana Silva,Micropenning,2026-11-23,es\n"
        "Bo Chen,Micropenning,2026-11-23,\n",
        encoding="utf-8",
    )
    jobs, bad = plan_rows(read_rows(export), content, today=dt.date(2026, 11, 20))
    assert bad == []
    assert [(job.patient, job.language) for job in jobs] == [("Ana Silva", "es"), ("Bo Chen", None)]
