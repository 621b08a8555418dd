"""The main page: one handout, previewed, downloaded, printed or emailed."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ... import service
from ...content.approval import DraftRefused
from ...content.combining import PractitionerWords, parse_span_change
from ...content.store import ContentStore
from ...errors import HandoutError, InputError
from ...inputs import clock
from ...inputs.clock import parse_time
from ...inputs.dates import parse_date, spelled_out
from ...messages import error_message
from ...templating.catalogs import language_name
from .. import advice
from ..choices import Choices, choices
from ..sessions import Session
from ..users import User
from .common import check_clinic, checked_form, page, signed_in, text, web
from .waiting import PreviewDropped, unless_client_leaves

CLINIC_COOKIE = "handouts_clinic"  # which clinic this browser uses; not health data
MAX_COPIES = 20
MAX_NOTE = 1000  # a note is a few sentences; a page cannot hold an essay


@dataclass(frozen=True)
class Outcome:
    """What an action did, in words for the person at the desk."""

    ok: bool
    message: str
    signable: int | None = None  # the recorded handout the patient may now sign for


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
    next: str = ""  # the booked next visit, "2026-12-21T10:00" (datetime-local) or a date
    follow_ups: str = ""  # "yes": the patient agreed to follow-up messages
    # The practitioner's fieldset: a second procedure, a variant and their own words.
    also: str = ""
    variant: str = ""
    practitioner: str = ""
    areas: str = ""
    note: str = ""
    spans: str = ""  # "heat=72h; sun=14d"

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
        next_visit, next_time = _next_visit(self.next)
        return service.HandoutRequest(
            self.protocol,
            self.clinic or None,
            self.patient or None,
            procedure_date,
            procedure_time=procedure_time,
            language=self.language or None,
            email=self.email or None,
            next_visit=next_visit,
            next_visit_time=next_time,
            also=(self.also,) if self.also and self.also != self.protocol else (),
            variant=self.variant or None,
            words=self.words(),
        )

    @property
    def wants_follow_ups(self) -> bool:
        return self.follow_ups == "yes"

    def words(self) -> PractitionerWords | None:
        if len(self.note) > MAX_NOTE or len(self.areas) > MAX_NOTE:
            raise InputError(f"Note and treated areas: at most {MAX_NOTE} characters each.")
        try:
            changes = tuple(
                parse_span_change(part)
                for part in self.spans.replace(",", ";").split(";")
                if part.strip()
            )
        except ValueError as error:
            raise InputError(f"Changed spans: {error}.") from None
        words = PractitionerWords(
            self.practitioner or None, self.areas or None, self.note or None, changes
        )
        return None if words.empty else words

    def copy_count(self) -> int:
        try:
            copies = int(self.copies or "1")
        except ValueError:
            copies = 0
        if not 1 <= copies <= MAX_COPIES:
            raise InputError(f"Copies must be a whole number from 1 to {MAX_COPIES}.")
        return copies


def _languages(store: ContentStore, offered: Choices) -> list[tuple[str, str]]:
    """(code, name) of every language some protocol has, named in that language and English.

    A language whose translations are drafts no clinician signed off is marked, as drafts
    are in the Procedure list: "(draft)" when every one is, else "(draft for some)".
    """
    codes = sorted(
        {code for p in offered.protocols for code in [p.language, *store.translation_paths(p.id)]}
    )
    named = []
    for code in codes:
        translated = [p.id for p in offered.protocols if code in store.translation_paths(p.id)]
        drafts = [pid for pid in translated if not service.approval(store, pid, code).approved]
        mark = ""
        if drafts:
            mark = " (draft)" if len(drafts) == len(translated) else " (draft for some)"
        named.append((code, language_name(code) + mark))
    return named


def _choices(request: Request, user: User, form: HandoutForm) -> dict[str, object]:
    store = web(request).store
    offered = choices(store)  # a clinic or procedure whose file is broken is left out, and named
    drafts = {p.id for p in offered.protocols if not service.approval(store, p.id).approved}
    return {
        "clinics": [clinic for clinic in offered.clinics if user.may_use(clinic.id)],
        "protocols": offered.protocols,
        # Drafts apart and marked, so nobody picks one for a patient without seeing it;
        # a draft a clinician signed off (as it is now) counts as reviewed.
        "reviewed": [p for p in offered.protocols if p.id not in drafts],
        "drafts": [p for p in offered.protocols if p.id in drafts],
        "unusable": [u for u in offered.unusable if u.kind != "clinic" or user.may_use(u.id)],
        "printers": service.known_printers(),
        "languages": _languages(store, offered),
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


def _blank_form(request: Request, user: User, kept: HandoutForm | None = None) -> HandoutForm:
    """An empty form: no procedure chosen, so nobody gives the first one by default.

    ``kept`` is the form of the patient before, for Next patient: the clinic,
    printer and date stay, everything about the patient (and the visit) goes.
    """
    if kept is not None:
        return HandoutForm(kept.clinic, "", "", kept.date, "", "", kept.printer, "1")
    offered = choices(web(request).store)
    remembered = request.cookies.get(CLINIC_COOKIE, "")
    usable = user.usable(c.id for c in offered.clinics)
    clinic = remembered if remembered in usable else offered.default_clinic
    if clinic not in usable:
        clinic = usable[0] if usable else ""
    return HandoutForm(clinic, "", "", clock.today().isoformat(), "", "", "", "1")


def _main_page(
    request: Request,
    current: Session,
    user: User,
    form: HandoutForm,
    outcome: Outcome | None = None,
    previews: Sequence[str] | None = None,
    status_code: int = 200,
    *,
    next_patient: bool = False,  # the cursor waits in Patient name
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
        next_patient=next_patient,
        **_choices(request, user, form),
    )
    _remember_clinic(response, form.clinic)
    return response


def _remember_clinic(response: Response, clinic: str) -> None:
    if clinic:
        response.set_cookie(
            CLINIC_COOKIE, clinic, max_age=365 * 86400, httponly=True, samesite="strict"
        )


def _next_visit(raw: str) -> tuple[dt.date | None, dt.time | None]:
    """The form's booked next visit: a date, or a date and time ("2026-12-21T10:00")."""
    if not raw:
        return None, None
    day, _, clock = raw.partition("T")
    return parse_date(day, "Next visit"), parse_time(clock, "Next visit") if clock else None


