"""A list's rows planned: the handout each asks for and where it goes, or why it gets none.

Every row becomes either a ``PlannedRow`` (its ``HandoutRequest`` and file) or
a ``BadRow`` naming the row and the reason; one bad row never stops the others.
Error messages never contain the patient's name: rows are named by number, as
a spreadsheet shows them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from ..content.approval import Approval, DraftRefused, check_approved
from ..content.combining import PractitionerWords, combine, parse_span_change
from ..content.file_names import default_filename
from ..content.lookup import Ambiguous, closest
from ..content.models import Branding, Protocol
from ..content.store import ContentStore
from ..content.versions import content_fingerprint
from ..content.wording import check_one_language, wording_problem
from ..errors import HandoutError, InputError, NotFound
from ..inputs import clock
from ..inputs.date_checks import (
    DateFlag,
    ListOrder,
    date_flags,
    flag_words,
    list_date_order,
    other_reading,
    two_way,
    usual_date,
)
from ..inputs.dates import ProcedureWhen, read_time, read_when, spelled_out
from ..inputs.names import clean_name
from ..request import HandoutRequest
from .outcome import Outcome, RowStatus
from .rows import RawRow

# A service this much like a protocol's name is a typing slip, not another service.
TYPO_LIKENESS = 0.8
T = TypeVar("T")


@dataclass(frozen=True)
class PlannedRow:
    """A row that gets a handout: the handout it asks for, where it goes, and what the
    list said around it.

    ``request`` is the handout's identity, as every other layer names one (the
    ledger, the delivery key, the renderer); the rest is this list's own: the row
    number (for showing, never to find the row again), the file, and the words
    shown back to staff.
    """

    row: int  # as a spreadsheet numbers it; for people to read
    request: HandoutRequest
    output: str  # relative to the output folder
    inputs_hash: str
    reference: str = ""  # the booking system's id for the appointment
    service: str = ""  # the service as exported
    warning: str = ""  # e.g. a date more than a year away, for the summary
    follow_ups: bool = False  # the patient agreed to follow-up messages (a list's column)
    # What a person must confirm about the date before anything is made (empty: nothing).
    date_flags: frozenset[DateFlag] = frozenset()
    date_shown: str = ""  # the date as understood, the clinic's way: "Friday 4 December 2026"
    protocol_title: str = ""  # the protocol the service matched, for the check page
    draft: bool = False  # the protocol (or translation) is a draft with no valid sign-off

    @property
    def protocol_ids(self) -> tuple[str, ...]:
        """Every procedure on the handout, the main one first."""
        return (self.request.protocol, *self.request.also)

    @property
    def needs_confirming(self) -> bool:
        """A date a person must confirm before this row's handout is made."""
        return bool(self.date_flags)

    def outcome(self, status: RowStatus, **facts: Any) -> Outcome:
        """What happened to this row, carrying its request and the list's words."""
        return Outcome(
            self.row,
            status,
            self.output,
            request=self.request,
            patient=self.request.patient or "",
            reference=self.reference,
            service=self.service,
            inputs_hash=self.inputs_hash,
            **facts,
        )


@dataclass(frozen=True)
class BadRow:
    """A row that gets no handout: failed, left out (cancelled) or with no protocol."""

    row: int
    reason: str  # without the row number, which the manifest has in its own column
    status: RowStatus = RowStatus.FAILED
    patient: str = ""
    reference: str = ""
    service: str = ""

    def outcome(self) -> Outcome:
        return Outcome(
            self.row,
            self.status,
            error=self.reason,
            patient=self.patient,
            reference=self.reference,
            service=self.service,
        )


