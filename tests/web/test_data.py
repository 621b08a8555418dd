"""The data folder's database opens from every earlier schema, and refuses a newer one."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from handouts.web.data import DATABASE_NAME, SCHEMA_VERSION, DataFolder, NewerDatabase
from handouts.web.users import UserStore
from tests.web.inprocess import PASSWORD, cheap_passwords

# The schema as the first release wrote it, before migrations were numbered
# (user_version 0): copied here, never imported, so later edits cannot hide a break.
UNNUMBERED_SCHEMA = """
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


def old_folder(path: Path) -> Path:
    path.mkdir(mode=0o700)
    db = sqlite3.connect(path / DATABASE_NAME)
    db.executescript(UNNUMBERED_SCHEMA)
    hashed = cheap_passwords().hash(PASSWORD)
    with db:
        db.execute(
            "INSERT INTO users VALUES ('boss2', ?, 1, '2026-01-01T00:00:00+00:00')", (hashed,)
        )
        db.execute("INSERT INTO failures VALUES ('user:boss2', 9, 1.0)")
        db.execute(
            "INSERT INTO history (at, day, user, action, clinic, protocol) "
            "VALUES ('2026-01-01T09:00', '2026-01-01', 'boss2', 'printed', 'magnolia', 'x')"
        )
    db.close()
    return path


def test_a_database_made_by_the_unnumbered_schema_opens_and_keeps_its_rows(
    tmp_path: Path,
) -> None:
    folder = DataFolder(old_folder(tmp_path / "data"))
    with folder.connect() as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("SELECT count(*) FROM history").fetchone()[0] == 1
        # The per-user counts that let a stranger lock a user out are gone.
        assert db.execute("SELECT count(*) FROM failures").fetchone()[0] == 0
    users = UserStore(folder, cheap_passwords())
    boss = users.sign_in("boss2", PASSWORD, "192.0.2.7")
    assert boss.is_manager and boss.clinics is None
    DataFolder(folder.path)  # opening again runs nothing twice


def test_a_fresh_folder_gets_every_migration(tmp_path: Path) -> None:
    folder = DataFolder(tmp_path / "data")
    with folder.connect() as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert {"users", "failures", "history", "sessions", "user_clinics"} <= tables


def test_a_database_from_a_newer_version_is_refused_untouched(tmp_path: Path) -> None:
    path = old_folder(tmp_path / "data")
    db = sqlite3.connect(path / DATABASE_NAME)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    before = (path / DATABASE_NAME).read_bytes()
    with pytest.raises(NewerDatabase, match="newer version of handouts"):
        DataFolder(path)
    assert (path / DATABASE_NAME).read_bytes() == before


def test_a_migration_that_fails_leaves_no_half_of_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from handouts.web import data

    path = tmp_path / "data"
    DataFolder(path)
    broken = "CREATE TABLE half (a); INSERT INTO no_such_table VALUES (1);"
    monkeypatch.setattr(data, "MIGRATIONS", (*data.MIGRATIONS, broken))
    monkeypatch.setattr(data, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(sqlite3.OperationalError, match="no_such_table"):
        DataFolder(path)
    db = sqlite3.connect(path / DATABASE_NAME)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("SELECT name FROM sqlite_master WHERE name = 'half'").fetchone() is None
    db.close()
