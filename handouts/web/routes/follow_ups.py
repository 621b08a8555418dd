"""The stop link in every follow-up message: no sign-in, the link's token is the key.

GET shows a button (mail scanners open links, and must not stop anything);
POST stops the rest of that handout's messages, and is also what a mail
program's one-click "unsubscribe" sends (RFC 8058). An unknown token gets the
same answer as a known one, so the page tells nobody whether a token exists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...follow_ups.outbox import CancelReason, FollowUpRow, FollowUpState, Outbox
from .common import checked_form, page, signed_in, text, web

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


# --- staff: what is scheduled, and stopping it --------------------------------


@dataclass(frozen=True)
class _Group:
    token: str
    patient: str
    recipient: str
    rows: list[FollowUpRow]


@dataclass(frozen=True)
class _Outcome:
    ok: bool
    message: str


def _scheduled(request: Request) -> list[_Group]:
    with Outbox(web(request).settings.data_dir) as outbox:
        rows = outbox.rows([FollowUpState.SCHEDULED])
    groups: dict[str, _Group] = {}
    for row in rows:
        group = groups.setdefault(row.handout, _Group(row.handout, row.patient, row.recipient, []))
        group.rows.append(row)
    return list(groups.values())


async def scheduled_page(request: Request, outcome: _Outcome | None = None) -> Response:
    current, user = signed_in(request)
    groups = await run_in_threadpool(_scheduled, request)
    return page(request, "follow_ups.html", current, user, handouts=groups, outcome=outcome)


async def staff_cancel(request: Request) -> Response:
    current, _user = signed_in(request)
    form = await checked_form(request, current)
    token = text(form, "handout")[:MAX_TOKEN]

    def cancel() -> int:
        with Outbox(web(request).settings.data_dir) as outbox:
            return outbox.cancel_handout(token, CancelReason.STAFF, dt.datetime.now(dt.UTC))

    count = await run_in_threadpool(cancel) if token else 0
    plural = "message" if count == 1 else "messages"
    return await scheduled_page(request, _Outcome(count > 0, f"Stopped {count} {plural}."))


routes = [
    Route("/follow-ups", scheduled_page, methods=["GET"]),
    Route("/follow-ups/cancel", staff_cancel, methods=["POST"]),
    Route("/follow-ups/stop/{token}", ask_to_stop, methods=["GET"]),
    Route("/follow-ups/stop/{token}", stop, methods=["POST"]),
]