def inputs_hash(
    fingerprint: str,
    patient: str | None,
    procedure_date: dt.date | None,
    variant: str | None,
    procedure_time: dt.time | None = None,
    language: str | None = None,
    next_visit: dt.datetime | dt.date | None = None,
) -> str:
    """A hash of everything that decides a handout's bytes."""
    inputs: dict[str, str | None] = {
        "content": fingerprint,
        "patient": patient,
        "date": procedure_date.isoformat() if procedure_date else None,
        "variant": variant,
    }
    if procedure_time is not None:  # only then, so hashes made before times existed still hold
        inputs["time"] = procedure_time.isoformat()
    if language is not None:  # likewise: rows without a language keep their hash
        inputs["language"] = language
    if next_visit is not None:  # and rows without a booked next visit
        inputs["next"] = next_visit.isoformat()
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
    """Looks each clinic and service name up once, and fingerprints each pair once."""

    def __init__(self, content: ContentStore) -> None:
        self.content = content
        self._protocols: dict[str, tuple[Protocol, ...] | HandoutError] = {}
        self._clinics: dict[str, Branding | HandoutError] = {}
        self._translations: dict[tuple[str, str], HandoutError | None] = {}
        self._fingerprints: dict[tuple[str, str, str | None], str] = {}
        self._approvals: dict[tuple[str, str], Approval | HandoutError] = {}

    def protocols(self, service: str) -> tuple[Protocol, ...]:
        """The protocol a service name leads to, or the several whose aliases all list it
        ("Microneedling with PRP"); NotFound says there is none."""
        if service not in self._protocols:
            try:
                ids = self.content.protocol_ids_for(service)
                self._protocols[service] = tuple(self.content.protocol(i) for i in ids)
            except HandoutError as error:
                self._protocols[service] = error
        return self._answer(self._protocols[service])

    def clinic(self, name: str) -> Branding:
        if name not in self._clinics:
            try:
                self._clinics[name] = self.content.clinic(name)
            except HandoutError as error:
                self._clinics[name] = error
        return self._answer(self._clinics[name])

    @staticmethod
    def _answer(found: T | HandoutError) -> T:
        if isinstance(found, HandoutError):
            raise found
        return found

    def is_typo(self, service: str) -> bool:
        """A service name so like a protocol's that it must have been meant for it."""
        return closest(service, self.content.known_protocols(), TYPO_LIKENESS) is not None

    def check_language(self, protocol_id: str, language: str) -> None:
        """InputError if the protocol has no (or a broken) translation into ``language``."""
        key = (protocol_id, language)
        if key not in self._translations:
            try:
                self.content.protocol(protocol_id, language)
                self._translations[key] = None
            except HandoutError as error:
                self._translations[key] = error
        problem = self._translations[key]
        if problem is not None:
            raise InputError(f"language: {problem}")

    def check_approved(
        self, protocol_id: str, clinic: Branding, language: str | None, allow_draft: bool
    ) -> bool:
        """Whether the row's handout is an unapproved draft made anyway (allowed);
        ``InputError`` if it may not be made at all."""
        key = (protocol_id, language or "")
        if key not in self._approvals:
            try:
                self._approvals[key] = check_approved(
                    self.content, protocol_id, clinic.id, language, allow_draft=True
                )
            except HandoutError as error:
                self._approvals[key] = error
        found = self._answer(self._approvals[key])
        if found.approved:
            return False
        if not (allow_draft or clinic.allow_drafts):
            try:
                check_approved(self.content, protocol_id, clinic.id, language)
            except DraftRefused as error:
                raise InputError(f"protocol: {error}") from None
        return True

    def fingerprint(self, clinic_id: str, protocol_id: str, language: str | None = None) -> str:
        key = (clinic_id, protocol_id, language)
        if key not in self._fingerprints:
            self._fingerprints[key] = content_fingerprint(
                self.content, clinic_id, protocol_id, language
            )
        return self._fingerprints[key]


@dataclass(frozen=True)
class _RowFacts:
    """What a row says, cleaned, before it is checked."""

    patient: str
    reference: str
    service: str


