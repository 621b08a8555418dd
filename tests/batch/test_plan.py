"""Rows to jobs with a language: each patient's handout in their own language."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from handouts import service
from handouts.batch.outcome import RowStatus
from handouts.batch.plan import plan_rows
from handouts.batch.rows import RawRow, read_rows
from handouts.cli import main
from handouts.content.store import ContentStore
from handouts.errors import InputError
from handouts.inputs.date_checks import DateFlag
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
    assert [job.request.language for job in jobs] == [None, "es", None]
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
        main,
        ["batch", str(source), "-o", str(out), "--workers", "2", "--allow-draft"],
        catch_exceptions=False,
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
    jobs, bad = plan_rows(read_rows(export), content, today=dt.date(2026, 11, 20), allow_draft=True)
    assert bad == []
    assert [(job.request.patient, job.request.language) for job in jobs] == [
        ("Ana Silva", "es"),
        ("Bo Chen", None),
    ]


# --- dates that cannot be misread (the list decides; odd dates are confirmed first) ---

DECEMBER_4 = dt.date(2026, 12, 4)


def us_clinic_list(folder: Path, title: str | None) -> Path:
    lines = [title, ""] if title else []
    lines += ["Client,Date,Time,Service,Location"]
    lines += [f"Patient {n},04/12/2026,{9 + n}:00,Micro-Needling,Magnolia" for n in range(6)]
    export = folder / "day.csv"
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return export


def test_a_us_list_titled_friday_04_12_makes_handouts_for_4_december(
    content: ContentStore, tmp_path: Path
) -> None:
    export = us_clinic_list(tmp_path, "Friday 04/12/2026")
    request = service.BatchRequest(export, tmp_path / "out", today=DECEMBER_4)
    plan = service.plan_batch(content, request)
    assert plan.titles == ["Friday 04/12/2026"]
    assert len(plan.planned) == 6 and not plan.bad_rows and not plan.to_confirm
    assert {job.request.procedure_date for job in plan.planned} == {DECEMBER_4}
    job = plan.planned[0]
    # What the check page shows for each row: the protocol matched, clinic, time, language.
    assert job.date_shown == "Friday, December 4, 2026"
    assert (job.request.protocol, job.protocol_title) == (
        "microneedling",
        "Micro-Needling aftercare",
    )
    assert (job.request.clinic, job.request.procedure_time, job.request.language) == (
        "magnolia",
        dt.time(9),
        None,
    )


def test_without_a_title_the_past_reading_is_asked_about_never_made(
    content: ContentStore, tmp_path: Path
) -> None:
    export = us_clinic_list(tmp_path, None)
    request = service.BatchRequest(export, tmp_path / "out", workers=1, today=DECEMBER_4)
    plan = service.plan_batch(content, request)
    assert {job.request.procedure_date for job in plan.planned} == {dt.date(2026, 4, 12)}
    assert [job.row for job in plan.to_confirm] == [2, 3, 4, 5, 6, 7]
    assert plan.planned[0].date_flags == {DateFlag.PAST}
    assert plan.planned[0].warning == (
        "the date Sunday, April 12, 2026 is in the past "
        "(read the other way round it is Friday, December 4, 2026)"
    )
    with pytest.raises(service.DatesToConfirm, match="row 2: the date Sunday, April 12, 2026"):
        service.run_batch(content, request)
    assert not (tmp_path / "out").exists()


def test_batch_stops_with_the_dates_spelled_out_until_confirmed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HANDOUTS_TODAY", "2026-12-04")
    export = us_clinic_list(tmp_path, None)
    out = tmp_path / "out"
    args = ["batch", str(export), "-o", str(out), "--workers", "1"]
    refused = CliRunner().invoke(main, args)
    assert refused.exit_code == 1
    assert "Nothing was made: check these dates first." in refused.stderr
    assert "row 7: the date Sunday, April 12, 2026 is in the past" in refused.stderr
    assert "--dates-ok" in refused.stderr
    assert not out.exists()
    confirmed = CliRunner().invoke(main, [*args, "--dates-ok"])
    assert confirmed.exit_code == 0, confirmed.output
    assert "6 handouts made" in confirmed.stdout


def test_a_date_far_from_the_lists_other_dates_is_flagged(
    content: ContentStore, tmp_path: Path
) -> None:
    export = tmp_path / "day.csv"
    rows = [f"P{n},2026-12-04,Micro-Needling" for n in range(3)] + ["P9,2026-12-24,Micro-Needling"]
    export.write_text("Client,Date,Service\n" + "\n".join(rows) + "\n", encoding="utf-8")
    plan = service.plan_batch(content, service.BatchRequest(export, today=DECEMBER_4))
    assert [(job.row, job.date_flags) for job in plan.to_confirm] == [
        (5, {DateFlag.AWAY_FROM_LIST})
    ]


def test_rows_corrected_or_left_out_before_the_list_is_made(
    content: ContentStore, tmp_path: Path
) -> None:
    export = tmp_path / "day.csv"
    export.write_text(
        "Client,Date,Service\nAna Silva,2026-12-04,Micro-Neddling\n"
        "Bo Chen,2026-12-04,Micropenning\nCy Doe,2026-12-04,Micropenning\n",
        encoding="utf-8",
    )
    plan = service.plan_batch(content, service.BatchRequest(export, today=DECEMBER_4))
    assert [bad.row for bad in plan.bad_rows] == [2]  # a typo of a protocol's name
    fixed = service.BatchRequest(
        export,
        today=DECEMBER_4,
        corrections={2: {"service": "Microneedling", "date": "2026-12-05"}},
        left_out=frozenset({4}),
    )
    plan = service.plan_batch(content, fixed)
    assert [(j.row, j.request.protocol, j.request.procedure_date) for j in plan.planned] == [
        (2, "microneedling", dt.date(2026, 12, 5)),
        (3, "micropenning", DECEMBER_4),
    ]
    assert [(b.row, b.status, b.reason) for b in plan.bad_rows] == [
        (4, RowStatus.LEFT_OUT, "left out by staff")
    ]
    with pytest.raises(InputError, match="row 9: there is no such row"):
        service.plan_batch(content, service.BatchRequest(export, left_out=frozenset({9})))
    with pytest.raises(InputError, match="row 2: 'reference' cannot be corrected"):
        service.plan_batch(
            content, service.BatchRequest(export, corrections={2: {"reference": "x"}})
        )
