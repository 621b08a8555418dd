"""What the front desk did today: each handout made, downloaded, printed or emailed.

Kept in the data folder so a manager can see it and staff can print or email
one again; the rows hold patient names, so they live only in the owner-only
SQLite file and are shown only to signed-in managers.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from enum import StrEnum

from ..service import HandoutRequest
from .data import DataFolder


class Action(StrEnum):
    DOWNLOADED = "downloaded"
    PRINTED = "printed"
    EMAILED = "emailed"
    BATCH = "made in a day's list"


@dataclass(frozen=True)
class Entry:
    id: int
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
        )


class History:
    def __init__(self, data: DataFolder) -> None:
        self.data = data

    def record(
        self,
        user: str,
        action: Action,
        request: HandoutRequest,
        clinic_id: str,
        email: str | None = None,
        detail: str = "",
    ) -> None:
        now = dt.datetime.now().astimezone()
        with self.data.connect() as db:
            db.execute(
                "INSERT INTO history (at, day, user, action, clinic, protocol, patient,"
                " procedure_date, procedure_time, language, email, detail)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    now.isoformat(timespec="seconds"),
                    now.date().isoformat(),
                    user,
                    str(action),
                    clinic_id,
                    request.protocol,
                    request.patient,
                    request.procedure_date.isoformat() if request.procedure_date else None,
                    request.procedure_time.isoformat("minutes") if request.procedure_time else None,
                    request.language,
                    email,
                    detail,
                ),
            )

    def day(self, day: dt.date) -> list[Entry]:
        """A day's entries, newest first."""
        with self.data.connect() as db:
            rows = db.execute(
                "SELECT * FROM history WHERE day = ? ORDER BY id DESC", (day.isoformat(),)
            ).fetchall()
        return [_entry(row) for row in rows]

    def get(self, entry_id: int) -> Entry | None:
        with self.data.connect() as db:
            row = db.execute("SELECT * FROM history WHERE id = ?", (entry_id,)).fetchone()
        return _entry(row) if row else None


def _entry(r: sqlite3.Row) -> Entry:
    return Entry(
        id=r["id"],
        at=dt.datetime.fromisoformat(r["at"]),
        user=r["user"],
        action=Action(r["action"]),
        clinic=r["clinic"],
        protocol=r["protocol"],
        patient=r["patient"],
        procedure_date=dt.date.fromisoformat(r["procedure_date"]) if r["procedure_date"] else None,
        procedure_time=dt.time.fromisoformat(r["procedure_time"]) if r["procedure_time"] else None,
        language=r["language"],
        email=r["email"],
        detail=r["detail"],
    )
