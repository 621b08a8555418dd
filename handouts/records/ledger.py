"""The ledger: one SQLite file in the data folder recording every handout and delivery.

It only grows (until a manager purges old records): what was made for whom,
from which version of the content, and every attempt to give it. The once-only
rule lives here as a unique key: a delivery is *claimed* in a transaction
before the email or print job goes out, written as "may have been sent", and
finished with what happened. A sender killed mid-send leaves "may have been
sent", which is never sent again by itself.

Each call opens its own short connection (WAL, a busy timeout), so threads of
the web server and several processes on one data folder share it safely.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from ..channel import Channel
from ..errors import InputError
from ..private_files import FILE_MODE, check_replaceable, make_private_dirs, open_private
from ..request import HandoutRequest
from . import runs
from .archive import ARCHIVE_NAME, Archive
from .particulars import particulars_json, with_particulars
from .runs import RunRow
from .schema import LATEST, MIGRATIONS
from .types import (
    DELIVERED,
    Claim,
    Delivery,
    DeliveryKey,
    HandoutHistory,
    HandoutRecord,
    NewHandout,
    Purged,
    Result,
    Search,
    SearchPage,
)

LEDGER_NAME = "records.sqlite3"
UPLOADS_NAME = "uploads"
DAY_LISTS_NAME = "batches"  # the web page's day's lists, one folder per day

Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _stamp(moment: dt.datetime) -> str:
    """UTC, to the microsecond, so that text order is time order."""
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time()).astimezone()


# SQLite's primary result codes for a write the disk refused: SQLITE_IOERR (a
# failed write, e.g. EFBIG or ENOSPC mid-page) and SQLITE_FULL.
_SQLITE_IOERR, _SQLITE_FULL = 10, 13


def _out_of_room(error: sqlite3.Error) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    return isinstance(code, int) and (code & 0xFF) in (_SQLITE_IOERR, _SQLITE_FULL)


class Ledger:
    """The record in one data folder: ``records.sqlite3`` and the PDF ``archive/``."""

    def __init__(self, folder: Path, clock: Clock = system_clock) -> None:
        self.folder = folder
        self.path = folder / LEDGER_NAME
        self.archive = Archive(folder / ARCHIVE_NAME)
        self.clock = clock
        self._local = threading.local()
        make_private_dirs(folder)
        for companion in ("", "-wal", "-shm", "-journal"):
            check_replaceable(Path(f"{self.path}{companion}"))
        try:
            if self.path.exists():
                # Never open and close the file itself once it exists: closing any
                # descriptor of it drops every SQLite lock this process holds on it,
                # and another process can then reset the WAL under a live
                # connection and lose its last commits.
                self.path.chmod(FILE_MODE)
            else:
                # Created owner-only from its first byte; SQLite gives -wal and -shm the same mode.
                os.close(open_private(self.path, os.O_RDWR | os.O_CREAT))
            with self._connect() as db:
                db.execute("PRAGMA journal_mode=WAL")
                _migrate(db)
        except sqlite3.Error as error:
            if _out_of_room(error):
                # A full disk (or a size limit) is not a damaged record: say which
                # folder needs room, not that the ledger must be restored.
                raise InputError(
                    f"{self.path}: cannot be written ({error}): the disk holding {folder} may "
                    "be full. It records which handouts were made and delivered, so nothing "
                    "is made or sent until there is room."
                ) from None
            raise InputError(
                f"{self.path}: cannot be read ({error}). It records which handouts were made "
                "and delivered, so nothing is sent until it is restored."
            ) from None

    # -- connections ---------------------------------------------------------

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection, opened once: opening and closing one per call
        would checkpoint the WAL each time, which costs more than the work."""
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None or self._local.pid != os.getpid():  # never one from before a fork
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA synchronous=FULL")
            db.execute("PRAGMA foreign_keys=ON")
            self._local.db, self._local.pid = db, os.getpid()
        yield db

    def close(self) -> None:
        """Close this thread's connection (others close when their thread ends)."""
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once so two writers queue rather than fail."""
        try:
            with self._connect() as db:
                db.execute("BEGIN IMMEDIATE")
                try:
                    yield db
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
                db.execute("COMMIT")
        except sqlite3.Error as error:
            # A full disk or a ledger locked for too long is the administrator's to fix.
            raise OSError(f"{self.path}: {error}") from None

    @property
    def version(self) -> int:
        with self._connect() as db:
            return int(db.execute("PRAGMA user_version").fetchone()[0])

    # -- writing -------------------------------------------------------------

    def record_handout(self, new: NewHandout) -> int:
        """Record a handout made for a named patient; returns its id."""
        request = new.request
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO handouts (made_at, made_by, source, run, clinic, protocol, language,"
                " procedure_date, procedure_time, patient, email, pdf_sha256, pages,"
                " content_version, review_status, particulars)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    _stamp(self.clock()),
                    new.made_by,
                    new.source,
                    new.run,
                    request.clinic or "",
                    request.protocol,
                    request.language or "",
                    request.procedure_date.isoformat() if request.procedure_date else None,
                    request.procedure_time.isoformat("minutes") if request.procedure_time else None,
                    request.patient or "",
                    request.email,
                    new.pdf_sha256,
                    new.pages,
                    new.content_version,
                    new.review_status,
                    particulars_json(request),
                ),
            )
            handout_id = int(cursor.lastrowid or 0)
            db.execute(
                "INSERT INTO handout_text (rowid, patient, email) VALUES (?,?,?)",
                (handout_id, request.patient or "", request.email or ""),
            )
        return handout_id

    def record_delivery(
        self,
        handout_id: int,
        result: Result,
        by: str,
        *,
        channel: Channel | None = None,
        recipient: str = "",
        reason: str = "",
        detail: str = "",
        again: bool = False,
        run: str | None = None,
    ) -> int:
        """Record something done with a handout that claims nothing: a download,
        an .eml file, or a failure before anything was sent. Returns its id."""
        with self._write() as db:
            return _insert_delivery(
                db,
                handout_id,
                self.clock(),
                by,
                run,
                channel,
                recipient,
                result,
                reason,
                detail,
                again,
            )

    def claim(
        self,
        key: DeliveryKey,
        handout_id: int,
        by: str,
        *,
        again: bool = False,
        run: str | None = None,
    ) -> Claim:
        """Claim ``key`` before sending: granted once, refused after.

        Granted, a delivery is recorded as "may have been sent" and its id
        returned; ``finish`` it with what happened. Refused, the delivery that
        holds the key is returned (emailed, printed, or may have been sent).
        ``again`` sends on purpose although the key is held, and says so.
        """
        with self._write() as db:
            held = db.execute(
                "SELECT d.* FROM claims c JOIN deliveries d ON d.id = c.delivery_id"
                " WHERE c.channel=? AND c.recipient=? AND c.patient=? AND c.clinic=?"
                " AND c.protocol=? AND c.procedure_date=? AND c.occurrence=?",
                _key_values(key),
            ).fetchone()
            if held is not None and not again:
                return Claim(None, _delivery(held))
            delivery_id = _insert_delivery(
                db,
                handout_id,
                self.clock(),
                by,
                run,
                key.channel,
                key.recipient,
                Result.MAY_HAVE_BEEN_SENT,
                "",
                "",
                again,
            )
            db.execute(
                "INSERT OR REPLACE INTO claims VALUES (?,?,?,?,?,?,?,?)",
                (*_key_values(key), delivery_id),
            )
        return Claim(delivery_id)

    def finish(
        self, delivery_id: int, result: Result, *, reason: str = "", detail: str = ""
    ) -> None:
        """Say what a claimed delivery did.

        FAILED (certainly not sent) frees the key, so a later run may try
        again; MAY_HAVE_BEEN_SENT keeps it, with the reason.
        """
        with self._write() as db:
            db.execute(
                "UPDATE deliveries SET result=?, reason=?, detail=?, at=? WHERE id=?",
                (str(result), reason, detail, _stamp(self.clock()), delivery_id),
            )
            if result is Result.FAILED:
                db.execute("DELETE FROM claims WHERE delivery_id=?", (delivery_id,))

    def holder(self, key: DeliveryKey) -> Delivery | None:
        """The delivery that holds ``key``, if any (without claiming it)."""
        with self._connect() as db:
            row = db.execute(
                "SELECT d.* FROM claims c JOIN deliveries d ON d.id = c.delivery_id"
                " WHERE c.channel=? AND c.recipient=? AND c.patient=? AND c.clinic=?"
                " AND c.protocol=? AND c.procedure_date=? AND c.occurrence=?",
                _key_values(key),
            ).fetchone()
        return None if row is None else _delivery(row)

    def start_run(self, run: str, by: str, source: str, folder: Path) -> None:
        """A batch run begins: its id, who runs it, from where, into which folder."""
        with self._write() as db:
            runs.start(db, run, _stamp(self.clock()), by, source, str(folder.resolve()))

    def record_run_row(self, run: str, row: RunRow) -> None:
        """What happened to one row of a run, as it happens (a killed run keeps what it did)."""
        with self._write() as db:
            runs.record(db, run, row)

    def import_once(self, name: str, carry: Callable[[sqlite3.Connection], None]) -> bool:
        """Run ``carry`` in one transaction unless ``name`` was imported before."""
        with self._write() as db:
            if db.execute("SELECT 1 FROM imported WHERE name=?", (name,)).fetchone():
                return False
            carry(db)
            db.execute("INSERT INTO imported VALUES (?,?)", (name, _stamp(self.clock())))
        return True

    # -- reading -------------------------------------------------------------

    def search(self, search: Search) -> SearchPage:
        """Handouts matching every given field, newest first, one page of them."""
        where: list[str] = []
        values: list[object] = []
        text = " ".join((search.patient or "").split())
        source = "handouts h"
        if len(text) >= 3:
            # Any part of a name or address, through the trigram index; the
            # matches drive the query (CROSS JOIN keeps that order), since a
            # name matches few of a million rows.
            source = "handout_text t CROSS JOIN handouts h ON h.id = t.rowid"
            where.append("t.handout_text MATCH ?")
            values.append('"' + text.replace('"', '""') + '"')
        elif text:
            where.append("(h.patient LIKE ? ESCAPE '\\' OR h.email LIKE ? ESCAPE '\\')")
            pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            values += [pattern, pattern]
        if search.since:
            where.append("h.made_at >= ?")
            values.append(_stamp(_local_midnight(search.since)))
        if search.until:
            where.append("h.made_at < ?")
            values.append(_stamp(_local_midnight(search.until + dt.timedelta(days=1))))
        if search.clinic:
            where.append("h.clinic = ?")
            values.append(search.clinic)
        if search.protocol:
            where.append("h.protocol = ?")
            values.append(search.protocol)
        per_page = max(1, search.per_page)
        page = max(1, search.page)
        sql = f"SELECT h.* FROM {source}"
        if where:
            sql += " WHERE " + " AND ".join(where)
        # Newest first. With text, in the order recorded: the text index yields
        # its matches newest first and stops at the page, where sorting by time
        # would sort every "ana" in a million records.
        order = "t.rowid DESC" if source != "handouts h" else "h.made_at DESC, h.id DESC"
        sql += f" ORDER BY {order} LIMIT ? OFFSET ?"
        values += [per_page + 1, (page - 1) * per_page]
        with self._connect() as db:
            rows = db.execute(sql, values).fetchall()
        return SearchPage([_handout(r) for r in rows[:per_page]], page, len(rows) > per_page)

    def handout(self, handout_id: int) -> HandoutHistory | None:
        """One handout with all its deliveries, failed attempts included."""
        with self._connect() as db:
            row = db.execute("SELECT * FROM handouts WHERE id=?", (handout_id,)).fetchone()
            if row is None:
                return None
            deliveries = db.execute(
                "SELECT * FROM deliveries WHERE handout_id=? ORDER BY id", (handout_id,)
            ).fetchall()
        return HandoutHistory(_handout(row), [_delivery(d) for d in deliveries])

    def handouts_between(self, start: dt.datetime, end: dt.datetime) -> list[HandoutHistory]:
        """Every handout made in [start, end), newest first, with its deliveries."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT * FROM handouts WHERE made_at >= ? AND made_at < ?"
                " ORDER BY made_at DESC, id DESC",
                (_stamp(start), _stamp(end)),
            ).fetchall()
            return [self._with_deliveries(db, row) for row in rows]

    def run(self, run: str) -> list[HandoutHistory]:
        """What one batch run made, in the order it made them."""
        with self._connect() as db:
            rows = db.execute("SELECT * FROM handouts WHERE run=? ORDER BY id", (run,)).fetchall()
            return [self._with_deliveries(db, row) for row in rows]

    def run_rows(self, run: str) -> list[RunRow]:
        """Every row of one batch run, in row order, with what was delivered to each."""
        delivered = frozenset(str(result) for result in DELIVERED)
        with self._connect() as db:
            return runs.rows_of(db, run, delivered)

    def last_made(self, folder: Path, output: str, statuses: tuple[str, ...]) -> RunRow | None:
        """The latest row of a run into ``folder`` whose file is ``output``, with one of
        ``statuses`` (the batch's words for "made" and "already made")."""
        with self._connect() as db:
            return runs.last_made(db, str(folder.resolve()), output, statuses)

    def latest_run(self, folder: Path) -> str | None:
        """The id of the last batch run into ``folder``, if any."""
        with self._connect() as db:
            return runs.latest_run(db, str(folder.resolve()))

    def latest_with_pdf(self, sha256: str, patient: str) -> HandoutRecord | None:
        """The latest record of these exact bytes for this patient (a re-run's unchanged file)."""
        with self._connect() as db:
            row = db.execute(
                "SELECT * FROM handouts WHERE pdf_sha256=? AND patient=? ORDER BY id DESC LIMIT 1",
                (sha256, patient),
            ).fetchone()
        return None if row is None else _handout(row)

    def delivery(self, delivery_id: int) -> Delivery | None:
        with self._connect() as db:
            row = db.execute("SELECT * FROM deliveries WHERE id=?", (delivery_id,)).fetchone()
        return None if row is None else _delivery(row)

    def pdf(self, sha256: str) -> bytes:
        """The archived bytes of a handout (NotFound once purged)."""
        return self.archive.get(sha256)

    @staticmethod
    def _with_deliveries(db: sqlite3.Connection, row: sqlite3.Row) -> HandoutHistory:
        deliveries = db.execute(
            "SELECT * FROM deliveries WHERE handout_id=? ORDER BY id", (row["id"],)
        ).fetchall()
        return HandoutHistory(_handout(row), [_delivery(d) for d in deliveries])

    # -- retention -----------------------------------------------------------

    def purge(self, older_than: dt.timedelta) -> Purged:
        """Remove handouts made more than ``older_than`` ago, their deliveries and
        claims, the archived PDFs no newer record points at, and old uploaded lists.

        Nothing made within ``older_than`` is touched.
        """
        now = self.clock()
        cutoff = _stamp(now - older_than)
        with self._write() as db:
            old = "SELECT id FROM handouts WHERE made_at < ?"
            # PDFs only old records point at; one a newer record shares stays.
            unused = {
                row[0]
                for row in db.execute(
                    "SELECT DISTINCT pdf_sha256 FROM handouts WHERE made_at < ? AND pdf_sha256"
                    " NOT IN (SELECT pdf_sha256 FROM handouts WHERE made_at >= ?)",
                    (cutoff, cutoff),
                )
            }
            db.execute(
                "DELETE FROM claims WHERE delivery_id IN"
                f" (SELECT id FROM deliveries WHERE handout_id IN ({old}))",
                (cutoff,),
            )
            deliveries = db.execute(
                f"DELETE FROM deliveries WHERE handout_id IN ({old})", (cutoff,)
            ).rowcount
            db.execute(f"DELETE FROM handout_text WHERE rowid IN ({old})", (cutoff,))
            handouts = db.execute("DELETE FROM handouts WHERE made_at < ?", (cutoff,)).rowcount
            # A run's rows name patients too, also those that got no handout.
            old_runs = runs.purge(db, cutoff)
        pdfs = sum(self.archive.remove(sha) for sha in unused)
        uploads = 0
        limit = (now - older_than).timestamp()
        folder = self.folder / UPLOADS_NAME
        if folder.is_dir():
            for upload in folder.iterdir():
                with contextlib.suppress(OSError):
                    if upload.is_file() and upload.stat().st_mtime < limit:
                        upload.unlink()
                        uploads += 1
        lists = _remove_old_day_folders(self.folder / DAY_LISTS_NAME, (now - older_than).date())
        return Purged(handouts, deliveries, pdfs, uploads, lists, old_runs)