async def main_page(request: Request) -> Response:
    current, user = signed_in(request)
    return _main_page(request, current, user, _blank_form(request, user))


def _check_clinic(request: Request, user: User, form: HandoutForm) -> None:
    # An empty field means the default clinic, which a limited user may not have.
    check_clinic(user, form.clinic or web(request).store.default_clinic_id)


def _data_urls(pages: list[bytes]) -> list[Markup]:
    # data: URLs keep the images out of any URL a log could record, and off the disk.
    # Marked safe because base64 has no character HTML would escape: escaping a page's
    # ~100 KB anyway cost the event loop about a millisecond per preview.
    return [Markup("data:image/png;base64," + base64.b64encode(png).decode()) for png in pages]


async def previewed(
    request: Request, current: Session, handout_request: service.HandoutRequest
) -> list[bytes]:
    """Pages from a worker, awaited without holding a thread (sign-in and files never wait).

    The session's newer preview replaces this one while it waits, and a
    client that leaves cancels it.
    """
    queued = web(request).handouts.preview_later(handout_request, slot=current.csrf)
    pages: list[bytes] = await unless_client_leaves(request, queued)
    return pages


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
    _check_clinic(request, user, form)
    if not form.protocol:  # the form opens so; not a problem to show in red
        response = page(request, "preview.html", current, user, previews=[], problem="")
        _remember_clinic(response, form.clinic)
        return response
    try:
        pages = await previewed(request, current, form.request())
    except (HandoutError, OSError) as error:
        return page(
            request, "preview.html", current, user, 422, previews=[], problem=_failure(error)
        )
    except PreviewDropped as dropped:
        return page(request, "preview.html", current, user, 409, previews=[], problem=str(dropped))
    response = page(request, "preview.html", current, user, previews=_data_urls(pages), problem="")
    _remember_clinic(response, form.clinic)
    return response