def plan_rows(
    rows: Iterable[RawRow],
    content: ContentStore,
    clinic_id: str | None = None,
    *,
    date_format: str | None = None,
    today: dt.date | None = None,
    titles: Sequence[str] = (),
    allow_draft: bool = False,
) -> tuple[list[PlannedRow], list[BadRow]]:
    """The rows that get a handout, and why each other row does not.

    A cancelled row, or one whose service has no protocol (a consultation),
    is not an error; a row that should have a handout and cannot get one is.
    ``clinic_id`` is used for rows without a clinic; without it, the default
    clinic. ``date_format`` is an import profile's. ``today`` anchors
    "today" and the date checks. ``titles`` are the lines above the export's
    header: with the date cells they decide how two-way dates (04/12/2026)
    are read (``list_date_order``). Each planned row's ``date_flags`` say what about
    its date must be confirmed (in the past, far from the list's other rows).
    A row whose protocol (or translation) is a draft with no sign-off fails
    unless ``allow_draft`` or the clinic allows drafts.
    """
    rows = list(rows)
    checker = RowChecker(content)
    names = UniqueNames()
    anchor = today or clock.today()
    order = _list_order(rows, checker, clinic_id, titles, date_format)
    planned: list[PlannedRow] = []
    bad: list[BadRow] = []
    for raw in rows:
        values = raw.values
        facts = _RowFacts(
            clean_name(values.get("patient")) or "",
            values.get("reference", ""),
            values.get("service", values.get("protocol", "")),
        )

        if raw.left_out is not None:
            bad.append(_not_made(raw.row, facts, raw.left_out, RowStatus.LEFT_OUT))
            continue
        try:
            protocols = _protocols_for(checker, facts.service)
        except _NoProtocol:
            bad.append(
                _not_made(
                    raw.row,
                    facts,
                    f"no protocol for the service '{facts.service}'",
                    RowStatus.NO_HANDOUT,
                )
            )
            continue
        except HandoutError as error:
            bad.append(_not_made(raw.row, facts, str(error)))
            continue
        protocol = protocols[0]
        try:
            if not facts.patient:
                raise InputError("patient: the name is empty")
            clinic = _clinic_for(checker, values.get("clinic") or clinic_id)
            when = read_when(
                values.get("date", ""),
                "date",
                today=anchor,
                date_style=order.style if order.from_list else clinic.date_style,
                language=protocol.language,
                date_format=_format_for(raw, date_format),
            )
            time = when.time or _time_of_day(values.get("time", ""))
            # Every protocol the service names is checked as its own row would be.
            languages = [_row_language(checker, values, p, clinic) for p in protocols]
            language = languages[0]
            drafts = [
                checker.check_approved(p.id, clinic, language, allow_draft) for p in protocols
            ]
            booked = _next_visit(values, anchor, clinic, protocol, date_format)
            variant = values.get("variant") or None
            if variant is not None:
                protocol.variant(variant)  # KeyError names the ones there are
            words = row_words(values)
        except KeyError as error:
            bad.append(_not_made(raw.row, facts, f"variant: {error.args[0]}"))
            continue
        except HandoutError as error:
            bad.append(_not_made(raw.row, facts, str(error)))
            continue
        ambiguous = bool(order.conflict) and two_way(values.get("date", ""))
        fingerprint = checker.fingerprint(clinic.id, protocol.id, language)
        output = names.claim(
            default_filename(clinic.id, protocol.id, when.date, facts.patient, "pdf")
        )
        request = HandoutRequest(
            protocol.id,
            clinic.id,
            facts.patient,
            when.date,
            procedure_time=time,
            language=language,
            email=values.get("email") or None,
            variant=variant,
            words=words,
            # Checked above: a draft is made only with a person's or the clinic's leave.
            allow_draft=any(drafts),
            next_visit=booked.date if booked else None,
            next_visit_time=booked.time if booked else None,
        )
        row = PlannedRow(
            row=raw.row,
            request=request,
            output=output,
            inputs_hash=_with_words(
                inputs_hash(
                    fingerprint, facts.patient, when.date, None, time, language, _booked_at(booked)
                ),
                variant,
                words,
            ),
            reference=facts.reference,
            service=facts.service,
            follow_ups=is_yes(values.get("follow_ups", "")),
            date_flags=frozenset({DateFlag.AMBIGUOUS}) if ambiguous else frozenset(),
            date_shown=spelled_out(when.date, clinic.date_style, protocol.language),
            protocol_title=combine(protocols).title,
            draft=any(drafts),
        )
        planned.append(with_more(row, [p.id for p in protocols[1:]], checker))
    return one_handout_per_visit(_with_date_checks(planned, content, anchor, order), bad, checker)


def _with_words(digest: str, variant: str | None, words: PractitionerWords | None) -> str:
    """The inputs hash, changed by a variant or the practitioner's words (only when given,
    so rows without them keep the hashes earlier runs recorded)."""
    if variant is None and words is None:
        return digest
    return hashlib.sha256(f"{digest}\0{variant}\0{words!r}".encode()).hexdigest()


def row_words(values: dict[str, str]) -> PractitionerWords | None:
    """The practitioner's cells of a row; InputError names a bad ``set`` cell."""
    changes = []
    for part in re.split(r"[;,]", values.get("set", "")):
        if part.strip():
            try:
                changes.append(parse_span_change(part))
            except ValueError as error:
                raise InputError(f"set: {error}") from None
    words = PractitionerWords(
        practitioner=values.get("practitioner") or None,
        areas=values.get("areas") or None,
        note=values.get("note") or None,
        changes=tuple(changes),
    )
    return None if words.empty else words