def _remove_old_day_folders(folder: Path, before: dt.date) -> int:
    """The web page's ``batches/<date>/`` folders of days before ``before`` (handouts, manifest)."""
    removed = 0
    if not folder.is_dir():
        return 0
    for day_folder in folder.iterdir():
        try:
            day = dt.date.fromisoformat(day_folder.name)
        except ValueError:
            continue  # not one of ours
        if day < before and day_folder.is_dir() and not day_folder.is_symlink():
            shutil.rmtree(day_folder, ignore_errors=True)
            removed += 1
    return removed


def _migrate(db: sqlite3.Connection) -> None:
    """Bring the database to ``LATEST``, one numbered migration at a time.

    Each runs in one exclusive transaction that re-reads the version first,
    so two processes opening a new ledger at once migrate it once.
    """
    while True:
        db.execute("BEGIN IMMEDIATE")
        try:
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            if version > LATEST:
                raise sqlite3.DatabaseError(
                    f"it was written by a newer version of handouts (schema {version})"
                )
            if version == LATEST:
                db.execute("COMMIT")
                return
            for statement in _statements(MIGRATIONS[version]):
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {version + 1}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")


def _statements(script: str) -> Iterator[str]:
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            yield buffer
            buffer = ""
    if buffer.strip():
        yield buffer


