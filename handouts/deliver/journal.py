"""What a batch folder has already emailed or printed, and to whom, kept across runs.

Each record names what was delivered to whom: the channel, the recipient's
address (empty for print), the patient, clinic, protocol and procedure date,
and for print which of several identical rows it was. Output file names are
kept only as information: two patients with the same name on the same day
can swap file names when the rows of a list are reordered, so a file name
cannot say who was written to.

A delivery is written as "sending" before the email or print job goes out
and as "done" once it has; an email whose outcome is unknown is "uncertain".
A record left at "sending" (the run was killed mid-send) counts as uncertain:
neither is ever retried by itself, since a second copy is the worse mistake.

The records live in SQLite (WAL, one file per output folder, owner-only);
``manifest.csv`` is the human-readable export of the last run. A folder's
``deliveries.csv`` from earlier versions is read once and carried over.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from ..errors import InputError
from .channel import Channel
from .files import check_replaceable, make_private_dirs, open_private
from .legacy_journal import LEGACY_NAME, read_legacy

RECORDS_NAME = "deliveries.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    patient TEXT NOT NULL,
    clinic TEXT NOT NULL,
    protocol TEXT NOT NULL,
    procedure_date TEXT NOT NULL,
    occurrence INTEGER NOT NULL,
    state TEXT NOT NULL,
    inputs_sha256 TEXT NOT NULL,
    output TEXT NOT NULL,
    time TEXT NOT NULL,
    PRIMARY KEY (channel, recipient, patient, clinic, protocol, procedure_date, occurrence)
);
CREATE TABLE IF NOT EXISTS legacy_deliveries (
    output TEXT NOT NULL,
    channel TEXT NOT NULL,
    PRIMARY KEY (output, channel)
);
CREATE TABLE IF NOT EXISTS carried_over (name TEXT PRIMARY KEY);
"""


class State(StrEnum):
    SENDING = "sending"  # written before sending; still there means the run was cut off
    DONE = "done"
    UNCERTAIN = "uncertain"  # the server had the whole email but never confirmed it


@dataclass(frozen=True)
class DeliveryKey:
    """What was delivered to whom."""

    channel: Channel
    recipient: str  # the email address as compared (case-folded); "" for print
    patient: str
    clinic: str
    protocol: str
    procedure_date: str
    occurrence: int = 1  # the n-th identical row of a list, for print


class DeliveryRecords:
    """The delivery records of one output folder.

    Opened (and any old ``deliveries.csv`` carried over) before anything is
    made: records that cannot be read stop the batch with a clear message
    rather than letting it guess who has already been written to.
    """

    def __init__(self, folder: Path) -> None:
        self.path = folder / RECORDS_NAME
        make_private_dirs(folder)
        self._db = _open(self.path)
        self._carry_over_legacy(folder / LEGACY_NAME)

    def state(self, key: DeliveryKey) -> State | None:
        row = self._db.execute(
            "SELECT state FROM deliveries WHERE channel=? AND recipient=? AND patient=?"
            " AND clinic=? AND protocol=? AND procedure_date=? AND occurrence=?",
            _key_values(key),
        ).fetchone()
        return None if row is None else State(row[0])

    def legacy(self, output: str) -> set[Channel]:
        """How an earlier version's log says ``output`` was delivered."""
        rows = self._db.execute(
            "SELECT channel FROM legacy_deliveries WHERE output=?", (output,)
        ).fetchall()
        return {Channel(channel) for (channel,) in rows}

    def mark(self, key: DeliveryKey, state: State, output: str, inputs_hash: str) -> None:
        """Record ``state`` for ``key``; on disk before this returns."""
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self._transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO deliveries VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (*_key_values(key), str(state), inputs_hash, output, now),
            )

    def forget(self, key: DeliveryKey) -> None:
        """Drop a "sending" record: the send failed for certain, so it may be tried again."""
        with self._transaction():
            self._db.execute(
                "DELETE FROM deliveries WHERE channel=? AND recipient=? AND patient=?"
                " AND clinic=? AND protocol=? AND procedure_date=? AND occurrence=?"
                " AND state=?",
                (*_key_values(key), str(State.SENDING)),
            )

    def close(self) -> None:
        self._db.close()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        try:
            with self._db:
                yield
        except sqlite3.Error as error:
            raise OSError(f"{self.path}: {error}") from None

    def _carry_over_legacy(self, legacy_path: Path) -> None:
        done = self._db.execute(
            "SELECT 1 FROM carried_over WHERE name=?", (LEGACY_NAME,)
        ).fetchone()
        if done:
            return
        legacy = read_legacy(legacy_path)
        with self._transaction():
            self._db.executemany(
                "INSERT OR IGNORE INTO legacy_deliveries VALUES (?,?)",
                [(output, str(how)) for output, hows in legacy.items() for how in hows],
            )
            self._db.execute("INSERT INTO carried_over VALUES (?)", (LEGACY_NAME,))


def _key_values(key: DeliveryKey) -> tuple[str | int, ...]:
    return (
        str(key.channel),
        key.recipient,
        key.patient,
        key.clinic,
        key.protocol,
        key.procedure_date,
        key.occurrence,
    )


def _open(path: Path) -> sqlite3.Connection:
    """Open (or create, owner-only) the records; never through a planted link."""
    for companion in ("", "-wal", "-shm", "-journal"):
        check_replaceable(Path(f"{path}{companion}"))
    try:
        # Created here first so that it is owner-only from its first byte;
        # SQLite gives its -wal and -shm files the same mode.
        os.close(open_private(path, os.O_RDWR | os.O_CREAT))
        db = sqlite3.connect(path, timeout=10, isolation_level="DEFERRED")
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.executescript(_SCHEMA)
    except sqlite3.Error as error:
        raise InputError(
            f"{path}: cannot be read ({error}). It records which handouts in this folder were "
            "already emailed or printed, so nothing is sent until it is restored or the "
            "batch writes to another folder."
        ) from None
    return db
