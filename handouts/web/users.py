"""Front-desk accounts: argon2 password hashes, roles, the clinics a user may use."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..errors import InputError, NotFound
from .data import DataFolder
from .throttle import FORGET_AFTER_SECONDS, MustWait, Throttle, wait_after

__all__ = [
    "FORGET_AFTER_SECONDS",
    "Passwords",
    "Role",
    "SignInRefused",
    "User",
    "UserStore",
    "Verified",
    "check_name",
    "check_password",
    "wait_after",
]

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,39}$")
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024  # argon2 takes any length; a megabyte "password" is an attack


class Role(StrEnum):
    STAFF = "staff"  # makes, prints and emails handouts
    MANAGER = "manager"  # also runs a day's list, sees the history and manages users


@dataclass(frozen=True)
class User:
    name: str
    role: Role
    created: str
    # The clinics this user may see and make handouts for; None means every clinic.
    clinics: frozenset[str] | None = None

    @property
    def is_manager(self) -> bool:
        return self.role is Role.MANAGER

    def may_use(self, clinic_id: str) -> bool:
        return self.clinics is None or clinic_id in self.clinics

    def usable(self, clinic_ids: Iterable[str]) -> list[str]:
        """The ones of ``clinic_ids`` this user may use, in their order."""
        return [clinic for clinic in clinic_ids if self.may_use(clinic)]

    def may_manage(self, other: User) -> bool:
        """Whether this user may reset ``other``'s password, limit or remove them.

        A manager of every clinic manages everyone else; a manager limited to some
        clinics manages only staff who work at no clinic outside theirs.
        """
        if not self.is_manager or other.name == self.name:
            return False
        if self.clinics is None:
            return True
        return not other.is_manager and other.clinics is not None and other.clinics <= self.clinics


@dataclass(frozen=True)
class Verified:
    """A right password: the user, and the hash it matched.

    A session is started only while that hash is still the user's, so a reset
    or removal made while the password was being checked is not undone.
    """

    user: User
    password_hash: str


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
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InputError(f"the password must be at most {MAX_PASSWORD_LENGTH} characters long")
    return password


class Passwords:
    """argon2 hashing, with the stand-in hash for unknown names made on first use.

    Making a hash takes 0.2-0.5 s, so nothing is hashed at import: ``users list``
    and the server's start-up pay nothing for it.
    """

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()
        self._dummy: str | None = None

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        """Whether ``password`` matches; an unknown user (None) costs as much as a known one."""
        if stored is None:
            if self._dummy is None:
                self._dummy = self._hasher.hash("not a real password")
            stored = self._dummy
        try:
            return self._hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        return self._hasher.check_needs_rehash(stored)


def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class UserStore:
    def __init__(
        self,
        data: DataFolder,
        passwords: Passwords | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.data = data
        self.passwords = passwords or Passwords()
        self.throttle = Throttle(data, clock)

    def add(
        self,
        name: str,
        password: str,
        role: Role = Role.STAFF,
        clinics: Iterable[str] | None = None,
    ) -> User:
        check_name(name)
        check_password(password)
        limited = _clinic_set(clinics)
        created = _now_iso()
        hashed = self.passwords.hash(password)
        with self.data.connect() as db:
            if db.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
                raise InputError(
                    f"there is already a user '{name}'; to give them a new password, reset it"
                )
            db.execute(
                "INSERT INTO users (name, password_hash, manager, created) VALUES (?, ?, ?, ?)",
                (name, hashed, int(role is Role.MANAGER), created),
            )
            # Sessions of an earlier user of this name are gone with that user; this is
            # only for a database where they were left behind.
            db.execute("DELETE FROM sessions WHERE user = ?", (name,))
            _write_clinics(db, name, limited)
        return User(name, role, created, limited)

    def remove(self, name: str) -> int:
        """Remove ``name``; their sessions end with them. Returns how many ended."""
        with self.data.connect() as db:
            ended = db.execute("DELETE FROM sessions WHERE user = ?", (name,)).rowcount
            db.execute("DELETE FROM user_clinics WHERE user = ?", (name,))
            if db.execute("DELETE FROM users WHERE name = ?", (name,)).rowcount == 0:
                raise NotFound(f"there is no user '{name}'")
        return ended

    def set_password(self, name: str, password: str) -> int:
        """A new password (reset by a manager, or changed): every session of ``name`` ends.

        Returns how many sessions ended.
        """
        check_password(password)
        hashed = self.passwords.hash(password)
        with self.data.connect() as db:
            if not db.execute(
                "UPDATE users SET password_hash = ? WHERE name = ?", (hashed, name)
            ).rowcount:
                raise NotFound(f"there is no user '{name}'")
            return db.execute("DELETE FROM sessions WHERE user = ?", (name,)).rowcount

    def change_password(self, name: str, current: str, new: str, address: str) -> int:
        """The user's own change: the current password first, throttled as a sign-in."""
        check_password(new)
        self.sign_in(name, current, address)
        return self.set_password(name, new)

    def set_clinics(self, name: str, clinics: Iterable[str] | None) -> User:
        """Limit ``name`` to ``clinics`` (None: every clinic), from their next request on."""
        limited = _clinic_set(clinics)
        with self.data.connect() as db:
            if not db.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
                raise NotFound(f"there is no user '{name}'")
            _write_clinics(db, name, limited)
        user = self.get(name)
        assert user is not None
        return user

    def list(self) -> list[User]:
        with self.data.connect() as db:
            rows = db.execute("SELECT name, manager, created FROM users ORDER BY name").fetchall()
            return [_user(db, row) for row in rows]

    def get(self, name: str) -> User | None:
        with self.data.connect() as db:
            row = db.execute(
                "SELECT name, manager, created FROM users WHERE name = ?", (name,)
            ).fetchone()
            return _user(db, row) if row else None

    def sign_in(self, name: str, password: str, client: str) -> User:
        """The user, if the password is right and this (name, address) need not wait.

        Slow on purpose (argon2): the server calls its two steps off the event loop.
        """
        self.begin_sign_in(name, client)
        return self.verify_password(name, password, client).user

    def begin_sign_in(self, name: str, client: str) -> bool:
        """Count a try by ``name`` from ``client``, or refuse it if they must wait (quick).

        Returns whether ``client`` is failing (has recent wrong passwords).
        """
        try:
            return self.throttle.begin(name, client)
        except MustWait as wait:
            raise SignInRefused(
                f"Too many wrong passwords. Wait {wait.seconds} seconds, then try again.",
                wait.seconds,
            ) from None

    def withdraw_sign_in(self, name: str, client: str) -> None:
        """Uncount a try begun by ``begin_sign_in`` whose password was never checked."""
        self.throttle.take_back(name, client)

    def verify_password(self, name: str, password: str, client: str) -> Verified:
        """The second step of ``sign_in``, after ``begin_sign_in``: argon2, 0.2-0.5 s of a CPU."""
        with self.data.connect() as db:
            row = db.execute("SELECT password_hash FROM users WHERE name = ?", (name,)).fetchone()
        stored = row["password_hash"] if row else None
        if not self.passwords.verify(stored, password) or stored is None:
            raise SignInRefused("That user name and password do not match.")
        self.throttle.succeeded(name, client)
        if self.passwords.needs_rehash(stored):
            rehashed = self.passwords.hash(password)
            with self.data.connect() as db:
                if db.execute(
                    "UPDATE users SET password_hash = ? WHERE name = ? AND password_hash = ?",
                    (rehashed, name, stored),
                ).rowcount:
                    stored = rehashed
        user = self.get(name)
        if user is None:  # removed while the password was being checked
            raise SignInRefused("That user name and password do not match.")
        return Verified(user, stored)


def _clinic_set(clinics: Iterable[str] | None) -> frozenset[str] | None:
    if clinics is None:
        return None
    limited = frozenset(clinics)
    if not limited:
        raise InputError("choose at least one clinic (or none to allow every clinic)")
    return limited


def _write_clinics(db: sqlite3.Connection, name: str, clinics: frozenset[str] | None) -> None:
    db.execute("DELETE FROM user_clinics WHERE user = ?", (name,))
    db.executemany(
        "INSERT INTO user_clinics (user, clinic) VALUES (?, ?)",
        [(name, clinic) for clinic in sorted(clinics or ())],
    )


def _user(db: sqlite3.Connection, row: sqlite3.Row) -> User:
    rows = db.execute("SELECT clinic FROM user_clinics WHERE user = ?", (row["name"],))
    clinics = frozenset(clinic for (clinic,) in rows)
    return User(
        row["name"],
        Role.MANAGER if row["manager"] else Role.STAFF,
        row["created"],
        clinics or None,  # no rows: not limited
    )
