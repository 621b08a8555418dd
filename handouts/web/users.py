"""Front-desk accounts: argon2 password hashes, roles, and slowing down guessers."""

from __future__ import annotations

import datetime as dt
import math
import re
import sqlite3
import time
from dataclasses import dataclass
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..errors import InputError, NotFound
from .data import DataFolder

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,39}$")
MIN_PASSWORD_LENGTH = 10
# Wrong passwords allowed before each further try has to wait, and the longest wait.
FREE_FAILURES = 3
MAX_WAIT_SECONDS = 300
# Wrong passwords older than this are forgotten, so a desk's occasional typos
# over a day never add up to a lock-out for everyone behind one address.
FORGET_AFTER_SECONDS = 15 * 60

_hasher = PasswordHasher()
# Verified against when the name is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a real password")


class Role(StrEnum):
    STAFF = "staff"  # makes, prints and emails handouts
    MANAGER = "manager"  # also runs a day's list and sees the history


@dataclass(frozen=True)
class User:
    name: str
    role: Role
    created: str

    @property
    def is_manager(self) -> bool:
        return self.role is Role.MANAGER


class SignInRefused(Exception):
    """A sign-in that did not succeed; ``wait`` is set when the caller must wait first."""

    def __init__(self, message: str, wait: int = 0) -> None:
        super().__init__(message)
        self.wait = wait


def check_name(name: str) -> str:
    if not NAME_PATTERN.match(name):
        raise InputError(
            f"'{name}' cannot be a user name: use 1-40 lower-case letters, digits, '.', '_' "
            "or '-', starting with a letter or digit"
        )
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters long")
    return password


def wait_after(failures: int) -> int:
    """Seconds to wait after ``failures`` wrong passwords in a row: 0, then doubling."""
    if failures < FREE_FAILURES:
        return 0
    return min(MAX_WAIT_SECONDS, 2 ** (failures - FREE_FAILURES + 1))


class UserStore:
    def __init__(self, data: DataFolder) -> None:
        self.data = data

    def add(self, name: str, password: str, role: Role = Role.STAFF) -> User:
        check_name(name)
        check_password(password)
        created = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self.data.connect() as db:
            if db.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
                raise InputError(
                    f"there is already a user '{name}'; remove it first to set a new password"
                )
            db.execute(
                "INSERT INTO users (name, password_hash, manager, created) VALUES (?, ?, ?, ?)",
                (name, _hasher.hash(password), int(role is Role.MANAGER), created),
            )
        return User(name, role, created)

    def remove(self, name: str) -> None:
        with self.data.connect() as db:
            if db.execute("DELETE FROM users WHERE name = ?", (name,)).rowcount == 0:
                raise NotFound(f"there is no user '{name}'")

    def list(self) -> list[User]:
        with self.data.connect() as db:
            rows = db.execute("SELECT name, manager, created FROM users ORDER BY name").fetchall()
        return [_user(row) for row in rows]

    def get(self, name: str) -> User | None:
        with self.data.connect() as db:
            row = db.execute(
                "SELECT name, manager, created FROM users WHERE name = ?", (name,)
            ).fetchone()
        return _user(row) if row else None

    def sign_in(self, name: str, password: str, client: str) -> User:
        """The user, if the password is right and neither name nor address must wait."""
        keys = (f"user:{name.casefold()}", f"client:{client}")
        wait = self._wait(keys)
        if wait:
            raise SignInRefused(
                f"Too many wrong passwords. Wait {wait} seconds, then try again.", wait
            )
        with self.data.connect() as db:
            row = db.execute(
                "SELECT name, manager, created, password_hash FROM users WHERE name = ?", (name,)
            ).fetchone()
        try:
            _hasher.verify(row["password_hash"] if row else _DUMMY_HASH, password)
            if row is None:
                raise VerificationError
        except (VerificationError, InvalidHashError):
            self._fail(keys)
            raise SignInRefused("That user name and password do not match.") from None
        self._clear(keys)
        if _hasher.check_needs_rehash(row["password_hash"]):
            with self.data.connect() as db:
                db.execute(
                    "UPDATE users SET password_hash = ? WHERE name = ?",
                    (_hasher.hash(password), name),
                )
        return _user(row)

    def _wait(self, keys: tuple[str, ...]) -> int:
        now = time.time()
        longest = 0.0
        with self.data.connect() as db:
            for key in keys:
                row = db.execute(
                    "SELECT count, last FROM failures WHERE key = ?", (key,)
                ).fetchone()
                if row:
                    longest = max(longest, row["last"] + wait_after(row["count"]) - now)
        return math.ceil(longest) if longest > 0 else 0

    def _fail(self, keys: tuple[str, ...]) -> None:
        with self.data.connect() as db:
            for key in keys:
                db.execute(
                    "INSERT INTO failures (key, count, last) VALUES (?, 1, ?) "
                    "ON CONFLICT(key) DO UPDATE SET last = excluded.last, count = CASE "
                    "WHEN excluded.last - last < ? THEN count + 1 ELSE 1 END",
                    (key, time.time(), FORGET_AFTER_SECONDS),
                )

    def _clear(self, keys: tuple[str, ...]) -> None:
        # The address's count is kept: one right password must not hide a guesser's tries
        # at other names from the same address.
        with self.data.connect() as db:
            db.execute("DELETE FROM failures WHERE key = ?", (keys[0],))


def _user(row: sqlite3.Row) -> User:
    return User(row["name"], Role.MANAGER if row["manager"] else Role.STAFF, row["created"])
