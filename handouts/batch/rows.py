"""Reading a booking system's export into numbered rows of our fields.

Front desks export appointments from whatever their booking system is, often
through a spreadsheet, so reading is forgiving about the file: a byte-order
mark or not; comma, semicolon or tab; title lines above the header; columns
called "Client" or "Guest Name"; first and last names apart; "---" for an
empty cell; a total row at the end. An import profile says what cannot be
guessed. Values are checked later (``plan.py``), each row on its own.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..content.import_profiles import ImportProfile
from ..errors import InputError
from .columns import (
    FIELD_WORDS,
    ColumnMap,
    apply_profile,
    duplicate_columns,
    header_key,
    left_out_value,
    recognise,
)
from .workbook import OLD_EXCEL_SUFFIXES, SHEET, SHEET_SUFFIXES, Record, sheet_records

SEPARATORS = (",", ";", "\t")
# What the check page may correct in a row, and what a row left out there says.
CORRECTABLE = frozenset(
    {"patient", "date", "time", "service", "protocol", "clinic", "language", "email"}
)
LEFT_OUT_BY_STAFF = "left out by staff"
MAX_CELL = csv.field_size_limit()  # 128 KiB: no name, date or address comes near it
# Title lines a report puts above its header ("Appointments, 23 Nov 2026", a blank line...).
HEADER_SEARCH_LINES = 30
# Cells some exports write for "nothing here".
_EMPTY_MARK = re.compile(r"^[-\u2013\u2014]+$")
# A report's closing line: "Total", "Grand total: 14", "14 appointments".
_TOTAL_ROW = re.compile(
    r"^(?:grand\s+)?totals?\b|^count\b|^\d+\s+(?:appointments?|bookings?|records?|rows?|results?)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class RawRow:
    """A data row as read, by spreadsheet row number (the header's row, then on).

    ``values`` holds our fields (patient, date, protocol, and what else the
    export has: time, clinic, email, reference). ``left_out`` is the status
    cell as exported ("Cancelled", "No Show") for a row that gets no handout.
    """

    row: int
    values: dict[str, str]
    left_out: str | None = None
    # From a spreadsheet: a real date cell reads as ISO (2026-11-23 09:00), whatever
    # text format an import profile gives for the export's CSV form.
    sheet: bool = False


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


def read_records(text: str, separator: str, source: str) -> list[Record]:
    """Every record of the file: the one place the csv module reads.

    Records are numbered as a spreadsheet shows them, so a cell over the
    size limit (or a quote that runs to the end) names its row.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    records: list[Record] = []
    while True:
        number = len(records) + 1
        try:
            cells = next(reader)
        except StopIteration:
            return records
        except csv.Error as error:
            raise InputError(
                f"{source}: row {number}: cannot be read ({error}); "
                f'cells may hold at most {MAX_CELL // 1024} KiB. Is a quote (") left open?'
            ) from None
        records.append(Record(cells, reader.line_num))


def _check_no_swallowed_rows(
    record: Record, positions: dict[str, int], separator: str, source: str, number: int
) -> None:
    """Refuse a quote left open: it makes the rows after it part of one cell.

    Our columns never hold a line break; another column (notes) may, but
    not a continuation line that looks like a row of its own.
    """
    ours = set(positions.values())
    for index, cell in enumerate(record.cells):
        lines = cell.splitlines()
        if len(lines) < 2:
            continue
        if index in ours or any(separator in line for line in lines[1:]):
            raise InputError(
                f'{source}: row {number}: a quote (") opens in this row and is not closed '
                f"before line {record.last_line}, so the rows in between would be read as one "
                "cell; close or remove the quote"
            )


def _clean(cell: str) -> str:
    value = cell.strip()
    return "" if _EMPTY_MARK.match(value) else value


@dataclass(frozen=True)
class _Header:
    separator: str
    index: int  # position of the header among the records
    columns: ColumnMap


def _find_header(text: str, source: str, profile: ImportProfile | None) -> _Header:
    """The separator and header row: the profile's, or the first row that names our columns."""
    if not text.strip():
        raise InputError(f"{source}: the file is empty")
    head = "\n".join(text.splitlines()[: _search_lines(profile)])
    tried = {sep: [r.cells for r in read_records(head, sep, source)] for sep in SEPARATORS}
    return _header_among(tried, source, profile)


def _search_lines(profile: ImportProfile | None) -> int:
    return max(HEADER_SEARCH_LINES, profile.header_row or 0 if profile else 0)


def _header_among(
    tried: dict[str, list[list[str]]], source: str, profile: ImportProfile | None
) -> _Header:
    """The header among the first records, split each way ``tried`` holds (one way for a sheet)."""
    if profile is not None and profile.header_row is not None:
        index = profile.header_row - 1
        # The separator that splits the profile's header line into the most cells.
        separator = max(tried, key=lambda sep: _width(tried[sep], index))
        if not _width(tried[separator], index):
            raise InputError(
                f"{source}: the import profile '{profile.id}' says the header is on line "
                f"{profile.header_row}, but that line is empty or missing"
            )
        columns = apply_profile(tried[separator][index], profile, source)
        return _header_or_missing(source, profile, separator, index, columns)
    widest: tuple[int, str, int] = (0, next(iter(tried)), 0)  # for the message if nothing fits
    for separator, records in tried.items():
        for index, header in enumerate(records):
            width = _width(records, index)
            if not width:
                continue
            widest = max(widest, (width, separator, index), key=lambda w: w[0])
            try:
                columns = (
                    recognise(header) if profile is None else apply_profile(header, profile, source)
                )
            except InputError:
                continue  # a title line, not the header the profile describes
            if not columns.missing():
                return _Header(separator, index, columns)
    _, separator, index = widest
    header = tried[separator][index] if tried[separator] else []
    if profile is not None:
        apply_profile(header, profile, source)  # raises, naming the column it lacks
    return _header_or_missing(source, profile, separator, index, recognise(header))


def _width(records: list[list[str]], index: int) -> int:
    """How many non-empty cells the record at ``index`` has (0 if there is none)."""
    if index >= len(records):
        return 0
    return sum(1 for cell in records[index] if cell.strip())


def _header_or_missing(
    source: str, profile: ImportProfile | None, separator: str, index: int, columns: ColumnMap
) -> _Header:
    if not columns.missing():
        return _Header(separator, index, columns)
    missing = ", ".join(FIELD_WORDS[f] for f in columns.missing())
    found = ", ".join(columns.header)
    where = f"the import profile '{profile.id}'" if profile else "an import profile"
    raise InputError(
        f"{source}: cannot tell which column holds {missing} (the columns are: {found}). "
        f"Name the columns patient, date and protocol, or describe the export in {where} "
        "(imports/<id>.yaml) and use --profile ID"
    )


@dataclass(frozen=True)
class Export:
    """A booking system's export as read: its rows, and the title lines above its header.

    The title lines ("Appointments - Friday 04/12/2026") say which day the
    list is for, which decides how its two-way dates are read.
    """

    rows: list[RawRow]
    titles: list[str]
    # Where each file's rows start, as (first row number, file name): several files
    # read as one list number their rows on, and a front end names the file again.
    sources: list[tuple[int, str]] = field(default_factory=list)


def read_exports(paths: Sequence[Path], profile: ImportProfile | None = None) -> Export:
    """Several exports of one day (one file per status, or CSV and Excel) as one list.

    The first file's rows keep their spreadsheet numbers; each next file's
    rows are numbered on after the previous file's last row, so every row
    of the list has its own number (in the manifest and in messages).
    """
    rows: list[RawRow] = []
    titles: list[str] = []
    sources: list[tuple[int, str]] = []
    for path in paths:
        export = read_export(path, profile)
        offset = rows[-1].row if rows else 0
        if export.rows:
            sources.append((export.rows[0].row + offset, path.name))
        rows.extend(replace(row, row=row.row + offset) for row in export.rows)
        titles.extend(export.titles)
    return Export(rows, titles, sources)


def amend_rows(
    rows: Iterable[RawRow],
    corrections: Mapping[int, Mapping[str, str]] | None = None,
    left_out: Collection[int] = (),
) -> list[RawRow]:
    """The rows with a person's fixes: values replaced by row number, some rows left out.

    ``corrections`` maps a row number to our fields (patient, date, time,
    service, clinic, language, email) and their new values; an empty value
    clears the cell. A row in ``left_out`` gets no handout, said as "left
    out by staff". Fields that are not ours are refused, naming the row.
    """
    rows = list(rows)
    corrections = corrections or {}
    known = {row.row for row in rows}
    for number in (*corrections, *left_out):
        if number not in known:
            raise InputError(f"row {number}: there is no such row in the list")
    amended = []
    for row in rows:
        values = dict(row.values)
        for name, value in corrections.get(row.row, {}).items():
            if name not in CORRECTABLE:
                raise InputError(f"row {row.row}: '{name}' cannot be corrected here")
            key = "protocol" if name in ("service", "protocol") else name
            if key == "protocol":
                values.pop("service", None)
            values[key] = value.strip()
        left = LEFT_OUT_BY_STAFF if row.row in left_out else row.left_out
        amended.append(RawRow(row.row, values, left, row.sheet))
    return amended


def read_rows(path: Path, profile: ImportProfile | None = None) -> list[RawRow]:
    """The data rows of an export, as our fields, numbered as a spreadsheet shows them.

    Rows whose cells are all empty, and a total row at the end, are left
    out; other rows keep their spreadsheet row number.
    """
    return read_export(path, profile).rows


def read_export(path: Path, profile: ImportProfile | None = None) -> Export:
    """The rows of an export (as ``read_rows``), and the title lines above its header.

    CSV, or an Excel workbook (.xlsx: its first sheet, read as the cells show).
    """
    if path.suffix.casefold() in SHEET_SUFFIXES:
        records = sheet_records(path)
        tried = {SHEET: [r.cells for r in records[: _search_lines(profile)]]}
        if not any(any(cell.strip() for cell in cells) for cells in tried[SHEET]):
            raise InputError(f"{path}: the first sheet is empty")
        header = _header_among(tried, str(path), profile)
        return _export_from_records(records, header, profile, str(path))
    if path.suffix.casefold() in OLD_EXCEL_SUFFIXES:
        raise InputError(
            f"{path}: this is an old Excel file (.xls); save it as an Excel workbook "
            "(.xlsx) or as CSV UTF-8 and use that"
        )
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"{path}: cannot read the file ({error.strerror})") from None
    text = decode_csv(data, str(path))
    header = _find_header(text, str(path), profile)
    records = read_records(text, header.separator, str(path))
    return _export_from_records(records, header, profile, str(path))


