"""Your own password, and the managers' page of users: add, reset, limit to clinics, remove."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ...errors import HandoutError
from ..sessions import Session
from ..users import Role, SignInRefused, User, check_password
from .common import ClinicRefused, NotAllowed, checked_form, page, signed_in, text, web
from .signin import verify_sign_in


def _password_page(
    request: Request, current: Session, user: User, problem: str = "", status: int = 200
) -> Response:
    return page(request, "account.html", current, user, status, problem=problem)


async def account_page(request: Request) -> Response:
    current, user = signed_in(request)
    return _password_page(request, current, user)


async def change_password(request: Request) -> Response:
    current, user = signed_in(request)
    form = await checked_form(request, current)
    new, again = _posted(form, "new_password"), _posted(form, "new_password_again")
    if new != again:
        return _password_page(request, current, user, "The two new passwords differ.", 422)
    try:
        check_password(new)
        # The current password is checked as a sign-in is (throttled, off the loop).
        await verify_sign_in(request, user.name, _posted(form, "current_password"))
        web(request).users.set_password(user.name, new)
    except SignInRefused as refused:
        status = 429 if refused.wait else 422
        message = str(refused) if refused.wait else "Your current password is not right."
        return _password_page(request, current, user, message, status)
    except HandoutError as error:
        return _password_page(request, current, user, _sentence(error), 422)
    # Every session of this user ended with the change, this one too.
    response = RedirectResponse("/signin?changed=1", status_code=303)
    web(request).cookies.clear(response)
    return response


def _posted(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _sentence(error: Exception) -> str:
    words = str(error)
    return words[:1].upper() + words[1:] + ("" if words.endswith(".") else ".")


# The managers' page.


def _manager(request: Request) -> tuple[Session, User]:
    return signed_in(request, manager=True)


def _clinic_choices(request: Request, manager: User) -> list[tuple[str, str]]:
    """(id, name) of the clinics this manager may hand out."""
    return [(c.id, c.name) for c in web(request).store.clinics() if manager.may_use(c.id)]


def _users_page(
    request: Request,
    current: Session,
    manager: User,
    problem: str = "",
    done: str = "",
    status: int = 200,
) -> Response:
    everyone = web(request).users.list()
    return page(
        request,
        "users.html",
        current,
        manager,
        status,
        people=[person for person in everyone if manager.may_manage(person)],
        clinics=_clinic_choices(request, manager),
        clinic_names={clinic.id: clinic.name for clinic in web(request).store.clinics()},
        problem=problem,
        done=done,
    )


async def users_page(request: Request) -> Response:
    current, manager = _manager(request)
    return _users_page(request, current, manager)


def _chosen_clinics(request: Request, form: FormData, manager: User) -> frozenset[str] | None:
    """The clinics ticked in the form, None for every clinic; only ones the manager has."""
    allowed = {clinic_id for clinic_id, _ in _clinic_choices(request, manager)}
    chosen = frozenset(v for v in form.getlist("clinic") if isinstance(v, str))
    every = bool(text(form, "all_clinics")) and manager.clinics is None
    if every and chosen:  # ticked both: which one was meant cannot be told
        raise _Problem(
            "Tick either Every clinic or some clinics, not both: untick Every clinic to "
            "limit someone to the clinics ticked."
        )
    if every:
        return None
    if not chosen:
        raise _Problem("Tick at least one clinic, or Every clinic.")
    if not chosen <= allowed:
        raise ClinicRefused
    return chosen


class _Problem(Exception):
    pass


async def add_user(request: Request) -> Response:
    current, manager = _manager(request)
    form = await checked_form(request, current)
    name = text(form, "name")
    role = Role.MANAGER if text(form, "role") == "manager" else Role.STAFF
    try:
        if role is Role.MANAGER and manager.clinics is not None:
            raise _Problem("Only a manager of every clinic can add a manager.")
        clinics = _chosen_clinics(request, form, manager)
        if _posted(form, "password") != _posted(form, "password_again"):
            raise _Problem("The two passwords differ.")
        web(request).users.add(name, _posted(form, "password"), role, clinics)
    except _Problem as problem:
        return _users_page(request, current, manager, str(problem), status=422)
    except HandoutError as error:
        return _users_page(request, current, manager, _sentence(error), status=422)
    return _users_page(request, current, manager, done=f"Added {name}. Tell them their password.")


def _managed(request: Request, manager: User) -> User:
    person = web(request).users.get(request.path_params["name"])
    if person is None:
        raise HTTPException(404, "There is no such user.")
    if not manager.may_manage(person):
        raise NotAllowed
    return person


async def reset_password(request: Request) -> Response:
    current, manager = _manager(request)
    form = await checked_form(request, current)
    person = _managed(request, manager)
    try:
        if _posted(form, "password") != _posted(form, "password_again"):
            raise _Problem("The two passwords differ.")
        web(request).users.set_password(person.name, _posted(form, "password"))
    except _Problem as problem:
        return _users_page(request, current, manager, str(problem), status=422)
    except HandoutError as error:
        return _users_page(request, current, manager, _sentence(error), status=422)
    return _users_page(
        request,
        current,
        manager,
        done=f"New password set for {person.name}; they were signed out everywhere. "
        "Tell them the new password.",
    )


async def limit_clinics(request: Request) -> Response:
    current, manager = _manager(request)
    form = await checked_form(request, current)
    person = _managed(request, manager)
    try:
        clinics = _chosen_clinics(request, form, manager)
    except _Problem as problem:
        return _users_page(request, current, manager, str(problem), status=422)
    web(request).users.set_clinics(person.name, clinics)
    return _users_page(request, current, manager, done=f"Clinics saved for {person.name}.")


async def remove_user(request: Request) -> Response:
    current, manager = _manager(request)
    await checked_form(request, current)
    person = _managed(request, manager)
    web(request).users.remove(person.name)
    return _users_page(
        request, current, manager, done=f"Removed {person.name}; they were signed out everywhere."
    )


routes = [
    Route("/account", account_page, methods=["GET"]),
    Route("/account/password", change_password, methods=["POST"]),
    Route("/users", users_page, methods=["GET"]),
    Route("/users", add_user, methods=["POST"]),
    Route("/users/{name}/password", reset_password, methods=["POST"]),
    Route("/users/{name}/clinics", limit_clinics, methods=["POST"]),
    Route("/users/{name}/remove", remove_user, methods=["POST"]),
]
