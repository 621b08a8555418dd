"""What every route needs: who is signed in, the CSRF check, and rendering a page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from ...inputs.limits import TooLong, check_field
from ..sessions import CSRF_FIELD, Session
from ..users import User

if TYPE_CHECKING:
    from ..app import Web

MAX_FORM_PART = 64 * 1024
MAX_UPLOAD = 2 * 1024 * 1024


class SignInNeeded(Exception):
    """No valid session: pages send people to the sign-in form, scripts get 401."""


class NotAllowed(Exception):
    """Signed in, but this part is for managers."""


class FormRefused(Exception):
    """A form without the right CSRF token: stale, or not from our own page."""


class ClinicRefused(Exception):
    """Signed in, but this user is limited to other clinics."""


def check_clinic(user: User, clinic_id: str) -> None:
    """Refuse (403) a clinic the user is not limited to; an empty id is the default clinic."""
    if clinic_id and not user.may_use(clinic_id):
        raise ClinicRefused


def web(request: Request) -> Web:
    shared: Web = request.app.state.web
    return shared


def session(request: Request, *, touch: bool = False) -> Session | None:
    """This browser's session, None without a valid cookie.

    A cookie whose server-side session has ended (signed out, expired, user
    removed or given a new password) reads as not signed in, whatever it says.
    Only ``touch`` counts the request as use for the idle limit: sign-in
    pages never keep a session alive.
    """
    cookie = web(request).cookies.read(request)
    if cookie is None:
        return None
    user = web(request).sessions.user_of(cookie.sid, touch=touch) if cookie.sid else None
    return Session(user, cookie.csrf, cookie.sid if user else None)


def signed_in(request: Request, *, manager: bool = False) -> tuple[Session, User]:
    current = session(request, touch=True)
    if current is None or current.user is None:
        raise SignInNeeded
    user = web(request).users.get(current.user)
    if user is None:  # removed since signing in (its sessions went with it)
        raise SignInNeeded
    if manager and not user.is_manager:
        raise NotAllowed
    return current, user


async def checked_form(request: Request, current: Session) -> FormData:
    """The posted form, if it carries this session's CSRF token and no field is over its limit."""
    form = await request.form(max_files=1, max_fields=30, max_part_size=MAX_FORM_PART)
    token = form.get(CSRF_FIELD)
    if not isinstance(token, str) or not current.csrf_matches(token):
        raise FormRefused
    check_fields(form)
    return form


def check_fields(form: FormData) -> None:
    """Refuse (422) a form whose text fields are longer than the limits the page states.

    The page's ``maxlength`` only guides a browser; work per request is
    bounded here, before anything is rendered.
    """
    for name, value in form.multi_items():
        if isinstance(value, str) and name != CSRF_FIELD:
            try:
                check_field(name, value)
            except TooLong as error:
                raise HTTPException(422, str(error)) from None


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def page(
    request: Request,
    template: str,
    current: Session,
    user: User | None,
    status_code: int = 200,
    **context: Any,
) -> Response:
    response = web(request).templates.TemplateResponse(
        request,
        template,
        {"csrf_token": current.csrf, "csrf_field": CSRF_FIELD, "user": user, **context},
        status_code=status_code,
    )
    return response
