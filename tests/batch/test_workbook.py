"""Every export as it comes: Excel workbooks, several files of one day, zone offsets."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from handouts import service
from handouts.batch.rows import read_export, read_exports
from handouts.batch.workbook import cell_text
from handouts.cli import main
from handouts.content.import_profiles import ImportProfile
from handouts.content.store import ContentStore
from handouts.errors import InputError

DAY = dt.date(2026, 11, 23)


def workbook(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_an_excel_export_is_read_with_its_real_dates(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "day.xlsx",
        [
            ["Appointments - Monday 23 November 2026"],
            [],
            ["Client", "Appointment Date", "Service", "Appointment ID"],
            ["Ana Silva", dt.datetime(2026, 11, 23, 9, 30), "Micro-Needling", 1042],
            ["Bo Chen", dt.datetime(2026, 11, 23), "Micropenning", 1043.0],
            [None, None, None, None],
        ],
    )
    export = read_export(path)
    assert export.titles == ["Appointments - Monday 23 November 2026"]
    assert [(r.row, r.values) for r in export.rows] == [
        (
            4,
            {
                "patient": "Ana Silva",
                "date": "2026-11-23 09:30",
                "protocol": "Micro-Needling",
                "reference": "1042",
            },
        ),
        (
            5,
            {
                "patient": "Bo Chen",
                "date": "2026-11-23",
                "protocol": "Micropenning",
                "reference": "1043",
            },
        ),
    ]


def test_several_files_of_one_day_are_one_list(content: ContentStore, tmp_path: Path) -> None:
    booked = workbook(
        tmp_path / "booked.xlsx",
        [["Client", "Date", "Service"], ["Ana Silva", dt.datetime(2026, 11, 23), "Microneedling"]],
    )
    checked_in = tmp_path / "checked-in.csv"
    checked_in.write_text(
        "Client,Date,Service\nBo Chen,2026-11-23,Micropenning\nCy Doe,2026-11-23,Micropenning\n",
        encoding="utf-8",
    )
    export = read_exports([booked, checked_in])
    assert [r.row for r in export.rows] == [2, 4, 5]  # numbered on, never twice
    assert export.sources == [(2, "booked.xlsx"), (4, "checked-in.csv")]
    request = service.BatchRequest(booked, more_paths=(checked_in,), today=DAY)
    plan = service.plan_batch(content, request)
    assert [(j.row, j.request.protocol) for j in plan.planned] == [
        (2, "microneedling"),
        (4, "micropenning"),
        (5, "micropenning"),
    ]


def test_batch_reads_several_files_from_the_command_line(tmp_path: Path) -> None:
    booked = workbook(
        tmp_path / "booked.xlsx",
        [["Client", "Date", "Service"], ["Ana Silva", dt.datetime(2026, 11, 23), "Microneedling"]],
    )
    other = tmp_path / "other.csv"
    other.write_text("Client,Date,Service\nBo Chen,2026-11-23,Micropenning\n", "utf-8")
    out = tmp_path / "out"
    args = ["batch", str(booked), str(other), "-o", str(out), "--workers", "1"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "2 handouts made" in result.stdout


def test_a_damaged_or_old_workbook_is_refused_in_words(tmp_path: Path) -> None:
    fake = tmp_path / "day.xlsx"
    fake.write_text("Client,Date\n", encoding="utf-8")
    with pytest.raises(InputError, match="is not an Excel workbook"):
        read_export(fake)
    old = tmp_path / "day.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(InputError, match=r"old Excel file \(.xls\); save it as"):
        read_export(old)
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("nothing.txt", "no workbook here")
    with pytest.raises(InputError, match="cannot be read as an Excel workbook"):
        read_export(broken)


def test_cells_read_as_a_csv_would_hold_them() -> None:
    assert cell_text(None) == ""
    assert cell_text(dt.datetime(2026, 11, 23, 0, 0)) == "2026-11-23"
    assert cell_text(dt.datetime(2026, 11, 23, 14, 5)) == "2026-11-23 14:05"
    assert cell_text(dt.time(9, 30)) == "09:30"
    assert cell_text(1042.0) == "1042" and cell_text(10.5) == "10.5"


@pytest.mark.parametrize(
    "date_format",
    ["%Y-%m-%d %H:%M:%S %z", "%Y-%m-%dT%H:%M:%S%z", "%d.%m.%Y %H:%M %Z", "%A %d %B %Y %I%p"],
)
def test_any_valid_strptime_format_is_a_profile_date_format(date_format: str) -> None:
    assert ImportProfile(id="x", date_format=date_format).date_format == date_format


def test_a_zone_offset_export_keeps_the_clinics_wall_clock(
    content_copy: ContentStore, tmp_path: Path
) -> None:
    (content_copy.root / "imports").mkdir(exist_ok=True)
    (content_copy.root / "imports" / "offsets.yaml").write_text(
        "columns: {patient: Patient, date: Start, protocol: Treatment}\n"
        'date_format: "%Y-%m-%d %H:%M:%S %z"\n',
        encoding="utf-8",
    )
    export = tmp_path / "day.csv"
    export.write_text(
        "Patient,Start,Treatment\nAna Silva,2026-11-23 09:00:00 -0800,Microneedling\n",
        encoding="utf-8",
    )
    request = service.BatchRequest(export, profile="offsets", today=DAY)
    (job,) = service.plan_batch(ContentStore(content_copy.root), request).planned
    assert (job.request.procedure_date, job.request.procedure_time) == (DAY, dt.time(9, 0))


def test_a_sheets_real_dates_read_under_any_profile_format(
    content_copy: ContentStore, tmp_path: Path
) -> None:
    (content_copy.root / "imports").mkdir(exist_ok=True)
    (content_copy.root / "imports" / "sheet.yaml").write_text(
        "columns: {patient: Patient, date: Start, protocol: Treatment}\n"
        'date_format: "%d-%b-%Y %H:%M"\n',
        encoding="utf-8",
    )
    path = workbook(
        tmp_path / "day.xlsx",
        [
            ["Patient", "Start", "Treatment"],
            ["Ana Silva", dt.datetime(2026, 11, 23, 9, 30), "Microneedling"],
            ["Bo Chen", "23-Nov-2026 10:00", "Microneedling"],  # typed as text: the format
        ],
    )
    request = service.BatchRequest(path, profile="sheet", today=DAY)
    plan = service.plan_batch(ContentStore(content_copy.root), request)
    assert [(j.row, j.request.procedure_time) for j in plan.planned] == [
        (2, dt.time(9, 30)),
        (3, dt.time(10)),
    ]
