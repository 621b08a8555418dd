"""The web server's data folder: users, sessions, sign-in failures and history in SQLite.

The folder holds health data (who was given which handout), so it is
owner-only (0700) and every file in it 0600.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import platformdirs

from ..errors import HandoutError
from ..private_files import DIR_MODE, FILE_MODE, make_private_dirs

DATABASE_NAME = "handouts.sqlite3"

# Numbered migrations, run in order on open; ``PRAGMA user_version`` records how
# many have run. Append new ones at the end, never edit one that has shipped:
# a data folder made by any earlier version must open. Databases made before
# numbering (user_version 0) already hold the tables of migration 1, hence
# ``IF NOT EXISTS`` there.
MIGRATIONS: tuple[str, ...] = (
    # 1: users, sign-in failures and the day's history, as first shipped.
    """
    CREATE TABLE IF NOT EXISTS users (
        name TEXT PRIMARY KEY,
        password_hash TEXT NOT NULL,
        manager INTEGER NOT NULL DEFAULT 0,
        created TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS failures (
        key TEXT PRIMARY KEY,
        count INTEGER NOT NULL,
        last REAL NOT NULL
    );
    CREATE TABLE IF NOT EXISTS history (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        day TEXT NOT NULL,
        user TEXT NOT NULL,
        action TEXT NOT NULL,
        clinic TEXT NOT NULL,
        protocol TEXT NOT NULL,
        patient TEXT,
        procedure_date TEXT,
        procedure_time TEXT,
        language TEXT,
        email TEXT,
        detail TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX IF NOT EXISTS history_day ON history (day);
    """,
    # 2: sessions kept on the server (the cookie only names one), users limited to
    # some clinics, and failures counted per (user, address) and per address: the
    # old per-user counts are dropped, as they are what let a stranger lock a user out.
    """
    CREATE TABLE sessions (
        id_hash TEXT PRIMARY KEY,
        user TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
        created REAL NOT NULL,
        seen REAL NOT NULL
    );
    CREATE INDEX sessions_user ON sessions (user);
    CREATE TABLE user_clinics (
        user TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
        clinic TEXT NOT NULL,
        PRIMARY KEY (user, clinic)
    );
    DELETE FROM failures;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


class NewerDatabase(HandoutError):
    """The database was written by a newer version of the tool."""


def migrate(db: sqlite3.Connection) -> None:
    """Bring the database up to ``SCHEMA_VERSION``, one migration per transaction."""
    while (version := _version(db)) < SCHEMA_VERSION:
        number = version + 1
        try:
            # BEGIN makes the migration and its number one step: all of it or none.
            db.executescript(
                f"BEGIN IMMEDIATE; {MIGRATIONS[version]}; PRAGMA user_version = {number}; COMMIT;"
            )
        except sqlite3.OperationalError:
            if db.in_transaction:
                db.execute("ROLLBACK")
            if _version(db) < number:  # not another server starting at the same moment
                raise
    if version > SCHEMA_VERSION:
        raise NewerDatabase(
            f"this data folder was written by a newer version of handouts (schema {version}, "
            f"this one knows {SCHEMA_VERSION}); upgrade handouts to use it"
        )


def _version(db: sqlite3.Connection) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def data_dir(environ: dict[str, str] | None = None) -> Path:
    """``HANDOUTS_DATA`` if set, else the user's data directory (e.g. ~/.local/share/handouts)."""
    env = os.environ if environ is None else environ
    return Path(env.get("HANDOUTS_DATA") or platformdirs.user_data_dir("handouts"))


class DataFolder:
    """One data folder; one SQLite connection per thread (threads share nothing)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # Every request asks for its session here, most on the event loop's thread:
        # opening a connection each time cost more than the query (measured under a
        # flood of previews with bench/web_flood.py).
        self._connections = threading.local()
        make_private_dirs(path)
        path.chmod(DIR_MODE)  # also when it existed with looser permissions
        self.database = path / DATABASE_NAME
        # Create the file owner-only before SQLite opens it with the umask's mode;
        # SQLite gives its journal the database file's permissions.
        os.close(os.open(self.database, os.O_RDWR | os.O_CREAT, FILE_MODE))
        self.database.chmod(FILE_MODE)
        db = sqlite3.connect(self.database, timeout=10, isolation_level=None)
        try:
            migrate(db)
        finally:
            db.close()

    @contextlib.contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection in one transaction: committed on success, rolled back
        on error."""
        db: sqlite3.Connection | None = getattr(self._connections, "db", None)
        if db is None:
            db = sqlite3.connect(self.database, timeout=10)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA foreign_keys = ON")  # a removed user takes their sessions along
            self._connections.db = db
        with db:
            yield db

    def private_file(self, name: str) -> Path:
        """A path inside the folder, for files the server keeps (owner-only by its umask)."""
        return self.path / name
