"""The web server's data folder: users, sign-in failures and history in SQLite.

The folder holds health data (who was given which handout), so it is
owner-only (0700) and every file in it 0600.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import platformdirs

from ..deliver.files import DIR_MODE, FILE_MODE, make_private_dirs

DATABASE_NAME = "handouts.sqlite3"

SCHEMA = """
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
"""


def data_dir(environ: dict[str, str] | None = None) -> Path:
    """``HANDOUTS_DATA`` if set, else the user's data directory (e.g. ~/.local/share/handouts)."""
    env = os.environ if environ is None else environ
    return Path(env.get("HANDOUTS_DATA") or platformdirs.user_data_dir("handouts"))


class DataFolder:
    """One data folder; a short-lived SQLite connection per use (threads share nothing)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        make_private_dirs(path)
        path.chmod(DIR_MODE)  # also when it existed with looser permissions
        self.database = path / DATABASE_NAME
        # Create the file owner-only before SQLite opens it with the umask's mode;
        # SQLite gives its journal the database file's permissions.
        os.close(os.open(self.database, os.O_RDWR | os.O_CREAT, FILE_MODE))
        self.database.chmod(FILE_MODE)
        with self.connect() as db:
            db.executescript(SCHEMA)

    @contextlib.contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A connection in one transaction: committed on success, rolled back on error."""
        db = sqlite3.connect(self.database, timeout=10)
        db.row_factory = sqlite3.Row
        try:
            with db:
                yield db
        finally:
            db.close()

    def private_file(self, name: str) -> Path:
        """A path inside the folder, for files the server keeps (owner-only by its umask)."""
        return self.path / name
