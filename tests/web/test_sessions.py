"""Session cookies expire, and cannot be forged or carried to another server's key."""

from __future__ import annotations

import time

from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from starlette.requests import Request

from handouts.web.sessions import COOKIE, DEFAULT_LIFETIME, SessionCookies

KEY = b"k" * 32


def request_with(cookie: str) -> Request:
    headers = [(b"cookie", f"{COOKIE}={cookie}".encode())]
    return Request({"type": "http", "headers": headers, "method": "GET", "path": "/"})


def signed(key: bytes, seconds_ago: float) -> str:
    class Then(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time() - seconds_ago)

    serializer = URLSafeTimedSerializer(key, salt="handouts-session", signer=Then)
    return serializer.dumps(["frontdesk", "token", time.time() - seconds_ago])


def test_a_fresh_session_is_read() -> None:
    session = SessionCookies(KEY).read(request_with(signed(KEY, 60)))
    assert session is not None
    assert session.user == "frontdesk"


def test_a_session_older_than_its_lifetime_is_refused() -> None:
    assert SessionCookies(KEY).read(request_with(signed(KEY, DEFAULT_LIFETIME + 5))) is None


def test_a_cookie_signed_with_another_key_is_refused() -> None:
    assert SessionCookies(KEY).read(request_with(signed(b"x" * 32, 60))) is None


def test_a_tampered_cookie_is_refused() -> None:
    cookie = signed(KEY, 60)
    forged = cookie[:5] + ("A" if cookie[5] != "A" else "B") + cookie[6:]  # one payload letter
    assert SessionCookies(KEY).read(request_with(forged)) is None
