"""Sessions kept on the server, named by a signed cookie that also carries a CSRF token.

The cookie holds a random CSRF token and, once signed in, a random session id,
signed with a key kept in the data folder; nothing about a patient. Whether a
session is alive is the server's decision alone: the ``sessions`` table (by the
id's hash, so a copy of the database opens no session) says who it belongs to,
when they signed in and when it was last used. Sign-out, removing the user, a
new password and expiry delete the row, and the same cookie then opens nothing.

A cookie is written only when someone signs in (or first needs a CSRF token for
the sign-in form); nothing ever re-issues a signed-in session or moves its
start, so its lifetime counts from sign-in whatever the browser sends.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.requests import Request
from starlette.responses import Response

from ..deliver.files import FILE_MODE
from .data import DataFolder

COOKIE = "handouts_session"
CSRF_FIELD = "csrf_token"
DEFAULT_LIFETIME = 8 * 3600  # one working day, counted from sign-in
DEFAULT_IDLE = 60 * 60  # a desk left alone for an hour signs out
# Last use is written at most this often, so typing (a preview per pause) is not
# a database write per key press; the idle limit is exact to within this.
SEEN_EVERY = 30

Clock = Callable[[], float]


@dataclass(frozen=True)
class Session:
    """One browser: its CSRF token, and the user and session id once signed in."""

    user: str | None
    csrf: str
    sid: str | None = None

    @classmethod
    def anonymous(cls) -> Session:
        return cls(None, secrets.token_urlsafe(32))

    @classmethod
    def signed_in(cls, user: str, sid: str) -> Session:
        return cls(user, secrets.token_urlsafe(32), sid)

    def csrf_matches(self, token: str) -> bool:
        return bool(token) and hmac.compare_digest(token, self.csrf)


def load_key(path: Path) -> bytes:
    """The signing key, made on first use (restarting the server keeps people signed in)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        key = secrets.token_bytes(32)
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        with os.fdopen(handle, "wb") as stream:
            stream.write(key)
        return key


@dataclass(frozen=True)
class CookieValue:
    """What a cookie says, before the server has checked the session it names."""

    csrf: str
    sid: str | None


class SessionCookies:
    """Reads and writes the signed cookie; knows nothing of whether a session is alive."""

    def __init__(self, key: bytes, lifetime: int = DEFAULT_LIFETIME, secure: bool = False) -> None:
        self._serializer = URLSafeSerializer(key, salt="handouts-session")
        self.lifetime = lifetime
        self.secure = secure

    def read(self, request: Request) -> CookieValue | None:
        raw = request.cookies.get(COOKIE)
        if not raw:
            return None
        try:
            csrf, sid = self._serializer.loads(raw)
        except (BadSignature, ValueError, TypeError):
            return None
        if not isinstance(csrf, str) or not (sid is None or isinstance(sid, str)):
            return None
        return CookieValue(csrf, sid)

    def write(self, response: Response, session: Session) -> None:
        response.set_cookie(
            COOKIE,
            self._serializer.dumps([session.csrf, session.sid]),
            # A signed-in cookie is dropped by the browser when the session would end
            # anyway; the server does not rely on it.
            max_age=self.lifetime if session.sid else None,
            httponly=True,
            samesite="strict",
            secure=self.secure,
            path="/",
        )

    def clear(self, response: Response) -> None:
        response.delete_cookie(COOKIE, path="/", secure=self.secure, httponly=True)


def _hashed(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


class SessionStore:
    """The server's list of live sessions: started at sign-in, ended for good."""

    def __init__(
        self,
        data: DataFolder,
        lifetime: int = DEFAULT_LIFETIME,
        idle: int = DEFAULT_IDLE,
        clock: Clock = time.time,
    ) -> None:
        self.data = data
        self.lifetime = lifetime
        self.idle = idle
        self.clock = clock

    def start(self, user: str, password_hash: str | None = None) -> str | None:
        """A new session for ``user``; its id is returned, only its hash is kept.

        With ``password_hash``, only if that is still the user's password: a
        sign-in whose password was reset (or whose user was removed) while it
        was being checked starts nothing, and None is returned.
        """
        sid = secrets.token_urlsafe(32)
        now = self.clock()
        with self.data.connect() as db:
            db.execute(
                "DELETE FROM sessions WHERE created <= ? OR seen <= ?",
                (now - self.lifetime, now - self.idle),
            )
            started = db.execute(
                "INSERT INTO sessions (id_hash, user, created, seen) SELECT ?, ?, ?, ? "
                "WHERE ? IS NULL OR EXISTS "
                "(SELECT 1 FROM users WHERE name = ? AND password_hash = ?)",
                (_hashed(sid), user, now, now, password_hash, user, password_hash),
            ).rowcount
        return sid if started else None

    def user_of(self, sid: str, *, touch: bool = True) -> str | None:
        """The user of a live session, or None; ``touch`` counts this as use."""
        now = self.clock()
        key = _hashed(sid)
        with self.data.connect() as db:
            row = db.execute(
                "SELECT user, created, seen FROM sessions WHERE id_hash = ?", (key,)
            ).fetchone()
            if row is None:
                return None
            if now - row["created"] >= self.lifetime or now - row["seen"] >= self.idle:
                db.execute("DELETE FROM sessions WHERE id_hash = ?", (key,))
                return None
            if touch and now - row["seen"] >= SEEN_EVERY:
                db.execute("UPDATE sessions SET seen = ? WHERE id_hash = ?", (now, key))
        return str(row["user"])

    def end(self, sid: str) -> None:
        with self.data.connect() as db:
            db.execute("DELETE FROM sessions WHERE id_hash = ?", (_hashed(sid),))

    def end_all(self, user: str) -> int:
        """End every session of ``user`` (removed, or a new password); how many there were."""
        with self.data.connect() as db:
            return db.execute("DELETE FROM sessions WHERE user = ?", (user,)).rowcount

    def count(self, user: str) -> int:
        with self.data.connect() as db:
            return int(
                db.execute("SELECT count(*) FROM sessions WHERE user = ?", (user,)).fetchone()[0]
            )
