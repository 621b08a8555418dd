"""Rows to jobs: what each handout of a batch is made from and where it goes.

Every row becomes either a ``Job`` or a ``BadRow`` naming the row and the
reason; one bad row never stops the others. Error messages never contain the
patient's name: rows are named by number, as a spreadsheet shows them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

from ..content.bundled import BUILTIN_TEMPLATES
from ..content.catalogs import LOCALE_DIR
from ..content.store import ContentStore
from ..deliver.files import default_filename
from ..errors import HandoutError, InputError
from .rows import RawRow, check_date


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
    language: str | None = None  # None: the protocol's own language


@dataclass(frozen=True)
class BadRow:
    row: int
    reason: str  # without the row number, which the manifest has in its own column


def _files_digest(digest: hashlib._Hash, folder: Path) -> None:
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")


@cache
def _tool_versions() -> str:
    return f"handouts {metadata.version('handouts')}; weasyprint {metadata.version('weasyprint')}"


def content_fingerprint(
    content: ContentStore, clinic_id: str, protocol_id: str, language: str | None = None
) -> str:
    """A hash of every file a handout of this clinic and protocol is made from.

    Editing a protocol or its translation, a logo, a font, a template or a
    catalog changes it, so a re-run remakes the handouts those files went into.
    """
    digest = hashlib.sha256(_tool_versions().encode() + b"\0")
    digest.update(content.protocol_path(protocol_id).read_bytes() + b"\0")
    if language is not None:
        for path in content.translation_paths(protocol_id).values():
            digest.update(path.read_bytes() + b"\0")
    _files_digest(digest, content.clinic_dir(clinic_id))
    for folder in (content.templates_dir, BUILTIN_TEMPLATES, LOCALE_DIR):
        if folder.is_dir():
            _files_digest(digest, folder)
    return digest.hexdigest()


def inputs_hash(
    fingerprint: str,
    patient: str | None,
    procedure_date: dt.date | None,
    variant: str | None,
    language: str | None = None,
) -> str:
    """A hash of everything that decides a handout's bytes."""
    inputs = {
        "content": fingerprint,
        "patient": patient,
        "date": procedure_date.isoformat() if procedure_date else None,
        "variant": variant,
    }
    if language is not None:  # absent, not null: rows without a language keep their hash
        inputs["language"] = language
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


class RowChecker:
    """Validates ids against the content once per id, and fingerprints pairs once."""

    def __init__(self, content: ContentStore) -> None:
        self.content = content
        self._problems: dict[tuple[str, ...], str | None] = {}
        self._fingerprints: dict[tuple[str, str, str | None], str] = {}

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

    def language_problem(self, protocol_id: str, language: str) -> str | None:
        """Why the protocol cannot be had in ``language`` (no or a broken translation)."""
        key = ("language", protocol_id, language)
        if key not in self._problems:
            try:
                self.content.protocol(protocol_id, language)
                self._problems[key] = None
            except HandoutError as error:
                self._problems[key] = f"language: {error}"
        return self._problems[key]

    def fingerprint(self, clinic_id: str, protocol_id: str, language: str | None = None) -> str:
        key = (clinic_id, protocol_id, language)
        if key not in self._fingerprints:
            self._fingerprints[key] = content_fingerprint(
                self.content, clinic_id, protocol_id, language
            )
        return self._fingerprints[key]


def plan_rows(
    rows: Iterable[RawRow], content: ContentStore, clinic_id: str | None = None
) -> tuple[list[Job], list[BadRow]]:
    """Jobs for the good rows and reasons for the bad ones.

    ``clinic_id`` is used for rows without a clinic; without it, the default
    clinic. A broken protocol or branding file fails the rows that use it.
    """
    checker = RowChecker(content)
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
            language = values.get("language") or None
            if language is not None and (
                problem := checker.language_problem(protocol_id, language)
            ):
                raise InputError(problem)
        except HandoutError as error:
            bad.append(BadRow(raw.row, str(error)))
            continue
        fingerprint = checker.fingerprint(row_clinic, protocol_id, language)
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
                inputs_hash=inputs_hash(fingerprint, patient, procedure_date, None, language),
                email=values.get("email") or None,
                language=language,
            )
        )
    return jobs, bad


def plan_variants(
    content: ContentStore,
    clinic_ids: list[str],
    protocol_ids: list[str],
    language: str | None = None,
) -> list[Job]:
    """Blank handouts for every clinic x protocol, as ``<clinic>/<protocol>.pdf``
    (``<protocol>.<language>.pdf`` in a translation).

    Unknown ids, or a protocol without that translation, raise before anything is made.
    """
    for clinic_id in clinic_ids:
        content.clinic_dir(clinic_id)
    for protocol_id in protocol_ids:
        content.protocol_path(protocol_id)
        if language is not None:
            content.protocol(protocol_id, language)
    suffix = f".{language}" if language else ""
    jobs = []
    for clinic_id in clinic_ids:
        for protocol_id in protocol_ids:
            fingerprint = content_fingerprint(content, clinic_id, protocol_id, language)
            jobs.append(
                Job(
                    row=len(jobs) + 1,
                    clinic_id=clinic_id,
                    protocol_id=protocol_id,
                    patient=None,
                    procedure_date=None,
                    output=f"{clinic_id}/{protocol_id}{suffix}.pdf",
                    inputs_hash=inputs_hash(fingerprint, None, None, None, language),
                    language=language,
                )
            )
    return jobs