def _export_from_records(
    records: list[Record], header: _Header, profile: ImportProfile | None, path: str
) -> Export:
    """Rows and titles from records already split into cells (CSV or a spreadsheet's sheet)."""
    column_titles = records[header.index].cells
    repeated = duplicate_columns(column_titles, header.columns)
    if repeated:
        raise InputError(f"{path}: the column '{repeated[0]}' appears more than once")
    skip = _skip_rules(column_titles, profile, path)
    rows = []
    first_row = header.index + 2  # spreadsheet rows count from 1, and the header is one
    for number, record in enumerate(records[header.index + 1 :], start=first_row):
        cells = [_clean(cell) for cell in record.cells]
        if not any(cells):
            continue
        if header.separator != SHEET:  # a sheet's cells are cells: no quote can run on
            _check_no_swallowed_rows(
                record, header.columns.positions, header.separator, path, number
            )
        row = _row(number, cells, header.columns, skip, profile)
        rows.append(replace(row, sheet=True) if header.separator == SHEET else row)
    titles = [
        " ".join(cell.strip() for cell in record.cells if cell.strip())
        for record in records[: header.index]
    ]
    return Export(_without_total_rows(rows, records, first_row), [t for t in titles if t])


def _skip_rules(
    header: list[str], profile: ImportProfile | None, source: str
) -> dict[int, set[str]]:
    """Column position -> values that leave a row out (the profile's ``skip``)."""
    if profile is None:
        return {}
    keys = [header_key(cell) for cell in header]
    rules = {}
    for column, values in profile.skip.items():
        if header_key(column) not in keys:
            raise InputError(
                f"{source}: the import profile '{profile.id}' skips rows by the column "
                f"'{column}', but the header has no such column"
            )
        rules[keys.index(header_key(column))] = {v.strip().casefold() for v in values}
    return rules


