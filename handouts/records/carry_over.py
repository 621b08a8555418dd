"""A batch folder's own ``deliveries.sqlite3`` (earlier versions) read into the ledger once.

Earlier versions kept who was emailed or printed in each output folder. The
first batch that writes into such a folder carries its records over, so a
patient delivered to from that folder is never delivered to again. The old
file is left in place (read-only to us) and read only once per folder.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from ..errors import InputError
from .ledger import Ledger
from .types import Result

OLD_RECORDS_NAME = "deliveries.sqlite3"
_RESULT = {
    "done": None,
    "uncertain": Result.MAY_HAVE_BEEN_SENT,
    "sending": Result.MAY_HAVE_BEEN_SENT,
}


def carry_over_folder(ledger: Ledger, folder: Path) -> int:
    """Carry over ``folder``'s old delivery records, once; returns how many."""
    path = folder / OLD_RECORDS_NAME
    if not path.is_file():
        return 0
    try:
        old = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            rows = old.execute(
                "SELECT channel, recipient, patient, clinic, protocol, procedure_date,"
                " occurrence, state, time FROM deliveries"
            ).fetchall()
        finally:
            old.close()
    except sqlite3.Error as error:
        raise InputError(
            f"{path}: cannot be read ({error}). It records which handouts in this folder were "
            "already emailed or printed, so nothing is sent until it is restored or the "
            "batch writes to another folder."
        ) from None
    carried = 0

    def carry(db: sqlite3.Connection) -> None:
        nonlocal carried
        for channel, recipient, patient, clinic, protocol, date, occurrence, state, time in rows:
            done = Result.EMAILED if channel == "emailed" else Result.PRINTED
            result = _RESULT.get(state, Result.MAY_HAVE_BEEN_SENT) or done
            at = time or dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
            handout_id = db.execute(
                "INSERT INTO handouts (made_at, made_by, source, clinic, protocol, language,"
                " procedure_date, patient, email, pdf_sha256, content_version, review_status)"
                " VALUES (?, '', 'carried over', ?, ?, '', ?, ?, ?, '', '', 'unknown')",
                (at, clinic, protocol, date or None, patient, recipient or None),
            ).lastrowid
            db.execute(
                "INSERT INTO handout_text (rowid, patient, email) VALUES (?,?,?)",
                (handout_id, patient, recipient),
            )
            delivery_id = db.execute(
                "INSERT INTO deliveries (handout_id, at, by, channel, recipient, result, detail)"
                " VALUES (?, ?, '', ?, ?, ?, ?)",
                (handout_id, at, channel, recipient, str(result), f"carried over from {path}"),
            ).lastrowid
            key = (channel, recipient, " ".join(patient.split()).casefold(), clinic, protocol)
            db.execute(
                "INSERT OR IGNORE INTO claims VALUES (?,?,?,?,?,?,?,?)",
                (*key, date, occurrence, delivery_id),
            )
            carried += 1

    ledger.import_once(f"{OLD_RECORDS_NAME}:{path.resolve()}", carry)
    return carried
