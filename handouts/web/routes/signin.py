"""Signing in and out, and what happens when a request may not go on."""

from __future__ import annotations

import functools

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ..lanes import LaneFull
from ..sessions import Session
from ..users import SignInRefused, Verified
from .common import (
    ClinicRefused,
    FormRefused,
    NotAllowed,
    SignInNeeded,
    checked_form,
    page,
    session,
    text,
    web,
)

BUSY_WAIT = 5  # seconds a sign-in refused for a full lane is asked to wait


def client_address(request: Request) -> str:
    # A trusted proxy's X-Forwarded-For has been applied here already (app.py);
    # from anyone else the header is ignored.
    return request.client.host if request.client else "unknown"


async def verify_sign_in(request: Request, name: str, password: str) -> Verified:
    """``UserStore.sign_in`` in two steps, both off the event loop.

    The throttle's check is quick and answers a guesser who must wait at once;
    argon2 takes a CPU for 0.2-0.5 s, so on the loop it would stop every other
    request (static files too) meanwhile: it runs a few at a time in worker
    threads, and the rest wait without holding a thread, in two lanes
    (``lanes.py``): an address with recent wrong passwords waits behind every
    address without, so nobody's failures delay a right password from elsewhere.
    """
    users, address = web(request).users, client_address(request)
    failing = await run_in_threadpool(users.begin_sign_in, name, address)
    check = functools.partial(users.verify_password, name, password, address)
    try:
        async with web(request).password_lanes.turn(failing=failing):
            return await run_in_threadpool(check)
    except LaneFull:
        # Refused before its password was checked: not counted as a wrong one.
        await run_in_threadpool(users.withdraw_sign_in, name, address)
        raise SignInRefused(
            f"Many sign-ins are being checked just now. Wait {BUSY_WAIT} seconds, then try again.",
            BUSY_WAIT,
        ) from None


async def signin_form(request: Request) -> Response:
    current = session(request)
    if current is not None and current.user:
        return RedirectResponse("/", status_code=303)
    if current is None:  # the first visit: a CSRF token for the form, no session yet
        return _signin_page(request, Session.anonymous(), new_cookie=True)
    return _signin_page(request, current)


def _signin_page(
    request: Request,
    current: Session,
    problem: str = "",
    status_code: int = 200,
    name: str = "",
    *,
    new_cookie: bool = False,
) -> Response:
    changed = request.query_params.get("changed") == "1"
    response = page(
        request,
        "signin.html",
        current,
        None,
        status_code,
        problem=problem,
        name=name,
        changed=changed and not problem,
    )
    if new_cookie:  # never re-issue a cookie the browser already has
        web(request).cookies.write(response, current)
    return response


async def signin(request: Request) -> Response:
    current = session(request)
    if current is None:
        raise FormRefused
    form = await checked_form(request, current)
    name = text(form, "name")
    password = form.get("password")
    sessions = web(request).sessions
    try:
        verified = await verify_sign_in(
            request, name, password if isinstance(password, str) else ""
        )
        sid = sessions.start(verified.user.name, verified.password_hash)
        if sid is None:  # reset or removed while the password was being checked
            raise SignInRefused("That user name and password do not match.")
    except SignInRefused as refused:
        # The cookie is left as it is: a failed sign-in neither ends nor prolongs anything.
        status = 429 if refused.wait else 401
        return _signin_page(request, current, str(refused), status, name)
    if current.sid:  # signing in again (or as someone else) ends this browser's old session
        sessions.end(current.sid)
    response = RedirectResponse("/", status_code=303)
    web(request).cookies.write(response, Session.signed_in(verified.user.name, sid))
    return response


async def signout(request: Request) -> Response:
    current = session(request)
    if current is not None:
        await checked_form(request, current)
        if current.sid:
            web(request).sessions.end(current.sid)
    response = RedirectResponse("/signin", status_code=303)
    web(request).cookies.clear(response)
    return response


def _wants_html(request: Request) -> bool:
    return request.headers.get("x-requested-with") != "preview"


async def _sign_in_needed(request: Request, exc: Exception) -> Response:
    if request.method == "GET" and _wants_html(request):
        return RedirectResponse("/signin", status_code=303)
    return Response(
        "You are not signed in (or your session has expired). Sign in again.",
        status_code=401,
        media_type="text/plain",
    )


def _refused_page(request: Request, heading: str, message: str) -> Response:
    """A 403 page in the site's frame, for whoever is signed in."""
    current = session(request) or Session.anonymous()
    user = web(request).users.get(current.user) if current.user else None
    return page(request, "message.html", current, user, 403, heading=heading, message=message)


async def _not_allowed(request: Request, exc: Exception) -> Response:
    return _refused_page(
        request,
        "For managers only",
        "This page is for managers. Ask a manager to do this, or to make you one.",
    )


async def _form_refused(request: Request, exc: Exception) -> Response:
    return Response(
        "This form has expired or did not come from this site, so nothing was done. "
        "Go back, reload the page and try again.",
        status_code=403,
        media_type="text/plain",
    )


async def _clinic_refused(request: Request, exc: Exception) -> Response:
    return _refused_page(
        request,
        "Not one of your clinics",
        "Your account is for other clinics, so nothing was done. Choose one of your "
        "clinics, or ask a manager to give you this one.",
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return Response(exc.detail, status_code=exc.status_code, media_type="text/plain")


exception_handlers = {
    SignInNeeded: _sign_in_needed,
    NotAllowed: _not_allowed,
    FormRefused: _form_refused,
    ClinicRefused: _clinic_refused,
    HTTPException: _http_error,
}

routes = [
    Route("/signin", signin_form, methods=["GET"]),
    Route("/signin", signin, methods=["POST"]),
    Route("/signout", signout, methods=["POST"]),
]
