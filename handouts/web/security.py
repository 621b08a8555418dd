"""Headers every response carries, and limits on what a request may send.

Pure ASGI middleware: it sees every response, including errors and static files.
"""

from __future__ import annotations

import logging

from starlette.convertors import IntegerConvertor, register_url_convertor
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

# No inline script or style anywhere, so none is allowed; previews are data: images.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}
# Pages and files carry patient names unless they are the static assets.
NO_STORE = "no-store"

HSTS = "max-age=31536000"  # a year: browsers then refuse plain HTTP to this host

MAX_BODY_BYTES = 4 * 1024 * 1024  # a day's CSV is a few kB; a form far less


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")
        # Behind TLS (the scheme as the server took it from a trusted proxy's headers).
        tls = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers[name] = value
                if not static:
                    headers["cache-control"] = NO_STORE
                if tls:
                    headers["strict-transport-security"] = HSTS
                    _secure_cookies(message)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _secure_cookies(message: Message) -> None:
    """Mark every cookie Secure, so none (the clinic choice included) travels in clear."""
    fixed = []
    for name, value in message["headers"]:
        if name.lower() == b"set-cookie" and b"secure" not in value.lower():
            value = value + b"; Secure"  # noqa: PLW2901
        fixed.append((name, value))
    message["headers"] = fixed


class BoundedInt(IntegerConvertor):
    """Path numbers of at most 18 digits: a longer one is no record here (404), not an overflow."""

    regex = "[0-9]{1,18}"


# Before any route is made: every "{name:int}" in a path uses it.
register_url_convertor("int", BoundedInt())


class BodyTooLarge(Exception):
    pass


class BodyLimit:
    """Refuses a body over ``limit`` bytes, by its Content-Length or as it streams in."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > self.limit:
                await _too_large(send, self.limit)
                return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge
            return message

        try:
            await self.app(scope, counting_receive, send)
        except BodyTooLarge:
            await _too_large(send, self.limit)


async def _too_large(send: Send, limit: int) -> None:
    text = f"The request is larger than {limit // (1024 * 1024)} MB, which this server refuses."
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"text/plain; charset=utf-8")],
        }
    )
    await send({"type": "http.response.body", "body": text.encode()})


class QuietErrors:
    """A bug answers 500 and is logged by its type only.

    The server's default would log the whole traceback, and an exception's
    message can quote what it was working on, such as a patient's name.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as error:
            log.error("%s %s failed: %s", scope["method"], scope["path"], type(error).__name__)
            if started:
                return  # too late for another answer; the client sees a cut-off response
            text = (
                b"Something went wrong on the server. Try again; "
                b"if it happens again, tell whoever runs it."
            )
            await send(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8")],
                }
            )
            await send({"type": "http.response.body", "body": text})