async def act(request: Request) -> Response:
    """The form's buttons: Preview, Download PDF, Print, Email."""
    current, user = signed_in(request)
    posted = await checked_form(request, current)
    form = HandoutForm.read(posted)
    _check_clinic(request, user, form)
    action = text(posted, "action")
    if action == "next":
        blank = _blank_form(request, user, form)
        return _main_page(request, current, user, blank, next_patient=True)
    try:
        handout_request = form.request()
        if action == "preview":
            pages = await previewed(request, current, handout_request)
            return _main_page(request, current, user, form, previews=_data_urls(pages))
        if action == "download":
            made = await made_for(request, current, handout_request)
            given = await run_in_threadpool(_give, request, user, handout_request, made)
            await run_in_threadpool(service.record_download, _ledger(request), given, user.name)
            return Response(
                made.data,
                media_type="application/pdf",
                headers={"content-disposition": f'attachment; filename="{made.filename}"'},
            )
        if action == "calendar":
            return await run_in_threadpool(_calendar, request, handout_request)
        if action == "print":
            copies = form.copy_count()
            outcome = await run_in_threadpool(_print_problem, form.printer)
            if outcome is None:
                made = await made_for(request, current, handout_request)
                outcome = await run_in_threadpool(
                    print_made, request, user, handout_request, made, form.printer, copies
                )
        elif action == "email":
            outcome = await run_in_threadpool(
                _email_problem, request, form.email, handout_request, form.wants_follow_ups
            )
            if outcome is None:
                made = await made_for(request, current, handout_request)
                outcome = await run_in_threadpool(
                    email_made,
                    request,
                    user,
                    handout_request,
                    made,
                    form.email,
                    form.wants_follow_ups,
                )
        else:
            raise InputError("Choose Preview, Download PDF, Print or Email.")
    except DraftRefused:
        outcome = Outcome(False, advice.draft_refused(_title(request, form.protocol)))
    except (HandoutError, OSError) as error:
        outcome = Outcome(False, f"Nothing was made: {_failure(error)}")
    except PreviewDropped as dropped:
        outcome = Outcome(False, str(dropped))
    status = 200 if outcome.ok else 422
    return _main_page(request, current, user, form, outcome, status_code=status)


