"""A booking system's CSV export to a list of handout jobs.

Front desks export appointments from whatever their booking system is, often
through a spreadsheet, so reading is forgiving about the file (byte-order mark
or not, comma or semicolon, header case, extra columns) and strict about the
values (a date that could be read two ways is refused, not guessed).

Every row becomes either a ``Job`` or a ``BadRow`` naming the row and the
reason; one bad row never stops the others. Error messages never contain the
patient's name: rows are named by number, as a spreadsheet shows them.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

from .content import Content
from .dates import parse_date
from .errors import HandoutError, InputError
from .models import Branding, Protocol
from .output import default_filename

REQUIRED_COLUMNS = ("patient", "date", "protocol")
OPTIONAL_COLUMNS = ("clinic", "email")
SEPARATORS = (",", ";", "\t")

# Forms a spreadsheet produces when a column is formatted as a local date.
_SLASHED_DATE = re.compile(r"^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$")
_DATE_WITH_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}")


class CachedContent(Content):
    """A ``Content`` that parses each protocol and clinic file once.

    A batch asks for the same few files hundreds of times; YAML parsing and
    validation would otherwise cost about a tenth of each handout's time.
    Only for the lifetime of one batch: edits made meanwhile are not seen.
    """

    @cache  # noqa: B019 (one instance per batch, kept for its whole life on purpose)
    def protocol(self, protocol_id: str) -> Protocol:
        return super().protocol(protocol_id)

    @cache  # noqa: B019
    def clinic(self, clinic_id: str | None = None) -> Branding:
        return super().clinic(clinic_id)


@dataclass(frozen=True)
class Job:
    """One handout to make: what goes on it and where it goes."""

    row: int
    clinic_id: str
    protocol_id: str
    patient: str | None
    procedure_date: dt.date | None
    output: str  # relative to the output folder
    inputs_hash: str
    email: str | None = None


@dataclass(frozen=True)
class BadRow:
    row: int
    reason: str  # without the row number, which the manifest has in its own column


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
    for number, record in enumerate(reader, start=2):
        if not any(cell.strip() for cell in record):
            continue
        values = {
            name: record[index].strip() if index < len(record) else ""
            for name, index in positions.items()
        }
        rows.append(RawRow(number, values))
    return rows


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


def _files_digest(digest: hashlib._Hash, folder: Path) -> None:
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")


@cache
def _tool_versions() -> str:
    return f"handouts {metadata.version('handouts')}; weasyprint {metadata.version('weasyprint')}"


def content_fingerprint(content: Content, clinic_id: str, protocol_id: str) -> str:
    """A hash of every file a handout of this clinic and protocol is made from.

    Editing a protocol, a logo, a font or a template changes it, so a re-run
    remakes the handouts those files went into.
    """
    digest = hashlib.sha256(_tool_versions().encode() + b"\0")
    digest.update(content.protocol_path(protocol_id).read_bytes() + b"\0")
    _files_digest(digest, content.clinic_dir(clinic_id))
    _files_digest(digest, content.templates_dir)
    return digest.hexdigest()


def inputs_hash(
    fingerprint: str, patient: str | None, procedure_date: dt.date | None, variant: str | None
) -> str:
    """A hash of everything that decides a handout's bytes."""
    inputs = {
        "content": fingerprint,
        "patient": patient,
        "date": procedure_date.isoformat() if procedure_date else None,
        "variant": variant,
    }
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


class UniqueNames:
    """Hands out file names, adding ``-2``, ``-3`` ... in row order on a clash.

    Two patients with the same name on the same day get two files; because
    numbering follows row order, a re-run maps each row to the same file.
    Names are compared case-insensitively for case-insensitive file systems.
    """

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def claim(self, name: str) -> str:
        stem, dot, extension = name.rpartition(".")
        candidate, number = name, 1
        while candidate.casefold() in self._taken:
            number += 1
            candidate = f"{stem}-{number}{dot}{extension}"
        self._taken.add(candidate.casefold())
        return candidate


class _Checker:
    """Validates ids against the content once per id, and fingerprints pairs once."""

    def __init__(self, content: Content) -> None:
        self.content = content
        self._problems: dict[tuple[str, str], str | None] = {}
        self._fingerprints: dict[tuple[str, str], str] = {}

    def problem(self, kind: str, ident: str) -> str | None:
        key = (kind, ident)
        if key not in self._problems:
            try:
                if kind == "protocol":
                    self.content.protocol(ident)
                else:
                    self.content.clinic(ident)
                self._problems[key] = None
            except HandoutError as error:
                self._problems[key] = f"{kind}: {error}"
        return self._problems[key]

    def fingerprint(self, clinic_id: str, protocol_id: str) -> str:
        key = (clinic_id, protocol_id)
        if key not in self._fingerprints:
            self._fingerprints[key] = content_fingerprint(self.content, clinic_id, protocol_id)
        return self._fingerprints[key]


def plan_rows(
    rows: Iterable[RawRow], content: Content, clinic_id: str | None = None
) -> tuple[list[Job], list[BadRow]]:
    """Jobs for the good rows and reasons for the bad ones.

    ``clinic_id`` is used for rows without a clinic; without it, the default
    clinic. A broken protocol or branding file fails the rows that use it.
    """
    checker = _Checker(content)
    names = UniqueNames()
    jobs: list[Job] = []
    bad: list[BadRow] = []
    for raw in rows:
        values = raw.values
        try:
            patient = values.get("patient", "")
            if not patient:
                raise InputError("patient: the name is empty")
            procedure_date = check_date(values.get("date", ""))
            protocol_id = values.get("protocol", "")
            if not protocol_id:
                raise InputError("protocol: missing")
            row_clinic = values.get("clinic") or clinic_id or content.default_clinic_id
            for kind, ident in (("clinic", row_clinic), ("protocol", protocol_id)):
                problem = checker.problem(kind, ident)
                if problem:
                    raise InputError(problem)
        except HandoutError as error:
            bad.append(BadRow(raw.row, str(error)))
            continue
        fingerprint = checker.fingerprint(row_clinic, protocol_id)
        output = names.claim(
            default_filename(row_clinic, protocol_id, procedure_date, patient, "pdf")
        )
        jobs.append(
            Job(
                row=raw.row,
                clinic_id=row_clinic,
                protocol_id=protocol_id,
                patient=patient,
                procedure_date=procedure_date,
                output=output,
                inputs_hash=inputs_hash(fingerprint, patient, procedure_date, None),
                email=values.get("email") or None,
            )
        )
    return jobs, bad


def plan_variants(content: Content, clinic_ids: list[str], protocol_ids: list[str]) -> list[Job]:
    """Blank handouts for every clinic x protocol, as ``<clinic>/<protocol>.pdf``.

    Unknown ids raise ``NotFound`` before anything is made.
    """
    for clinic_id in clinic_ids:
        content.clinic_dir(clinic_id)
    for protocol_id in protocol_ids:
        content.protocol_path(protocol_id)
    jobs = []
    for clinic_id in clinic_ids:
        for protocol_id in protocol_ids:
            fingerprint = content_fingerprint(content, clinic_id, protocol_id)
            jobs.append(
                Job(
                    row=len(jobs) + 1,
                    clinic_id=clinic_id,
                    protocol_id=protocol_id,
                    patient=None,
                    procedure_date=None,
                    output=f"{clinic_id}/{protocol_id}.pdf",
                    inputs_hash=inputs_hash(fingerprint, None, None, None),
                )
            )
    return jobs