def with_more(row: PlannedRow, protocol_ids: Sequence[str], checker: RowChecker) -> PlannedRow:
    """The row's handout with more procedures of the same visit on it.

    The one way rows are combined: a service several protocols name, and
    rows of one visit (``one_handout_per_visit``). Each procedure's files
    are inputs of the handout, so editing any of them remakes it.
    """
    if not protocol_ids:
        return row
    also = (*row.request.also, *protocol_ids)
    digest = hashlib.sha256(row.inputs_hash.encode())
    for protocol_id in also:
        digest.update(checker.fingerprint(row.request.clinic or "", protocol_id).encode())
    return replace(row, request=replace(row.request, also=also), inputs_hash=digest.hexdigest())


def one_handout_per_visit(
    planned: list[PlannedRow], bad: list[BadRow], checker: RowChecker
) -> tuple[list[PlannedRow], list[BadRow]]:
    """Rows for one patient, clinic and date with different procedures make one
    handout: the first row's. The others are marked as combined into it, so every
    row is still accounted for.
    """
    first_of: dict[tuple[str, str | None, dt.date | None, str | None], int] = {}
    kept: list[PlannedRow] = []
    for this in planned:
        asked = this.request
        key = ((asked.patient or "").casefold(), asked.clinic, asked.procedure_date, asked.language)
        index = first_of.get(key)
        first = kept[index] if index is not None else None
        # The same procedure twice is two bookings (or two people of one name): kept apart.
        # So is a row that asks something of its own, which one handout could not keep.
        if (
            first is None
            or set(this.protocol_ids) & set(first.protocol_ids)
            or _asks_its_own(this.request, first.request)
        ):
            first_of.setdefault(key, len(kept))
            kept.append(this)
            continue
        assert index is not None
        combined = with_more(first, this.protocol_ids, checker)
        # Each procedure's draft status was checked on its own row: a draft the
        # person or clinic allowed there is allowed on the combined handout.
        kept[index] = replace(
            combined,
            request=replace(
                combined.request,
                allow_draft=combined.request.allow_draft or asked.allow_draft,
            ),
            draft=first.draft or this.draft,
            protocol_title=combine(
                [checker.content.protocol(each) for each in combined.protocol_ids]
            ).title,
        )
        reason = f"on one handout with row {first.row} (same patient, clinic and date)"
        bad.append(
            BadRow(
                this.row,
                reason,
                RowStatus.COMBINED,
                asked.patient or "",
                this.reference,
                this.service,
            )
        )
    return kept, bad


def _asks_its_own(later: HandoutRequest, first: HandoutRequest) -> bool:
    """Whether a later row of a visit asks what the first row's handout cannot carry:
    a variant (it belongs to the first row's procedure), other practitioner's words, another
    email address or another booked visit. Such a row gets its own handout: nothing lost."""
    return (
        later.variant is not None
        or later.words not in (None, first.words)
        or later.email not in (None, first.email)
        or (later.next_visit, later.next_visit_time)
        not in ((None, None), (first.next_visit, first.next_visit_time))
    )


def _list_order(
    rows: list[RawRow],
    checker: RowChecker,
    clinic_id: str | None,
    titles: Sequence[str],
    date_format: str | None,
) -> ListOrder:
    """How the list's numeric dates are read: its own evidence, else the clinic's way.

    A profile that gives a date_format has already said; the list's words
    then only decide nothing.
    """
    try:
        style = _clinic_for(checker, clinic_id).date_style
    except HandoutError:
        style = "us"  # every row will say what is wrong with its clinic
    if date_format:
        return ListOrder(style)
    cells = [raw.values.get("date", "") for raw in rows if raw.left_out is None]
    return list_date_order(cells, titles, style)


def _with_date_checks(
    planned: list[PlannedRow], content: ContentStore, today: dt.date, order: ListOrder
) -> list[PlannedRow]:
    """Each row's date judged against today and the list's usual day, in words too."""
    usual = usual_date(p.request.procedure_date for p in planned if p.request.procedure_date)
    checked = []
    for this in planned:
        day = this.request.procedure_date
        assert day is not None  # every planned row of a list has a date
        flags = this.date_flags | date_flags(day, today, usual)
        clinic = content.clinic(this.request.clinic)
        language = content.protocol(this.request.protocol).language
        warning = flag_words(flags, day, usual, clinic.date_style, language)
        other = other_reading(day)
        if warning and other is not None and not order.from_list:
            other_flags = date_flags(other, today, None)
            if not other_flags:
                warning += (
                    f" (read the other way round it is "
                    f"{spelled_out(other, clinic.date_style, language)})"
                )
        checked.append(replace(this, date_flags=flags, warning=warning))
    return checked