def _calendar(request: Request, handout_request: service.HandoutRequest) -> Response:
    """The handout's dates as an .ics download; nothing about the patient is in it."""
    name, data = service.make_calendar(web(request).store, handout_request)
    return Response(
        data,
        media_type="text/calendar",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


def _ledger(request: Request) -> service.Ledger:
    return web(request).history.ledger


async def made_for(
    request: Request, current: Session, handout_request: service.HandoutRequest
) -> service.MadeHandout:
    """The PDF from a warm worker, awaited as previews are: without holding a thread.

    It waits in the session's turns, so another session's flood of previews
    cannot sit ahead of it; a client that leaves before it starts cancels it
    (nothing is made, recorded or sent). A newer preview never replaces it.
    """
    queued = web(request).handouts.make_later(handout_request, slot=current.csrf)
    made: service.MadeHandout = await unless_client_leaves(request, queued, "handout")
    return made


def _give(
    request: Request,
    user: User,
    handout_request: service.HandoutRequest,
    made: service.MadeHandout,
) -> service.Given:
    """A named patient's handout, archived and recorded (quick: it is made already)."""
    return service.give(
        web(request).store,
        handout_request,
        ledger=_ledger(request),
        by=user.name,
        source=service.Source.WEB,
        made=made,
    )


def _refused(result: service.DeliveryResult, what: str) -> Outcome:
    previous = result.previous
    assert previous is not None
    when = previous.at.astimezone().strftime("%d %b %Y %H:%M")
    if previous.result is service.Result.MAY_HAVE_BEEN_SENT:
        said = f"may already have been {what} ({when}) without the confirmation coming back"
    else:
        said = f"was already {what} ({when}, by {previous.by or 'an earlier version'})"
    return Outcome(
        False,
        f"Not {what}: this patient's handout {said}. A manager can send it again from the "
        "History page.",
    )


def _print_problem(printer: str) -> Outcome | None:
    """A printer CUPS does not know, said before anything is made (asks CUPS: slow)."""
    wrong_printer = advice.unknown_printer(printer)
    return Outcome(False, wrong_printer) if wrong_printer else None


def print_made(
    request: Request,
    user: User,
    handout_request: service.HandoutRequest,
    made: service.MadeHandout,
    printer: str,
    copies: int,
) -> Outcome:
    """Record the made handout and queue it once; the service keeps the PDF's temporary copy."""
    return _print(request, user, _give(request, user, handout_request, made), printer, copies)


def _print(
    request: Request,
    user: User,
    given: service.Given,
    printer: str,
    copies: int,
    *,
    again: bool = False,
) -> Outcome:
    result = service.print_given(
        _ledger(request), given, user.name, printer=printer or None, copies=copies, again=again
    )
    if result.refused:
        return _refused(result, "printed")
    if not result.ok:
        return Outcome(False, advice.print_message(result.reason))
    plural = "copy" if copies == 1 else "copies"
    message = f"Sent to {result.printer}: {copies} {plural} (print job {result.job})."
    return Outcome(True, message, given.handout_id)


def email_made(
    request: Request,
    user: User,
    handout_request: service.HandoutRequest,
    made: service.MadeHandout,
    address: str,
    follow_ups: bool = False,
) -> Outcome:
    """Record the made handout and email it once to ``address``; with the patient's
    consent, schedule its follow-ups to that same address."""
    given = _give(request, user, handout_request, made)
    outcome = _email(request, user, given, address)
    if outcome.ok and follow_ups:
        count = service.schedule_follow_ups(
            given.made,
            address,
            data=web(request).settings.data_dir,
            consent=f"front desk web page, by {user.name}",
        )
        plural = "message" if count == 1 else "messages"
        outcome = Outcome(True, f"{outcome.message} {count} follow-up {plural} scheduled.")
    return outcome


def _email_problem(
    request: Request, address: str, handout_request: service.HandoutRequest, follow_ups: bool
) -> Outcome | None:
    """A missing or malformed address, email not set up, or follow-ups without a date:
    said before anything is made."""
    problem = advice.email_problem(address, web(request).settings.environ)
    if problem is not None:
        trouble, detail = problem
        return Outcome(False, advice.email_message(trouble, address, detail))
    if follow_ups and handout_request.procedure_date is None:
        return Outcome(False, "Not emailed: follow-up messages need the procedure date.")
    return None


def _email(
    request: Request, user: User, given: service.Given, address: str, *, again: bool = False
) -> Outcome:
    result = service.email_given(
        _ledger(request),
        given,
        address,
        user.name,
        again=again,
        environ=web(request).settings.environ,
    )
    if result.refused:
        return _refused(result, "emailed")
    if result.result is service.Result.MAY_HAVE_BEEN_SENT:
        trouble = advice.EmailTrouble.UNCONFIRMED
        return Outcome(False, advice.email_message(trouble, address, result.reason))
    if not result.ok:
        trouble = advice.EmailTrouble.NOT_SENT
        return Outcome(False, advice.email_message(trouble, address, result.reason))
    return Outcome(True, f"Emailed to {address}.", given.handout_id)


routes = [
    Route("/", main_page, methods=["GET"]),
    Route("/handout", act, methods=["POST"]),
    Route("/preview", preview_fragment, methods=["POST"]),
]
