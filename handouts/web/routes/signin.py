"""Signing in and out, and what happens when a request may not go on."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ..sessions import Session
from ..users import SignInRefused
from .common import (
    FormRefused,
    NotAllowed,
    SignInNeeded,
    checked_form,
    page,
    session,
    text,
    web,
)


def _client(request: Request) -> str:
    # Behind a reverse proxy uvicorn puts the forwarded address here (--forwarded-allow-ips).
    return request.client.host if request.client else "unknown"


async def signin_form(request: Request) -> Response:
    current = session(request)
    if current is not None and current.user and web(request).users.get(current.user):
        return RedirectResponse("/", status_code=303)
    return _signin_page(request, current or Session.anonymous())


def _signin_page(
    request: Request, current: Session, problem: str = "", status_code: int = 200, name: str = ""
) -> Response:
    response = page(request, "signin.html", current, None, status_code, problem=problem, name=name)
    web(request).cookies.write(response, current)
    return response


async def signin(request: Request) -> Response:
    current = session(request)
    if current is None:
        raise FormRefused
    form = await checked_form(request, current)
    name = text(form, "name")
    password = form.get("password")
    try:
        user = web(request).users.sign_in(
            name, password if isinstance(password, str) else "", _client(request)
        )
    except SignInRefused as refused:
        status = 429 if refused.wait else 401
        return _signin_page(request, current, str(refused), status, name)
    response = RedirectResponse("/", status_code=303)
    web(request).cookies.write(response, Session.signed_in(user.name))
    return response


async def signout(request: Request) -> Response:
    current = session(request)
    if current is not None:
        await checked_form(request, current)
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


async def _not_allowed(request: Request, exc: Exception) -> Response:
    current = session(request) or Session.anonymous()
    user = web(request).users.get(current.user) if current.user else None
    return page(
        request,
        "message.html",
        current,
        user,
        403,
        heading="For managers only",
        message="This page is for managers. Ask a manager to do this, or to make you one.",
    )


async def _form_refused(request: Request, exc: Exception) -> Response:
    return Response(
        "This form has expired or did not come from this site, so nothing was done. "
        "Go back, reload the page and try again.",
        status_code=403,
        media_type="text/plain",
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return Response(exc.detail, status_code=exc.status_code, media_type="text/plain")


exception_handlers = {
    SignInNeeded: _sign_in_needed,
    NotAllowed: _not_allowed,
    FormRefused: _form_refused,
    HTTPException: _http_error,
}

routes = [
    Route("/signin", signin_form, methods=["GET"]),
    Route("/signin", signin, methods=["POST"]),
    Route("/signout", signout, methods=["POST"]),
]
