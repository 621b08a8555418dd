"""The stop link in every follow-up message: no sign-in, the link's token is the key.

GET shows a button (mail scanners open links, and must not stop anything);
POST stops the rest of that handout's messages, and is also what a mail
program's one-click "unsubscribe" sends (RFC 8058). An unknown token gets the
same answer as a known one, so the page tells nobody whether a token exists.
"""

from __future__ import annotations

import datetime as dt

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...follow_ups.outbox import CancelReason, Outbox
from .common import web

MAX_TOKEN = 64


def _answer(request: Request, heading: str, message: str, ask: bool, status: int = 200) -> Response:
    return web(request).templates.TemplateResponse(
        request,
        "follow_ups_stop.html",
        {"heading": heading, "message": message, "ask": ask},
        status_code=status,
        headers={"cache-control": "no-store", "referrer-policy": "no-referrer"},
    )


async def ask_to_stop(request: Request) -> Response:
    return _answer(
        request,
        "Stop follow-up messages?",
        "Press the button to get no more follow-up messages about this treatment.",
        ask=True,
    )


def _stop(request: Request, token: str) -> int:
    if not token or len(token) > MAX_TOKEN:
        return 0
    with Outbox(web(request).settings.data_dir) as outbox:
        return outbox.cancel_handout(token, CancelReason.PATIENT, dt.datetime.now(dt.UTC))


async def stop(request: Request) -> Response:
    await run_in_threadpool(_stop, request, request.path_params["token"])
    return _answer(
        request,
        "No more follow-up messages",
        "You will get no more follow-up messages about this treatment. "
        "Your clinic is still glad to hear from you if you have any questions.",
        ask=False,
    )


routes = [
    Route("/follow-ups/stop/{token}", ask_to_stop, methods=["GET"]),
    Route("/follow-ups/stop/{token}", stop, methods=["POST"]),
]
