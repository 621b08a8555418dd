"""Signatures drawn at the desk: proof that a patient received a handout, kept in the ledger.

Each row ties the drawn image to the handout's record *and* to the sha256 of
the PDF bytes the patient was given, with the time it was signed and the
signed-in user who was at the desk. Rows go with their handout when it is
purged (``ON DELETE CASCADE``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .ledger import Ledger

# Appended to ``records.schema.MIGRATIONS``: this table's own numbered step.
MIGRATION = """
CREATE TABLE signatures (
    id INTEGER PRIMARY KEY,
    handout_id INTEGER NOT NULL REFERENCES handouts (id) ON DELETE CASCADE,
    signed_at TEXT NOT NULL,          -- UTC, ISO 8601
    witnessed_by TEXT NOT NULL,       -- the signed-in user at the desk
    pdf_sha256 TEXT NOT NULL,         -- the exact handout the patient signed for
    image BLOB NOT NULL               -- PNG, re-encoded by the server
);
CREATE INDEX signatures_handout ON signatures (handout_id);
"""


@dataclass(frozen=True)
class Signature:
    id: int
    handout_id: int
    signed_at: dt.datetime
    witnessed_by: str
    pdf_sha256: str
    png: bytes


@contextlib.contextmanager
def _transaction(ledger: Ledger) -> Iterator[sqlite3.Connection]:
    try:
        db = sqlite3.connect(ledger.path, timeout=30)
        db.row_factory = sqlite3.Row
        try:
            db.execute("PRAGMA foreign_keys=ON")
            with db:  # one transaction: committed on success, rolled back on error
                yield db
        finally:
            db.close()
    except sqlite3.Error as error:
        # A full disk or a locked ledger is the administrator's to fix, as for the ledger.
        raise OSError(f"{ledger.path}: {error}") from None


def add_signature(
    ledger: Ledger, handout_id: int, pdf_sha256: str, png: bytes, witnessed_by: str
) -> Signature:
    """Store a signature for a recorded handout, stamped with the ledger's clock."""
    signed_at = ledger.clock().astimezone(dt.UTC)
    with _transaction(ledger) as db:
        cursor = db.execute(
            "INSERT INTO signatures (handout_id, signed_at, witnessed_by, pdf_sha256, image)"
            " VALUES (?,?,?,?,?)",
            (
                handout_id,
                signed_at.isoformat(timespec="microseconds"),
                witnessed_by,
                pdf_sha256,
                png,
            ),
        )
        signature_id = int(cursor.lastrowid or 0)
    return Signature(signature_id, handout_id, signed_at, witnessed_by, pdf_sha256, png)


def signatures_of(ledger: Ledger, handout_ids: list[int]) -> dict[int, list[Signature]]:
    """Every signature of the given handouts, oldest first, by handout id."""
    found: dict[int, list[Signature]] = {handout_id: [] for handout_id in handout_ids}
    if not handout_ids:
        return found
    marks = ",".join("?" * len(handout_ids))
    with _transaction(ledger) as db:
        rows = db.execute(
            f"SELECT * FROM signatures WHERE handout_id IN ({marks}) ORDER BY id",
            handout_ids,
        ).fetchall()
    for row in rows:
        found[row["handout_id"]].append(
            Signature(
                row["id"],
                row["handout_id"],
                dt.datetime.fromisoformat(row["signed_at"]),
                row["witnessed_by"],
                row["pdf_sha256"],
                bytes(row["image"]),
            )
        )
    return found
