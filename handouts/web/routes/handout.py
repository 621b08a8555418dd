"""The main page: one handout, previewed, downloaded, printed or emailed."""

from __future__ import annotations

import base64
import contextlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ... import service
from ...content.approval import DraftRefused
from ...content.catalogs import language_name
from ...content.store import ContentStore
from ...deliver.printing import known_printers
from ...errors import HandoutError, InputError
from ...inputs import clock
from ...inputs.clock import parse_time
from ...inputs.dates import parse_date, spelled_out
from ...messages import error_message
from .. import advice
from ..history import Action
from ..sessions import Session
from ..users import User
from .common import checked_form, page, signed_in, text, web

CLINIC_COOKIE = "handouts_clinic"  # which clinic this browser uses; not health data
MAX_COPIES = 20


@dataclass(frozen=True)
class Outcome:
    """What an action did, in words for the person at the desk."""

    ok: bool
    message: str


@dataclass(frozen=True)
class HandoutForm:
    clinic: str
    protocol: str
    patient: str
    date: str
    time: str
    email: str
    printer: str
    copies: str
    language: str = ""  # empty: the procedure's own language

    @classmethod
    def read(cls, form: FormData) -> HandoutForm:
        return cls(*(text(form, name) for name in cls.__dataclass_fields__))

    def request(self) -> service.HandoutRequest:
        if not self.protocol:
            raise InputError("Choose a procedure.")
        procedure_date = parse_date(self.date, "Procedure date") if self.date else None
        procedure_time = parse_time(self.time, "Procedure time") if self.time else None
        if procedure_time and not procedure_date:
            raise InputError("Procedure time: give the procedure date too.")
        return service.HandoutRequest(
            self.protocol,
            self.clinic or None,
            self.patient or None,
            procedure_date,
            procedure_time=procedure_time,
            language=self.language or None,
        )

    def copy_count(self) -> int:
        try:
            copies = int(self.copies or "1")
        except ValueError:
            copies = 0
        if not 1 <= copies <= MAX_COPIES:
            raise InputError(f"Copies must be a whole number from 1 to {MAX_COPIES}.")
        return copies


def _languages(store: ContentStore) -> list[tuple[str, str]]:
    """(code, name) of every language some protocol has, named in that language and English."""
    codes = sorted({code for pid in store.protocol_ids() for code in store.protocol_languages(pid)})
    return [(code, language_name(code)) for code in codes]


def _choices(request: Request, form: HandoutForm) -> dict[str, object]:
    store = web(request).store
    protocols = sorted(store.protocols(), key=lambda p: p.title.casefold())
    drafts = {p.id for p in protocols if not service.approval(store, p.id).approved}
    return {
        "clinics": store.clinics(),
        # Drafts apart and marked, so nobody picks one for a patient without seeing it;
        # a draft a clinician signed off (as it is now) counts as reviewed.
        "reviewed": [p for p in protocols if p.id not in drafts],
        "drafts": [p for p in protocols if p.id in drafts],
        "printers": known_printers(),
        "languages": _languages(store),
        "date_spelled": _date_spelled(request, form),
        "today": clock.today().isoformat(),  # the server's, for the page's "days ago"
    }


def _date_spelled(request: Request, form: HandoutForm) -> str:
    """The date as understood, with weekday and month name, the way the clinic writes dates."""
    try:
        date = parse_date(form.date, "Procedure date") if form.date else None
        clinic = web(request).store.clinic(form.clinic or None)
    except HandoutError:
        return ""
    return spelled_out(date, clinic.date_style) if date else ""


def _blank_form(request: Request, kept: HandoutForm | None = None) -> HandoutForm:
    """An empty form: no procedure chosen, so nobody gives the first one by default.

    ``kept`` is the form of the patient before, for Next patient: the clinic,
    printer and date stay, everything about the patient goes.
    """
    store = web(request).store
    if kept is not None:
        return HandoutForm(kept.clinic, "", "", kept.date, "", "", kept.printer, "1")
    remembered = request.cookies.get(CLINIC_COOKIE, "")
    clinic = remembered if remembered in store.clinic_ids() else store.default_clinic_id
    return HandoutForm(clinic, "", "", clock.today().isoformat(), "", "", "", "1")


