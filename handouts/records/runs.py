"""Batch runs in the ledger: each run, and what happened to every row of its list.

A batch's ``manifest.csv`` is an export of these rows, and a re-run asks them
(not the folder's old manifest) which handouts are already made. Every row
is recorded, including rows that failed before anything was made (a date
that cannot be read, an unknown service, a cancelled appointment): they are
part of what the run did, and a manager reading the record later must see
them with their reason, as the manifest shows them. So the run's rows are
the one account of a run; nothing is merged in from memory when exporting.

A row points at its handout's record (made in this run, or the unchanged
one of an earlier run it reused) and at the deliveries that hold its email
and print keys after the run, so the export's ``delivered`` column is what
the ledger says was delivered to that person, whichever run sent it. Rows go
with their run when it is purged; a pointer to a purged handout or delivery
becomes empty.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from ..channel import Channel

# Appended to ``records.schema.MIGRATIONS``: this table's own numbered step.
MIGRATION = """
CREATE TABLE runs (
    id TEXT PRIMARY KEY,              -- the run's random id, as in handouts.run and deliveries.run
    started_at TEXT NOT NULL,         -- UTC, ISO 8601
    by TEXT NOT NULL,
    source TEXT NOT NULL,             -- batch, day's list, variants
    folder TEXT NOT NULL              -- the output folder, resolved
);
CREATE INDEX runs_folder ON runs (folder, started_at);
CREATE TABLE run_rows (
    run TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    row INTEGER NOT NULL,             -- as a spreadsheet numbers the list's rows
    status TEXT NOT NULL,             -- made, skipped, failed, interrupted, no handout, ...
    handout_id INTEGER REFERENCES handouts (id) ON DELETE SET NULL,
    patient TEXT NOT NULL DEFAULT '', -- as the list has it, also for rows never recorded
    reference TEXT NOT NULL DEFAULT '',
    service TEXT NOT NULL DEFAULT '',
    output TEXT NOT NULL DEFAULT '',  -- the file, relative to the run's folder
    pages INTEGER,
    bytes INTEGER,
    sha256 TEXT NOT NULL DEFAULT '',
    inputs_sha256 TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT '',   -- why no handout was made
    email_delivery INTEGER REFERENCES deliveries (id) ON DELETE SET NULL,
    print_delivery INTEGER REFERENCES deliveries (id) ON DELETE SET NULL,
    problems TEXT NOT NULL DEFAULT '', -- what went wrong delivering it, in words, one per line
    PRIMARY KEY (run, row)
);
CREATE INDEX run_rows_output ON run_rows (output);
CREATE INDEX run_rows_handout ON run_rows (handout_id);
"""


@dataclass(frozen=True)
class RunRow:
    """What happened to one row of a run, as the ledger keeps it."""

    row: int
    status: str  # the batch's row status, in its words
    handout_id: int | None = None
    patient: str = ""
    reference: str = ""
    service: str = ""
    output: str = ""
    pages: int | None = None
    size: int | None = None
    sha256: str = ""
    inputs_hash: str = ""
    error: str = ""
    # The deliveries that hold this row's keys after the run: this run's, or an earlier one's.
    holders: tuple[int, ...] = ()
    problems: tuple[str, ...] = ()
    delivered: frozenset[Channel] = frozenset()  # read back: the holders that delivered


def start(db: sqlite3.Connection, run: str, at: str, by: str, source: str, folder: str) -> None:
    db.execute("INSERT INTO runs VALUES (?,?,?,?,?)", (run, at, by, source, folder))


def record(db: sqlite3.Connection, run: str, row: RunRow) -> None:
    """One row's account; a row recorded again in the same run (never, today) replaces it."""
    channels = {
        Channel(found["channel"]): found["id"]
        for found in db.execute(
            f"SELECT id, channel FROM deliveries WHERE id IN ({','.join('?' * len(row.holders))})",
            row.holders,
        )
        if found["channel"]
    }
    db.execute(
        "INSERT OR REPLACE INTO run_rows VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            run,
            row.row,
            row.status,
            row.handout_id,
            row.patient,
            row.reference,
            row.service,
            row.output,
            row.pages,
            row.size,
            row.sha256,
            row.inputs_hash,
            row.error,
            channels.get(Channel.EMAIL),
            channels.get(Channel.PRINT),
            "\n".join(row.problems),
        ),
    )


_SELECT = (
    "SELECT r.*, e.result AS email_result, p.result AS print_result FROM run_rows r"
    " LEFT JOIN deliveries e ON e.id = r.email_delivery"
    " LEFT JOIN deliveries p ON p.id = r.print_delivery"
)


def rows_of(db: sqlite3.Connection, run: str, delivered: frozenset[str]) -> list[RunRow]:
    """A run's rows in row order; ``delivered``: the results that count as delivered."""
    found = db.execute(f"{_SELECT} WHERE r.run=? ORDER BY r.row", (run,)).fetchall()
    return [_row(r, delivered) for r in found]


def last_made(
    db: sqlite3.Connection, folder: str, output: str, made: tuple[str, ...]
) -> RunRow | None:
    """The latest row of a run into ``folder`` that made (or kept) the file ``output``."""
    found = db.execute(
        "SELECT r.*, NULL AS email_result, NULL AS print_result FROM run_rows r"
        " JOIN runs u ON u.id = r.run WHERE u.folder=? AND r.output=?"
        f" AND r.status IN ({','.join('?' * len(made))})"
        " ORDER BY u.started_at DESC, r.rowid DESC LIMIT 1",
        (folder, output, *made),
    ).fetchone()
    return None if found is None else _row(found, frozenset())


def latest_run(db: sqlite3.Connection, folder: str) -> str | None:
    found = db.execute(
        "SELECT id FROM runs WHERE folder=? ORDER BY started_at DESC, rowid DESC LIMIT 1",
        (folder,),
    ).fetchone()
    return None if found is None else str(found["id"])


def purge(db: sqlite3.Connection, cutoff: str) -> int:
    """Remove runs started before ``cutoff`` with all their rows; returns how many runs."""
    return db.execute("DELETE FROM runs WHERE started_at < ?", (cutoff,)).rowcount


def _row(r: sqlite3.Row, delivered: frozenset[str]) -> RunRow:
    results = ((Channel.EMAIL, r["email_result"]), (Channel.PRINT, r["print_result"]))
    done = {channel for channel, result in results if result in delivered}
    return RunRow(
        row=r["row"],
        status=r["status"],
        handout_id=r["handout_id"],
        patient=r["patient"],
        reference=r["reference"],
        service=r["service"],
        output=r["output"],
        pages=r["pages"],
        size=r["bytes"],
        sha256=r["sha256"],
        inputs_hash=r["inputs_sha256"],
        error=r["error"],
        holders=tuple(h for h in (r["email_delivery"], r["print_delivery"]) if h is not None),
        problems=tuple(p for p in r["problems"].split("\n") if p),
        delivered=frozenset(done),
    )