def _row(
    number: int,
    cells: list[str],
    columns: ColumnMap,
    skip: dict[int, set[str]],
    profile: ImportProfile | None,
) -> RawRow:
    def cell(position: int) -> str:
        return cells[position] if position < len(cells) else ""

    values = {name: cell(position) for name, position in columns.positions.items()}
    if "first_name" in values:
        first, last = values.pop("first_name"), values.pop("last_name", "")
        values["patient"] = " ".join(part for part in (first, last) if part)
    elif profile is not None and profile.name_order == "last_first":
        values["patient"] = _first_name_first(values.get("patient", ""))
    # A profile's skip rules come on top of the statuses recognised by themselves:
    # no handout goes out for a cancelled appointment because a profile forgot one.
    left_out = None
    status = values.pop("status", None)
    if status and left_out_value(columns.names.get("status", ""), status):
        left_out = status
    hit = next((p for p, vals in skip.items() if cell(p).casefold() in vals), None)
    if hit is not None:
        left_out = cell(hit)
    return RawRow(number, values, left_out)


def _first_name_first(name: str) -> str:
    """ "Silva, Ana" -> "Ana Silva"; a name without a comma stays as it is."""
    last, comma, first = name.partition(",")
    if not comma or not first.strip() or "," in first:
        return name
    return f"{first.strip()} {last.strip()}"


def _without_total_rows(rows: list[RawRow], records: list[Record], first_row: int) -> list[RawRow]:
    """Drop the report's closing "Total ..." lines, only at the end of the file."""
    while rows:
        record = records[rows[-1].row - 1]
        first_cell = next((c.strip() for c in record.cells if c.strip()), "")
        if not _TOTAL_ROW.match(first_cell):
            break
        rows.pop()
    return rows
