"""The web server's middleware on a small app of its own: headers, size limit, quiet errors.

Requests go straight to the ASGI app, so a body can arrive in pieces without
announcing its length, as a chunked upload does.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from handouts.web.security import BodyLimit, QuietErrors, SecurityHeaders
from tests.support.loop import run_alone

NAME = "Quietly Failing Patient"


async def fails(request: Request) -> PlainTextResponse:
    raise ValueError(f"could not make the handout for {NAME}")


async def echo(request: Request) -> PlainTextResponse:
    return PlainTextResponse(str(len(await request.body())))


APP = Starlette(
    routes=[Route("/fails", fails), Route("/echo", echo, methods=["POST"])],
    middleware=[
        Middleware(SecurityHeaders),
        Middleware(QuietErrors),
        Middleware(BodyLimit, limit=1000),
    ],
)


def call(
    method: str,
    path: str,
    chunks: tuple[bytes, ...] = (),
    length: int | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of one request; the body arrives in ``chunks``."""
    headers = [(b"content-length", str(length).encode())] if length is not None else []
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": headers,
        "scheme": "http",
        "server": ("127.0.0.1", 80),
        "client": ("127.0.0.1", 5000),
    }
    pieces = [*chunks] or [b""]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if pieces:
            body = pieces.pop(0)
            return {"type": "http.request", "body": body, "more_body": bool(pieces)}
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    run_alone(APP(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, body


def test_a_bug_answers_500_and_logs_no_patient(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        status, headers, body = call("GET", "/fails")
    assert status == 500
    assert NAME.encode() not in body
    assert "GET /fails failed: ValueError" in caplog.text
    assert NAME not in caplog.text
    assert headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]


def test_a_body_at_the_limit_is_read() -> None:
    assert call("POST", "/echo", (b"x" * 1000,), length=1000)[::2] == (200, b"1000")


def test_an_announced_body_over_the_limit_is_refused_unread() -> None:
    assert call("POST", "/echo", (b"x" * 1001,), length=1001)[0] == 413


def test_a_streamed_body_over_the_limit_is_refused() -> None:
    assert call("POST", "/echo", (b"x" * 300,) * 5)[0] == 413
