"""Today's handouts, for managers, with print and email again."""

from __future__ import annotations

import datetime as dt

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .common import checked_form, page, signed_in, text, web
from .handout import Outcome, email_again, print_again


def _history_page(request: Request, outcome: Outcome | None = None, status: int = 200) -> Response:
    current, user = signed_in(request, manager=True)
    entries = web(request).history.day(dt.date.today())
    return page(
        request,
        "history.html",
        current,
        user,
        status,
        entries=entries,
        outcome=outcome,
        today=dt.date.today(),
    )


async def history(request: Request) -> Response:
    return _history_page(request)


async def again(request: Request) -> Response:
    current, user = signed_in(request, manager=True)
    form = await checked_form(request, current)
    entry = web(request).history.get(int(request.path_params["entry"]))
    if entry is None:
        raise HTTPException(404, "There is no such entry in the history.")
    action = text(form, "action")
    if action == "print":
        outcome = await run_in_threadpool(
            print_again, request, user, entry.id, text(form, "printer")
        )
    elif action == "email":
        outcome = await run_in_threadpool(email_again, request, user, entry.id, entry.email or "")
    else:
        outcome = Outcome(False, "Choose Print again or Email again.")
    return _history_page(request, outcome, 200 if outcome.ok else 422)


routes = [
    Route("/history", history, methods=["GET"]),
    Route("/history/{entry:int}", again, methods=["POST"]),
]