def _main_page(
    request: Request,
    current: Session,
    user: User,
    form: HandoutForm,
    outcome: Outcome | None = None,
    previews: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    response = page(
        request,
        "handout.html",
        current,
        user,
        status_code,
        form=form,
        outcome=outcome,
        previews=previews or [],
        **_choices(request, form),
    )
    _remember_clinic(response, form.clinic)
    return response


def _remember_clinic(response: Response, clinic: str) -> None:
    if clinic:
        response.set_cookie(
            CLINIC_COOKIE, clinic, max_age=365 * 86400, httponly=True, samesite="strict"
        )


async def main_page(request: Request) -> Response:
    current, user = signed_in(request)
    return _main_page(request, current, user, _blank_form(request))


def _data_urls(pages: list[bytes]) -> list[str]:
    # data: URLs keep the images out of any URL a log could record, and off the disk.
    return ["data:image/png;base64," + base64.b64encode(png).decode() for png in pages]


def _title(request: Request, protocol: str) -> str:
    try:
        return web(request).store.protocol(protocol).title
    except HandoutError:
        return protocol


def _failure(error: Exception) -> str:
    return error_message(error) if isinstance(error, HandoutError | OSError) else str(error)


async def preview_fragment(request: Request) -> Response:
    """The preview alone, for the page's script to put in place as staff type."""
    current, user = signed_in(request)
    form = HandoutForm.read(await checked_form(request, current))
    if not form.protocol:  # the form opens so; not a problem to show in red
        response = page(request, "preview.html", current, user, previews=[], problem="")
        _remember_clinic(response, form.clinic)
        return response
    try:
        pages = await run_in_threadpool(web(request).handouts.preview, form.request())
    except (HandoutError, OSError) as error:
        return page(
            request, "preview.html", current, user, 422, previews=[], problem=_failure(error)
        )
    response = page(request, "preview.html", current, user, previews=_data_urls(pages), problem="")
    _remember_clinic(response, form.clinic)
    return response


async def act(request: Request) -> Response:
    """The form's buttons: Preview, Download PDF, Print, Email."""
    current, user = signed_in(request)
    posted = await checked_form(request, current)
    form = HandoutForm.read(posted)
    action = text(posted, "action")
    handouts = web(request).handouts
    if action == "next":
        return _main_page(request, current, user, _blank_form(request, form))
    try:
        handout_request = form.request()
        if action == "preview":
            pages = await run_in_threadpool(handouts.preview, handout_request)
            return _main_page(request, current, user, form, previews=_data_urls(pages))
        if action == "download":
            made = await run_in_threadpool(handouts.make, handout_request)
            _record(request, user, Action.DOWNLOADED, handout_request, made)
            return Response(
                made.data,
                media_type="application/pdf",
                headers={"content-disposition": f'attachment; filename="{made.filename}"'},
            )
        if action == "print":
            outcome = await run_in_threadpool(
                print_one, request, user, handout_request, form.printer, form.copy_count()
            )
        elif action == "email":
            outcome = await run_in_threadpool(email_one, request, user, handout_request, form.email)
        else:
            raise InputError("Choose Preview, Download PDF, Print or Email.")
    except DraftRefused:
        outcome = Outcome(False, advice.draft_refused(_title(request, form.protocol)))
    except (HandoutError, OSError) as error:
        outcome = Outcome(False, f"Nothing was made: {_failure(error)}")
    status = 200 if outcome.ok else 422
    return _main_page(request, current, user, form, outcome, status_code=status)


def _record(
    request: Request,
    user: User,
    action: Action,
    handout_request: service.HandoutRequest,
    made: service.MadeHandout,
    email: str | None = None,
    detail: str = "",
) -> None:
    web(request).history.record(
        user.name, action, handout_request, made.spec.clinic.id, email, detail
    )


def print_one(
    request: Request,
    user: User,
    handout_request: service.HandoutRequest,
    printer: str,
    copies: int,
) -> Outcome:
    """Make the handout and queue it; the PDF lives on disk only while ``lp`` reads it."""
    wrong_printer = advice.unknown_printer(printer)
    if wrong_printer:
        return Outcome(False, wrong_printer)
    made = web(request).handouts.make(handout_request)
    folder = web(request).data.path
    handle, name = tempfile.mkstemp(prefix=".print-", suffix=".pdf", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(made.data)
        try:
            job = service.print_handout(made, Path(name), printer or None, copies)
        except HandoutError as error:
            return Outcome(False, advice.print_message(error))
    finally:
        with contextlib.suppress(FileNotFoundError):
            Path(name).unlink()
    where = printer or made.spec.clinic.printer or "the default printer"
    plural = "copy" if copies == 1 else "copies"
    _record(request, user, Action.PRINTED, handout_request, made, detail=f"{where}, job {job}")
    return Outcome(True, f"Sent to {where}: {copies} {plural} (print job {job}).")


def email_one(
    request: Request, user: User, handout_request: service.HandoutRequest, address: str
) -> Outcome:
    environ = web(request).settings.environ
    problem = advice.email_problem(address, environ)
    if problem is not None:
        trouble, detail = problem
        return Outcome(False, advice.email_message(trouble, address, detail))
    made = web(request).handouts.make(handout_request)
    try:
        service.email_handout(made, address, environ=environ)
    except HandoutError as error:
        trouble, detail = advice.email_failure(error)
        return Outcome(False, advice.email_message(trouble, address, detail))
    _record(request, user, Action.EMAILED, handout_request, made, email=address)
    return Outcome(True, f"Emailed to {address}.")


routes = [
    Route("/", main_page, methods=["GET"]),
    Route("/handout", act, methods=["POST"]),
    Route("/preview", preview_fragment, methods=["POST"]),
]
