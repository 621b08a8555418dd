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


# The web page's earlier history rows: action words, as it wrote them.
_WEB_ACTIONS = {
    "downloaded": (Result.DOWNLOADED, None),
    "printed": (Result.PRINTED, "printed"),
    "emailed": (Result.EMAILED, "emailed"),
}


def carry_over_web_history(ledger: Ledger, database: Path) -> int:
    """The web server's old ``history`` table (in ``handouts.sqlite3``), read in once.

    Each row becomes a handout record (without an archived PDF: earlier
    versions kept none) and its delivery; emails and prints also take their
    delivery key, so nobody they reached is sent the same handout again.
    """
    if not database.is_file():
        return 0
    try:
        old = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)
        try:
            has_table = old.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='history'"
            ).fetchone()
            rows = (
                old.execute(
                    "SELECT at, user, action, clinic, protocol, patient, procedure_date,"
                    " procedure_time, language, email, detail FROM history ORDER BY id"
                ).fetchall()
                if has_table
                else []
            )
        finally:
            old.close()
    except sqlite3.Error as error:
        raise InputError(f"{database}: cannot be read ({error})") from None
    carried = 0

    def carry(db: sqlite3.Connection) -> None:
        nonlocal carried
        for (
            at,
            user,
            action,
            clinic,
            protocol,
            patient,
            date,
            time,
            language,
            email,
            detail,
        ) in rows:
            if not patient:
                continue  # a blank handout: not recorded
            stamp = (
                dt.datetime.fromisoformat(at).astimezone(dt.UTC).isoformat(timespec="microseconds")
            )
            source = "day's list" if action == "made in a day's list" else "web"
            handout_id = db.execute(
                "INSERT INTO handouts (made_at, made_by, source, clinic, protocol, language,"
                " procedure_date, procedure_time, patient, email, pdf_sha256, content_version,"
                " review_status) VALUES (?,?,?,?,?,?,?,?,?,?,'','','unknown')",
                (stamp, user, source, clinic, protocol, language or "", date, time, patient, email),
            ).lastrowid
            db.execute(
                "INSERT INTO handout_text (rowid, patient, email) VALUES (?,?,?)",
                (handout_id, patient, email or ""),
            )
            carried += 1
            result, channel = _WEB_ACTIONS.get(action, (None, None))
            if result is None:
                continue
            recipient = (email or "").strip().casefold() if channel == "emailed" else ""
            delivery_id = db.execute(
                "INSERT INTO deliveries (handout_id, at, by, channel, recipient, result, detail)"
                " VALUES (?,?,?,?,?,?,?)",
                (handout_id, stamp, user, channel, recipient, str(result), detail or ""),
            ).lastrowid
            if channel is not None:
                key = (channel, recipient, " ".join(patient.split()).casefold(), clinic, protocol)
                db.execute(
                    "INSERT OR IGNORE INTO claims VALUES (?,?,?,?,?,?,?,?)",
                    (*key, date or "", 1, delivery_id),
                )

    ledger.import_once(f"web history:{database.resolve()}", carry)
    return carried