def _booked_at(booked: ProcedureWhen | None) -> dt.datetime | dt.date | None:
    if booked is None:
        return None
    return dt.datetime.combine(booked.date, booked.time) if booked.time else booked.date


def is_yes(cell: str) -> bool:
    """A yes/no cell as exports write it: yes, y, true, 1, x, ✓ (anything else is no)."""
    return cell.strip().casefold() in {"yes", "y", "true", "1", "x", "✓", "si", "sí"}


def _row_language(
    checker: RowChecker, values: dict[str, str], protocol: Protocol, clinic: Branding
) -> str | None:
    """The row's language, if it has one the protocol and the clinic can give a page in."""
    language = values.get("language") or None
    if language is not None:
        checker.check_language(protocol.id, language)
        problem = wording_problem(clinic, language, protocol.language)
        if problem:
            raise InputError(f"language: {problem}")
    return language


def _next_visit(
    values: dict[str, str],
    today: dt.date,
    clinic: Branding,
    protocol: Protocol,
    date_format: str | None,
) -> ProcedureWhen | None:
    """The next appointment the row names, if it names one."""
    if not values.get("next"):
        return None
    return read_when(
        values["next"],
        "next appointment",
        today=today,
        date_style=clinic.date_style,
        language=protocol.language,
        date_format=date_format,
    )


_SHEET_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2})?$")


def _format_for(raw: RawRow, date_format: str | None) -> str | None:
    """The profile's date format, except for a spreadsheet's real date cell (ISO, one way)."""
    if raw.sheet and _SHEET_DATE.match(raw.values.get("date", "").strip()):
        return None
    return date_format


def _time_of_day(text: str) -> dt.time | None:
    """A separate time column's value; only hour rules use it, so a row is not refused for it."""
    try:
        return read_time(text, "time") if text else None
    except InputError:
        return None


def _not_made(
    row: int, facts: _RowFacts, reason: str, status: RowStatus = RowStatus.FAILED
) -> BadRow:
    return BadRow(row, reason, status, facts.patient, facts.reference, facts.service)


class _NoProtocol(Exception):
    """The service has no aftercare protocol: a consultation, an injectable..."""


def _protocols_for(checker: RowChecker, service: str) -> tuple[Protocol, ...]:
    if not service:
        raise InputError("protocol: missing")
    try:
        return checker.protocols(service)
    except Ambiguous as error:
        raise InputError(f"protocol: {error}") from None
    except NotFound as error:
        if checker.is_typo(service):
            raise InputError(f"protocol: {error}") from None
        raise _NoProtocol from None


def _clinic_for(checker: RowChecker, name: str | None) -> Branding:
    try:
        return checker.clinic(name or checker.content.default_clinic_id)
    except NotFound as error:
        raise InputError(f"clinic: {error}") from None


def plan_variants(
    content: ContentStore,
    clinic_ids: list[str],
    protocol_ids: list[str],
    language: str | None = None,
) -> list[PlannedRow]:
    """Blank handouts for every clinic x protocol, as ``<clinic>/<protocol>.pdf``
    (``<protocol>.<language>.pdf`` in a translation).

    Unknown ids, a protocol without that translation, or a clinic without
    its own words in that language, raise before anything is made.
    """
    # Names people use ("Harbourside", "Micro-Needling") become ids, so files are named by id.
    clinic_ids = list(dict.fromkeys(content.clinic_id_for(name) for name in clinic_ids))
    protocol_ids = list(dict.fromkeys(content.protocol_id_for(name) for name in protocol_ids))
    if language is not None:
        for protocol_id in protocol_ids:
            content.protocol(protocol_id, language)
            for clinic_id in clinic_ids:
                check_one_language(content, protocol_id, clinic_id, language)
    suffix = f".{language}" if language else ""
    planned: list[PlannedRow] = []
    for clinic_id in clinic_ids:
        for protocol_id in protocol_ids:
            fingerprint = content_fingerprint(content, clinic_id, protocol_id, language)
            planned.append(
                PlannedRow(
                    row=len(planned) + 1,
                    request=HandoutRequest(protocol_id, clinic_id, language=language),
                    output=f"{clinic_id}/{protocol_id}{suffix}.pdf",
                    inputs_hash=inputs_hash(fingerprint, None, None, None, None, language),
                )
            )
    return planned
