"""Signed session cookies with an expiry, and a CSRF token for every form.

The cookie holds only the user's name, when they signed in and a random CSRF
token, signed with a key kept in the data folder; nothing about a patient.
Every visitor gets one (the sign-in form needs a CSRF token too), and signing
in replaces it with a fresh one so a token seen before sign-in is worthless.
"""

from __future__ import annotations

import hmac
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from ..deliver.files import FILE_MODE

COOKIE = "handouts_session"
CSRF_FIELD = "csrf_token"
DEFAULT_LIFETIME = 8 * 3600  # one working day


@dataclass(frozen=True)
class Session:
    user: str | None
    csrf: str
    signed_in_at: float

    @classmethod
    def anonymous(cls) -> Session:
        return cls(None, secrets.token_urlsafe(32), time.time())

    @classmethod
    def signed_in(cls, user: str) -> Session:
        return cls(user, secrets.token_urlsafe(32), time.time())

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


class SessionCookies:
    def __init__(self, key: bytes, lifetime: int = DEFAULT_LIFETIME, secure: bool = False) -> None:
        self._serializer = URLSafeTimedSerializer(key, salt="handouts-session")
        self.lifetime = lifetime
        self.secure = secure

    def read(self, request: Request) -> Session | None:
        raw = request.cookies.get(COOKIE)
        if not raw:
            return None
        try:
            user, csrf, at = self._serializer.loads(raw, max_age=self.lifetime)
        except (BadSignature, ValueError, TypeError):
            return None
        return Session(user, csrf, at)

    def write(self, response: Response, session: Session) -> None:
        response.set_cookie(
            COOKIE,
            self._serializer.dumps([session.user, session.csrf, session.signed_in_at]),
            max_age=self.lifetime,
            httponly=True,
            samesite="strict",
            secure=self.secure,
            path="/",
        )

    def clear(self, response: Response) -> None:
        response.delete_cookie(COOKIE, path="/")
