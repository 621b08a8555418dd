"""Reading an Excel export (.xlsx) into records of text cells, as a CSV would give.

Booking systems export Excel workbooks; asking a receptionist to re-save one
as CSV is a step that goes wrong (a European Excel writes semicolons, dates
turn into the computer's format). The first sheet is read as its cells hold
them: a real date cell becomes an ISO date (2026-11-23, or 2026-11-23 09:00
with a time), which reads one way only, whatever the clinic's date style.

A workbook is a zip archive someone else made, so its size and rows are
limited before and while it is read.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError

SHEET = "sheet"  # the "separator" of records that came from a sheet, not a CSV line
SHEET_SUFFIXES = frozenset({".xlsx", ".xlsm"})
OLD_EXCEL_SUFFIXES = frozenset({".xls"})
MAX_SHEET_BYTES = 20 * 1024 * 1024  # a day's appointments are kilobytes
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # what the zip may unpack to: no zip bombs
MAX_SHEET_ROWS = 20_000
MAX_SHEET_COLUMNS = 200
MAX_CELL = 128 * 1024  # as a CSV cell


@dataclass(frozen=True)
class Record:
    """One record of the file, split into cells."""

    cells: list[str]
    last_line: int  # the file line it ends on; a quoted line break makes it span lines


def sheet_records(path: Path) -> list[Record]:
    """The first sheet's rows as text cells, numbered as Excel numbers them."""
    _check_archive(path)
    # Only a workbook pays for importing it.
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise InputError(
            f"{path}: cannot be read as an Excel workbook ({type(error).__name__}); "
            "open it in Excel and save it again as .xlsx, or export CSV"
        ) from None
    try:
        if not book.worksheets:
            raise InputError(f"{path}: the workbook has no sheets")
        sheet = book.worksheets[0]
        records = []
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > MAX_SHEET_ROWS:
                raise InputError(
                    f"{path}: more than {MAX_SHEET_ROWS:,} rows; export one day's list at a time"
                )
            cells = [cell_text(value) for value in row[:MAX_SHEET_COLUMNS]]
            if any(len(cell) > MAX_CELL for cell in cells):
                raise InputError(f"{path}: row {number}: a cell holds more than 128 KiB")
            records.append(Record(cells, number))
    finally:
        book.close()
    # Read-only sheets report trailing empty rows; they carry nothing.
    while records and not any(cell.strip() for cell in records[-1].cells):
        records.pop()
    return records


def _check_archive(path: Path) -> None:
    try:
        size = path.stat().st_size
        if size > MAX_SHEET_BYTES:
            raise InputError(
                f"{path}: {size // (1024 * 1024)} MB is too large for a day's list "
                f"(at most {MAX_SHEET_BYTES // (1024 * 1024)} MB)"
            )
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except OSError as error:
        raise InputError(f"{path}: cannot read the file ({error.strerror})") from None
    except zipfile.BadZipFile:
        raise InputError(
            f"{path}: is not an Excel workbook (.xlsx) inside; if it is CSV, name it .csv"
        ) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise InputError(f"{path}: unpacks to more than a day's list can hold; not read")


def cell_text(value: object) -> str:
    """A cell's value as the text a CSV export would hold for it."""
    text = ""
    if isinstance(value, dt.datetime):
        # Excel keeps a date as midnight.
        midnight = value.time() == dt.time(0)
        text = value.date().isoformat() if midnight else value.strftime("%Y-%m-%d %H:%M")
    elif isinstance(value, dt.date):
        text = value.isoformat()
    elif isinstance(value, dt.time):
        text = value.strftime("%H:%M")
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))  # 1042.0, an appointment id, is 1042
    elif value is not None:
        text = str(value)
    return text
