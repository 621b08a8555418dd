"""Reading a booking system's CSV export into numbered rows.

Front desks export appointments from whatever their booking system is, often
through a spreadsheet, so reading is forgiving about the file (byte-order mark
or not, comma or semicolon, header case, extra columns) and strict about the
values (a date that could be read two ways is refused, not guessed).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..inputs.dates import parse_date

REQUIRED_COLUMNS = ("patient", "date", "protocol")
OPTIONAL_COLUMNS = ("clinic", "email")
SEPARATORS = (",", ";", "\t")
MAX_CELL = csv.field_size_limit()  # 128 KiB: no name, date or address comes near it

# Forms a spreadsheet produces when a column is formatted as a local date.
_SLASHED_DATE = re.compile(r"^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$")
_DATE_WITH_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}")


@dataclass(frozen=True)
class RawRow:
    """A data row as read, by spreadsheet row number (the header is row 1)."""

    row: int
    values: dict[str, str]


def decode_csv(data: bytes, source: str) -> str:
    """UTF-8 with or without a byte-order mark, or a clear refusal."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError(
            f"{source}: line {line} is not UTF-8 text. Save the file as "
            "'CSV UTF-8' (Excel) or choose the UTF-8 character set when exporting."
        ) from None


def _header_fields(first_line: str, separator: str) -> list[str]:
    fields = next(csv.reader([first_line], delimiter=separator))
    return [field.strip().casefold() for field in fields]


def detect_separator(text: str, source: str) -> str:
    """The separator that splits the header into the columns we need.

    Spreadsheets in locales with a decimal comma export ``;``; trying each
    candidate on the header is more reliable than sniffing data rows, where
    names and notes may contain either character.
    """
    first_line = text.split("\n", 1)[0].rstrip("\r")
    if not first_line.strip():
        raise InputError(f"{source}: the first line should name the columns, but it is empty")
    for separator in SEPARATORS:
        if set(REQUIRED_COLUMNS) <= set(_header_fields(first_line, separator)):
            return separator
    best = max(SEPARATORS, key=lambda sep: len(_header_fields(first_line, sep)))
    found = _header_fields(first_line, best)
    missing = [name for name in REQUIRED_COLUMNS if name not in found]
    raise InputError(
        f"{source}: the first line must name the columns {', '.join(REQUIRED_COLUMNS)} "
        f"(optionally {', '.join(OPTIONAL_COLUMNS)}); missing: {', '.join(missing)}"
    )


def read_rows(path: Path) -> list[RawRow]:
    """The data rows of a CSV file, keyed by lower-case column name.

    Rows whose cells are all empty (spreadsheets add them at the end) are
    left out; other rows keep their spreadsheet row number.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"{path}: cannot read the file ({error.strerror})") from None
    text = decode_csv(data, str(path))
    separator = detect_separator(text, str(path))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    header = [field.strip().casefold() for field in next(reader)]
    wanted = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
    for name in wanted:
        if header.count(name) > 1:
            raise InputError(f"{path}: the column '{name}' appears more than once")
    positions = {name: header.index(name) for name in wanted if name in header}
    rows = []
    for number, record in _records(reader, path):
        if not any(cell.strip() for cell in record):
            continue
        _check_no_swallowed_rows(record, positions, separator, path, number, reader.line_num)
        values = {
            name: record[index].strip() if index < len(record) else ""
            for name, index in positions.items()
        }
        rows.append(RawRow(number, values))
    return rows


def _records(reader: Iterator[list[str]], path: Path) -> Iterator[tuple[int, list[str]]]:
    """Records numbered as a spreadsheet shows them; a cell over the size limit names its row."""
    number = 1
    while True:
        number += 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise InputError(
                f"{path}: row {number}: cannot be read ({error}); "
                f'cells may hold at most {MAX_CELL // 1024} KiB. Is a quote (") left open?'
            ) from None
        yield number, record


def _check_no_swallowed_rows(
    record: list[str],
    positions: dict[str, int],
    separator: str,
    path: Path,
    number: int,
    last_line: int,
) -> None:
    """Refuse a quote left open: it makes the rows after it part of one cell.

    Our columns never hold a line break; another column (notes) may, but
    not a continuation line that looks like a row of its own.
    """
    ours = set(positions.values())
    for index, cell in enumerate(record):
        lines = cell.splitlines()
        if len(lines) < 2:
            continue
        if index in ours or any(separator in line for line in lines[1:]):
            raise InputError(
                f'{path}: row {number}: a quote (") opens in this row and is not closed '
                f"before line {last_line}, so the rows in between would be read as one cell; "
                "close or remove the quote"
            )


def check_date(text: str) -> dt.date:
    what = "date"
    if not text:
        raise InputError(f"{what}: missing (write it as YYYY-MM-DD)")
    if _SLASHED_DATE.match(text):
        raise InputError(
            f"{what}: '{text}' is a day/month or month/day date, which cannot be read "
            "safely (03/04 is 3 April in one country and March 4 in another); "
            "export the date column as YYYY-MM-DD"
        )
    if _DATE_WITH_TIME.match(text):
        raise InputError(
            f"{what}: '{text}' has a time of day; export the date column as YYYY-MM-DD only"
        )
    return parse_date(text, what)
