"""One answer for every error staff can fix: a plain page with the message and the right status.

A route catches what it can say something useful about in its own page (a
bad date on the form); anything else that is a ``HandoutError`` or a clinic's
broken template ends here instead of as a bare "500", and so does a file the
server cannot read or write (a full disk: 503). Only the error's type is
logged: its message can quote what it was working on.
"""

from __future__ import annotations

import logging

import jinja2
from starlette.requests import Request
from starlette.responses import Response

from ..errors import ContentError, DeliveryError, HandoutError, NotFound, ResourceRefused
from ..messages import error_message
from .routes.common import page, session, web
from .sessions import Session

log = logging.getLogger(__name__)

# (status, heading, what to do): the first entry the error is an instance of wins.
_KINDS: list[tuple[type[Exception], int, str, str]] = [
    (NotFound, 404, "Not found", "Check the name and try again."),
    (
        ContentError,
        500,
        "A content file has a problem",
        "Nothing was made. Ask whoever looks after the clinic's files to fix the file named "
        "above; other clinics and procedures can still be used.",
    ),
    (
        ResourceRefused,
        500,
        "A content file has a problem",
        "Nothing was made. Ask whoever looks after the clinic's files to fix the file named above.",
    ),
    (
        jinja2.TemplateError,
        500,
        "A handout template has a problem",
        "Nothing was made. Ask whoever looks after the clinic's templates to fix the line named "
        "above; other clinics can still be used.",
    ),
    (
        DeliveryError,
        502,
        "Not delivered",
        "Check the printer or the email settings, then try again.",
    ),
    (HandoutError, 422, "That did not work", "Go back, correct it and try again."),
    (
        OSError,
        503,
        "The server could not read or write its files",
        "Nothing was changed. Try again in a moment; if it happens again, tell whoever runs "
        "the server (the disk may be full).",
    ),
]


def describe(error: Exception) -> tuple[int, str, str]:
    """(status, heading, advice) for an error staff can fix."""
    for kind, status, heading, advice in _KINDS:
        if isinstance(error, kind):
            return status, heading, advice
    return 422, "That did not work", "Go back, correct it and try again."


async def staff_can_fix(request: Request, exc: Exception) -> Response:
    status, heading, advice = describe(exc)
    log.warning("%s %s refused: %s", request.method, request.url.path, type(exc).__name__)
    message = error_message(exc)
    current = session(request) or Session.anonymous()
    user = web(request).users.get(current.user) if current.user else None
    if request.headers.get("x-requested-with") == "preview":
        # The front page's script puts this in the preview area, not a whole page.
        return page(request, "preview.html", current, user, status, previews=[], problem=message)
    return page(
        request,
        "message.html",
        current,
        user,
        status,
        heading=heading,
        message=message,
        advice=advice,
    )


exception_handlers = {
    HandoutError: staff_can_fix,
    jinja2.TemplateError: staff_can_fix,
    OSError: staff_can_fix,
}
