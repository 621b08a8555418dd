"""A day's list as the check page shows it: each row as understood, in plain words.

The page shows what the tool made of each row, not only what was exported:
the protocol the service matched, the date spelled out with weekday and
month name the clinic's way, the clinic, time and language. Statuses come
from the typed ``RowStatus`` and delivery channels, never from parsing a
manifest's words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from .. import service
from ..content.models import Branding
from ..content.store import ContentStore
from ..errors import HandoutError
from ..inputs.date_checks import DateFlag, usual_date
from ..service import BatchPlan, Outcome, RowStatus
from ..templating.catalogs import language_name


class Look(StrEnum):
    """How a row is drawn: the CSS class of its table row."""

    READY = "ready"
    DONE = "done"
    BAD = "bad"  # should have a handout and has none: something to fix
    NONE = "none"  # no handout, and rightly so (no protocol, cancelled)


# Words for the desk, by typed status (the manifest keeps its own words).
STATUS_WORDS = {
    RowStatus.MADE: "Made",
    RowStatus.SKIPPED: "Made before",
    RowStatus.FAILED: "Not made",
    RowStatus.INTERRUPTED: "Not made: the list was stopped first",
    RowStatus.NO_HANDOUT: "No handout",
    RowStatus.LEFT_OUT: "Left out",
}
# The delivery channels' own values are the words ("emailed", "printed"), in this order.
CHANNELS = ("emailed", "printed")


class PlannedHandout(Protocol):
    """What the page reads of a row that gets a handout (the plan's ``PlannedRow``)."""

    @property
    def row(self) -> int: ...
    @property
    def request(self) -> service.HandoutRequest: ...
    @property
    def service(self) -> str: ...
    @property
    def warning(self) -> str: ...
    @property
    def date_flags(self) -> frozenset[DateFlag]: ...
    @property
    def date_shown(self) -> str: ...
    @property
    def protocol_title(self) -> str: ...
    @property
    def draft(self) -> bool: ...
    @property
    def needs_confirming(self) -> bool: ...


class PlannedBadRow(Protocol):
    """What the page reads of a row that gets none (the plan's BadRow)."""

    @property
    def row(self) -> int: ...
    @property
    def reason(self) -> str: ...
    @property
    def status(self) -> RowStatus: ...
    @property
    def patient(self) -> str: ...
    @property
    def service(self) -> str: ...


@dataclass(frozen=True)
class ListRow:
    row: int
    patient: str
    written_date: str  # as exported, to compare with what was understood
    date: str  # understood, spelled out; empty if not understood
    time: str
    service: str  # as exported
    protocol: str  # the protocol's title it matched; empty if none
    draft: bool
    clinic: str
    language: str
    email: str
    status: str
    look: Look
    flags: list[str] = field(default_factory=list)  # what to check about the date, in words
    flag_kinds: frozenset[DateFlag] = frozenset()
    left_out_by_staff: bool = False


def status_words(outcome: Outcome) -> str:
    """ "Made, emailed and printed", "Made before, emailed", "Not made: <why>"."""
    words = STATUS_WORDS[outcome.status]
    done = [channel for channel in CHANNELS if channel in outcome.delivered]
    if done:
        words += ", " + " and ".join(done)
    if outcome.error:
        words += f": {outcome.error}"
    for problem in outcome.delivery_problems:
        words += f"; {problem}"
    return words


def list_day(plan: BatchPlan) -> dt.date | None:
    """The day the list is for: the one most of its rows are on, as the date checks judge it."""
    days = (p.request.procedure_date for p in plan.planned)
    return usual_date(day for day in days if day)


class RowViews:
    """Builds the page's rows; looks each clinic and protocol up once."""

    def __init__(
        self, store: ContentStore, default_clinic: str | None, left_out: Collection[int] = ()
    ) -> None:
        self.store = store
        self.default_clinic = default_clinic
        self.left_out = frozenset(left_out)  # rows staff left out on the check page
        self._clinics: dict[str, Branding | None] = {}

    def rows(self, plan: BatchPlan, outcomes: dict[int, Outcome]) -> list[ListRow]:
        planned = {p.row: p for p in plan.planned}
        bad = {row.row: row for row in plan.bad_rows}
        views = []
        for raw in plan.rows:
            values = raw.values
            this = planned.get(raw.row)
            if this is not None:
                views.append(self._planned_row(this, values, outcomes.get(raw.row)))
            else:
                views.append(self._bad_row(bad[raw.row], values))
        return views

    def _clinic(self, name: str | None) -> Branding | None:
        key = name or self.default_clinic or ""
        if key not in self._clinics:
            try:
                self._clinics[key] = self.store.clinic(key or None)
            except HandoutError:
                self._clinics[key] = None
        return self._clinics[key]

    def _unapproved(self, bad: PlannedBadRow, values: dict[str, str]) -> str | None:
        """The title of the row's protocol if it is a draft without a sign-off, else None."""
        try:
            protocol = self.store.protocol(bad.service)
            language = values.get("language") or None
            if service.approval(self.store, protocol.id, language).approved:
                return None
        except HandoutError:
            return None
        return protocol.title

    def _planned_row(
        self, planned: PlannedHandout, values: dict[str, str], outcome: Outcome | None
    ) -> ListRow:
        asked = planned.request
        clinic = self._clinic(asked.clinic)
        protocol_language = self.store.protocol(asked.protocol).language
        if outcome is None:
            status, look = "Ready", Look.READY
        else:
            status = status_words(outcome)
            look = Look.DONE if outcome.has_file else Look.BAD
        return ListRow(
            row=planned.row,
            patient=asked.patient or "",
            written_date=values.get("date", ""),
            date=planned.date_shown,
            time=asked.procedure_time.strftime("%H:%M") if asked.procedure_time else "",
            service=planned.service,
            protocol=planned.protocol_title,
            draft=planned.draft,
            clinic=clinic.name if clinic else asked.clinic or "",
            language=language_name(asked.language or protocol_language),
            email=asked.email or "",
            status=status,
            look=look,
            # The plan's own sentence ("the date ... is in the past"), from its typed flags.
            flags=[planned.warning] if planned.needs_confirming and planned.warning else [],
            flag_kinds=frozenset(planned.date_flags),
        )

    def _bad_row(self, bad: PlannedBadRow, values: dict[str, str]) -> ListRow:
        clinic = self._clinic(values.get("clinic") or None)
        by_staff = bad.row in self.left_out
        status = "Left out by staff" if by_staff else f"{STATUS_WORDS[bad.status]}: {bad.reason}"
        draft = self._unapproved(bad, values) if bad.status is RowStatus.FAILED else None
        if draft is not None:  # the plan's reason names command-line options; say it for a page
            status = (
                f"Not made: {draft} is a draft no clinician has signed off. Record a sign-off "
                "on the Settings page, then check the list again."
            )
        failed = bad.status is RowStatus.FAILED
        return ListRow(
            row=bad.row,
            patient=bad.patient or values.get("patient", ""),
            written_date=values.get("date", ""),
            date="",
            time=values.get("time", ""),
            service=bad.service,
            protocol="",
            draft=False,
            clinic=clinic.name if clinic else values.get("clinic", ""),
            language=values.get("language", ""),
            email=values.get("email", ""),
            status=status,
            look=Look.BAD if failed else Look.NONE,
            left_out_by_staff=by_staff,
        )