def _insert_delivery(
    db: sqlite3.Connection,
    handout_id: int,
    at: dt.datetime,
    by: str,
    run: str | None,
    channel: Channel | None,
    recipient: str,
    result: Result,
    reason: str,
    detail: str,
    again: bool,
) -> int:
    cursor = db.execute(
        "INSERT INTO deliveries (handout_id, at, by, run, channel, recipient, result, reason,"
        " detail, again) VALUES (?,?,?,?,?,?,?,?,?,?)",
        (
            handout_id,
            _stamp(at),
            by,
            run,
            None if channel is None else str(channel),
            recipient,
            str(result),
            reason,
            detail,
            int(again),
        ),
    )
    return int(cursor.lastrowid or 0)


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


def _handout(r: sqlite3.Row) -> HandoutRecord:
    return HandoutRecord(
        id=r["id"],
        made_at=dt.datetime.fromisoformat(r["made_at"]),
        made_by=r["made_by"],
        source=r["source"],
        run=r["run"],
        request=with_particulars(
            HandoutRequest(
                r["protocol"],
                r["clinic"],
                r["patient"],
                dt.date.fromisoformat(r["procedure_date"]) if r["procedure_date"] else None,
                procedure_time=(
                    dt.time.fromisoformat(r["procedure_time"]) if r["procedure_time"] else None
                ),
                language=r["language"] or None,
                email=r["email"],
            ),
            r["particulars"],
        ),
        pdf_sha256=r["pdf_sha256"],
        pages=r["pages"],
        content_version=r["content_version"],
        review_status=r["review_status"],
    )


def _delivery(r: sqlite3.Row) -> Delivery:
    return Delivery(
        id=r["id"],
        handout_id=r["handout_id"],
        at=dt.datetime.fromisoformat(r["at"]),
        by=r["by"],
        run=r["run"],
        channel=Channel(r["channel"]) if r["channel"] else None,
        recipient=r["recipient"],
        result=Result(r["result"]),
        reason=r["reason"],
        detail=r["detail"],
        again=bool(r["again"]),
    )


__all__ = ["LEDGER_NAME", "Clock", "Ledger", "system_clock"]
