"""The outbox of follow-up messages: scheduled when a handout is emailed, drained by a sender.

One row per message. A sender claims a due row in a transaction (``scheduled``
to ``sending``, with its own id), sends it, and marks it ``sent``. Two senders
at once cannot both claim a row, so a message goes out at most once. A row
left at ``sending`` (the sender was killed mid-send) is treated like an email
whose server never confirmed it: it may have been sent, so it is never sent
again by itself; ``handouts follow-ups list`` shows it.

A patient's stop request, staff cancelling, or a cancelled appointment marks
the rest of that handout's rows ``cancelled``. A row holds what the message
says (the handout's title and the follow-up's own text), the address the
handout went to, and the patient's name for staff to find and cancel it; the
name never goes into a message or a log line.

The table lives in the ledger (``records.sqlite3`` in the data folder): its
schema is the ledger's migration 3 (``records/schema.py``), so one file holds
what was given, sent and scheduled.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from ..errors import InputError
from .plan import PlannedFollowUp

MAX_ATTEMPTS = 3  # a message the server refused for certain this often is given up


class FollowUpState(StrEnum):
    SCHEDULED = "scheduled"
    SENDING = "sending"  # claimed; still there after the sender ended: may have been sent
    SENT = "sent"
    UNCERTAIN = "uncertain"  # the server had it all but never confirmed
    CANCELLED = "cancelled"
    FAILED = "failed"  # refused for certain, MAX_ATTEMPTS times
    EXPIRED = "expired"  # not sent in time; too late to help


class CancelReason(StrEnum):
    PATIENT = "the patient asked to stop"
    STAFF = "cancelled by staff"
    APPOINTMENT = "the appointment was cancelled"


@dataclass(frozen=True)
class FollowUpRow:
    id: int
    handout: str
    key: str
    clinic: str
    protocol: str
    language: str
    procedure_date: dt.date
    patient: str
    recipient: str
    title: str
    heading: str
    text: str
    day: dt.date
    due: dt.datetime
    state: FollowUpState
    note: str


@dataclass(frozen=True)
class NewHandout:
    """An emailed handout whose follow-ups the patient agreed to."""

    clinic: str
    protocol: str
    language: str
    procedure_date: dt.date
    patient: str
    recipient: str
    title: str
    consent: str  # e.g. "front desk, handouts handout --follow-ups"


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


class Outbox:
    """The follow-up outbox: the ledger's ``follow_ups`` table."""

    def __init__(self, folder: Path) -> None:
        from ..records import Ledger

        # Opening the ledger creates it owner-only and runs its migrations.
        self.path = Ledger(folder).path
        try:
            self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self._db.execute("PRAGMA synchronous=FULL")
        except sqlite3.Error as error:
            raise InputError(
                f"{self.path}: cannot be read ({error}); no follow-up is sent until it is restored"
            ) from None

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[None]:
        """One write transaction, taken at once so that two senders queue, not interleave."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # --- scheduling -------------------------------------------------------------

    def schedule(
        self, handout: NewHandout, planned: Sequence[PlannedFollowUp], now: dt.datetime
    ) -> str:
        """Add a handout's follow-ups; returns its token (the key of its stop link)."""
        token = secrets.token_urlsafe(24)
        rows = [
            (
                token,
                item.key,
                handout.clinic,
                handout.protocol,
                handout.language,
                handout.procedure_date.isoformat(),
                handout.patient,
                handout.recipient.strip().casefold(),
                handout.title,
                item.heading,
                item.text,
                item.day.isoformat(),
                _iso(item.due),
                str(FollowUpState.SCHEDULED),
                f"{handout.consent}, {_iso(now)}",
                _iso(now),
            )
            for item in planned
        ]
        with self._write():
            self._db.executemany(
                "INSERT INTO follow_ups (handout, key, clinic, protocol, language,"
                " procedure_date, patient, recipient, title, heading, text, day, due, state,"
                " consent, scheduled_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                rows,
            )
        return token

    # --- sending ----------------------------------------------------------------

    def due(self, now: dt.datetime, limit: int = 1000) -> list[FollowUpRow]:
        """Scheduled rows whose time has come, oldest first (not yet claimed)."""
        return self._rows(
            "WHERE state=? AND due<=? ORDER BY due, id LIMIT ?",
            (str(FollowUpState.SCHEDULED), _iso(now), limit),
        )

    def claim(self, row_id: int, sender: str, now: dt.datetime) -> bool:
        """Take one due row for sending; False when another sender was first."""
        with self._write():
            cursor = self._db.execute(
                "UPDATE follow_ups SET state=?, claimed_by=?, claimed_at=?, attempts=attempts+1"
                " WHERE id=? AND state=?",
                (
                    str(FollowUpState.SENDING),
                    sender,
                    _iso(now),
                    row_id,
                    str(FollowUpState.SCHEDULED),
                ),
            )
            return cursor.rowcount == 1

    def finish(self, row_id: int, state: FollowUpState, now: dt.datetime, note: str = "") -> None:
        with self._write():
            self._db.execute(
                "UPDATE follow_ups SET state=?, finished_at=?, note=? WHERE id=? AND state=?",
                (str(state), _iso(now), note, row_id, str(FollowUpState.SENDING)),
            )

    def release(self, row_id: int, note: str) -> None:
        """A send that failed for certain: back to scheduled, or failed after the last try."""
        with self._write():
            self._db.execute(
                "UPDATE follow_ups SET state=CASE WHEN attempts>=? THEN ? ELSE ? END, note=?"
                " WHERE id=? AND state=?",
                (
                    MAX_ATTEMPTS,
                    str(FollowUpState.FAILED),
                    str(FollowUpState.SCHEDULED),
                    note,
                    row_id,
                    str(FollowUpState.SENDING),
                ),
            )

    def expire(self, row_id: int, now: dt.datetime) -> bool:
        with self._write():
            cursor = self._db.execute(
                "UPDATE follow_ups SET state=?, finished_at=?, note=? WHERE id=? AND state=?",
                (
                    str(FollowUpState.EXPIRED),
                    _iso(now),
                    "not sent in time",
                    row_id,
                    str(FollowUpState.SCHEDULED),
                ),
            )
            return cursor.rowcount == 1

    def still_scheduled(self, row_id: int) -> bool:
        row = self._db.execute("SELECT state FROM follow_ups WHERE id=?", (row_id,)).fetchone()
        return row is not None and row[0] == str(FollowUpState.SCHEDULED)

    # --- stopping ---------------------------------------------------------------

    def cancel_handout(self, token: str, reason: CancelReason, now: dt.datetime) -> int:
        """Stop the rest of one handout's follow-ups; how many were stopped."""
        return self._cancel("handout=?", (token,), reason, now)

    def cancel_recipient(self, address: str, reason: CancelReason, now: dt.datetime) -> int:
        return self._cancel("recipient=?", (address.strip().casefold(),), reason, now)

    def cancel_appointment(
        self, clinic: str, protocol: str, procedure_date: dt.date, patient: str, now: dt.datetime
    ) -> int:
        """A later list says this appointment was cancelled: stop its follow-ups."""
        return self._cancel(
            "clinic=? AND protocol=? AND procedure_date=? AND patient=?",
            (clinic, protocol, procedure_date.isoformat(), patient),
            CancelReason.APPOINTMENT,
            now,
        )

    def cancel_id(self, row_id: int, reason: CancelReason, now: dt.datetime) -> int:
        return self._cancel("id=?", (row_id,), reason, now)

    def _cancel(
        self, where: str, values: tuple[object, ...], reason: CancelReason, now: dt.datetime
    ) -> int:
        with self._write():
            cursor = self._db.execute(
                f"UPDATE follow_ups SET state=?, finished_at=?, note=? WHERE {where} AND state=?",
                (
                    str(FollowUpState.CANCELLED),
                    _iso(now),
                    str(reason),
                    *values,
                    str(FollowUpState.SCHEDULED),
                ),
            )
            return cursor.rowcount

    def handout_exists(self, token: str) -> bool:
        row = self._db.execute("SELECT 1 FROM follow_ups WHERE handout=?", (token,)).fetchone()
        return row is not None

    # --- reading ----------------------------------------------------------------

    def rows(self, states: Sequence[FollowUpState] = (), limit: int = 10_000) -> list[FollowUpRow]:
        if states:
            marks = ",".join("?" * len(states))
            return self._rows(
                f"WHERE state IN ({marks}) ORDER BY due, id LIMIT ?",
                (*[str(s) for s in states], limit),
            )
        return self._rows("ORDER BY due, id LIMIT ?", (limit,))

    def _rows(self, tail: str, values: tuple[object, ...]) -> list[FollowUpRow]:
        cursor = self._db.execute(
            "SELECT id, handout, key, clinic, protocol, language, procedure_date, patient,"
            f" recipient, title, heading, text, day, due, state, note FROM follow_ups {tail}",
            values,
        )
        return [
            FollowUpRow(
                id=row[0],
                handout=row[1],
                key=row[2],
                clinic=row[3],
                protocol=row[4],
                language=row[5],
                procedure_date=dt.date.fromisoformat(row[6]),
                patient=row[7],
                recipient=row[8],
                title=row[9],
                heading=row[10],
                text=row[11],
                day=dt.date.fromisoformat(row[12]),
                due=dt.datetime.fromisoformat(row[13]),
                state=FollowUpState(row[14]),
                note=row[15],
            )
            for row in cursor.fetchall()
        ]
