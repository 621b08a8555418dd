"""What the front desk did: each handout made, downloaded, printed or emailed, from the ledger.

The ledger (``handouts.records``) in the data folder is the one record; this
module only reads it into the rows the history page shows. The rows hold
patient names, so they are shown only to signed-in managers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from ..records import Delivery, HandoutHistory, Ledger, Result
from ..records.carry_over import carry_over_web_history
from ..service import HandoutRequest, Source
from .data import DataFolder


class Action(StrEnum):
    MADE = "made"
    DOWNLOADED = "downloaded"
    PRINTED = "printed"
    EMAILED = "emailed"
    SAVED_EML = "saved as .eml"
    MAY_HAVE_BEEN_SENT = "may have been sent"
    FAILED = "failed"
    BATCH = "made in a day's list"


_ACTION = {result: Action(str(result)) for result in Result}


@dataclass(frozen=True)
class Entry:
    id: int  # the handout's id in the ledger
    at: dt.datetime
    user: str
    action: Action
    clinic: str
    protocol: str
    patient: str | None
    procedure_date: dt.date | None
    procedure_time: dt.time | None
    language: str | None
    email: str | None
    detail: str

    def request(self) -> HandoutRequest:
        """The same handout again."""
        return HandoutRequest(
            self.protocol,
            self.clinic,
            self.patient,
            self.procedure_date,
            procedure_time=self.procedure_time,
            language=self.language,
            email=self.email,
        )


class History:
    """The history page's view of the data folder's ledger."""

    def __init__(self, data: DataFolder) -> None:
        self.data = data
        self.ledger = Ledger(data.path)
        # What earlier versions wrote into their own history table, read in once.
        carry_over_web_history(self.ledger, data.database)

    def day(self, day: dt.date) -> list[Entry]:
        """A day's entries (by the day each handout was made), newest first."""
        start = dt.datetime.combine(day, dt.time()).astimezone()
        handouts = self.ledger.handouts_between(start, start + dt.timedelta(days=1))
        entries = [entry for history in handouts for entry in _entries(history)]
        return sorted(entries, key=lambda e: e.at, reverse=True)

    def get(self, entry_id: int) -> Entry | None:
        history = self.ledger.handout(entry_id)
        return None if history is None else _entries(history)[0]


def _entries(history: HandoutHistory) -> list[Entry]:
    """One row for the making (when nothing else says it was made), one per delivery."""
    made = _entry(history, None)
    rows = [_entry(history, delivery) for delivery in history.deliveries]
    if history.handout.source == Source.DAY_LIST or not rows:
        rows.insert(0, made)
    return rows


def _entry(history: HandoutHistory, delivery: Delivery | None) -> Entry:
    record = history.handout
    request = record.request
    if delivery is None:
        action = Action.BATCH if record.source == Source.DAY_LIST else Action.MADE
        at, user, detail = record.made_at, record.made_by, ""
    else:
        action = _ACTION[delivery.result]
        at, user = delivery.at, delivery.by
        detail = "; ".join(
            part
            for part in (delivery.detail, delivery.reason, "again" if delivery.again else "")
            if part
        )
    return Entry(
        id=record.id,
        at=at.astimezone(),
        user=user,
        action=action,
        clinic=record.clinic,
        protocol=request.protocol,
        patient=request.patient,
        procedure_date=request.procedure_date,
        procedure_time=request.procedure_time,
        language=request.language,
        email=request.email,
        detail=detail,
    )
