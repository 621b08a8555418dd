"""History for managers: search every handout given, a patient's page, print or email again.

Patient names and addresses are health data: a search is a POST form, so
what was searched for never appears in a URL, a server log or the browser's
history; pages name a handout by its number only. A manager limited to some
clinics sees only those clinics' records (another clinic's is "not found").
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, replace

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ... import service
from ...errors import HandoutError, InputError
from ...messages import error_message
from ...records import (
    Delivery,
    HandoutHistory,
    HandoutRecord,
    Ledger,
    Result,
    Search,
    SearchPage,
)
from ...records.types import Channel, same_person  # the channel, as the record types it
from ...service import signatures_of
from ..choices import choices
from ..sessions import Session
from ..users import User
from .common import checked_form, page, signed_in, text, web

PER_PAGE = 50
MAX_PAGE = 200  # 10,000 records back; narrow the search for older ones
MAX_PATIENT_RECORDS = 500  # one patient's page; more is a name shared by many
MAX_PATIENT_PAGES = 20  # of 100 candidates each: a name inside many others' stops here
SQLITE_MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class Outcome:
    """What Print again or Email again did, in words for the manager."""

    ok: bool
    message: str


@dataclass(frozen=True)
class SearchForm:
    patient: str = ""
    since: str = ""
    until: str = ""
    clinic: str = ""
    protocol: str = ""
    page: str = "1"

    @classmethod
    def read(cls, form: FormData) -> SearchForm:
        return cls(*(text(form, name) for name in cls.__dataclass_fields__))

    @classmethod
    def today(cls, day: dt.date) -> SearchForm:
        return cls(since=day.isoformat(), until=day.isoformat())

    def search(self, user: User) -> Search:
        since = _day(self.since, "From")
        until = _day(self.until, "To")
        if since and until and since > until:
            raise InputError("The From date is after the To date.")
        if self.clinic and not user.may_use(self.clinic):
            raise InputError("You can search only your own clinics' records.")
        try:
            number = int(self.page or "1")
        except ValueError:
            number = 1
        return Search(
            patient=self.patient[:200] or None,
            since=since,
            until=until,
            clinic=self.clinic or None,
            protocol=self.protocol or None,
            page=min(max(number, 1), MAX_PAGE),
            per_page=PER_PAGE,
        )


def _day(value: str, label: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{label}: '{value[:20]}' is not a date (YYYY-MM-DD).") from None


def png_url(png: bytes) -> str:
    """An image inline (the page's policy allows data: images), so no URL names it."""
    return "data:image/png;base64," + base64.b64encode(png).decode()


def _ledger(request: Request) -> Ledger:
    return web(request).ledger


def _today(request: Request) -> dt.date:
    """Today here, by the ledger's clock (which a test sets)."""
    return _ledger(request).clock().astimezone().date()


def visible_search(ledger: Ledger, search: Search, user: User) -> SearchPage:
    """``search``, within the clinics ``user`` may see, newest first."""
    if search.clinic or user.clinics is None:
        return ledger.search(search)
    clinics = sorted(user.clinics)
    if not clinics:
        return SearchPage([], search.page, more=False)
    if len(clinics) == 1:
        return ledger.search(replace(search, clinic=clinics[0]))
    # Several clinics: the first pages of each, merged, hold this page of all of them.
    wanted = search.page * search.per_page
    found: list[HandoutRecord] = []
    more = False
    for clinic in clinics:
        part = ledger.search(replace(search, clinic=clinic, page=1, per_page=wanted))
        found += part.records
        more = more or part.more
    found.sort(key=lambda r: (r.made_at, r.id), reverse=True)
    start = (search.page - 1) * search.per_page
    shown = found[start : start + search.per_page]
    return SearchPage(shown, search.page, more or len(found) > start + search.per_page)


def handout_for(request: Request, user: User) -> HandoutHistory:
    """The handout named in the path, if this user may see it; else 404."""
    handout_id = request.path_params["handout"]
    history = None
    if 0 < handout_id <= SQLITE_MAX_ID:
        history = _ledger(request).handout(handout_id)
    # Another clinic's record answers as if it did not exist: its existence is not theirs.
    if history is None or not user.may_use(history.handout.clinic):
        raise HTTPException(404, "There is no such handout in the history.")
    return history


def patient_handouts(ledger: Ledger, record: HandoutRecord, user: User) -> list[HandoutHistory]:
    """Everything given to ``record``'s patient (by name) that ``user`` may see, newest first."""
    person = same_person(record.patient)
    found: list[HandoutHistory] = []
    search = Search(patient=record.patient, per_page=100)
    while len(found) < MAX_PATIENT_RECORDS and search.page <= MAX_PATIENT_PAGES:
        part = ledger.search(search)
        for other in part.records:
            if same_person(other.patient) == person and user.may_use(other.clinic):
                history = ledger.handout(other.id)
                if history is not None:
                    found.append(history)
        if not part.more:
            break
        search = replace(search, page=search.page + 1)
    return found


def _done(ledger: Ledger, handout_id: int) -> list[str]:
    """What was done with a handout, in a few words each: "emailed", "printed again"."""
    history = ledger.handout(handout_id)
    deliveries = history.deliveries if history else []
    return [f"{d.result}{' again' if d.again else ''}" for d in deliveries]


def _names(request: Request) -> dict[str, dict[str, str]]:
    offered = choices(web(request).store)
    return {
        "clinic_names": {c.id: c.name for c in offered.clinics},
        "protocol_titles": {p.id: p.title for p in offered.protocols},
    }


def _search_page(
    request: Request, current: Session, user: User, form: SearchForm, *, opening: bool = False
) -> Response:
    """Results of ``form``; ``opening``: the page as first opened, with today's handouts
    under an empty form (so a name typed in it searches every day)."""
    results = SearchPage([], 1, more=False)
    problem, status_code = "", 200
    today = _today(request)
    searched = SearchForm.today(today) if opening else form
    try:
        search = searched.search(user)
    except InputError as error:
        problem, status_code = str(error), 422
    else:
        results = visible_search(_ledger(request), search, user)
    offered = choices(web(request).store)
    signed = signatures_of(_ledger(request), [r.id for r in results.records])
    done = {r.id: _done(_ledger(request), r.id) for r in results.records}
    count = len(results.records)
    if opening:
        heading = f"Handouts made today ({today.isoformat()})"
    else:
        heading = f"{count} handout{'' if count == 1 else 's'} found" if count else "None found"
    if results.page > 1 or results.more:
        heading += f", page {results.page}"
    return page(
        request,
        "history.html",
        current,
        user,
        status_code,
        form=form,
        searched=searched,  # what the page buttons search again
        heading=heading,
        results=results,
        signed={handout_id for handout_id, found in signed.items() if found},
        done=done,
        problem=problem,
        clinics=[c for c in offered.clinics if user.may_use(c.id)],
        protocols=offered.protocols,
        **_names(request),
    )


async def history(request: Request) -> Response:
    """The search form, with today's handouts under it."""
    current, user = signed_in(request, manager=True)
    return await run_in_threadpool(
        lambda: _search_page(request, current, user, SearchForm(), opening=True)
    )


async def search(request: Request) -> Response:
    current, user = signed_in(request, manager=True)
    form = SearchForm.read(await checked_form(request, current))
    return await run_in_threadpool(_search_page, request, current, user, form)


def _patient_page(
    request: Request,
    current: Session,
    user: User,
    chosen: HandoutHistory,
    outcome: Outcome | None = None,
    status_code: int = 200,
) -> Response:
    ledger = _ledger(request)
    handouts = patient_handouts(ledger, chosen.handout, user)
    if all(h.handout.id != chosen.handout.id for h in handouts):
        handouts.insert(0, chosen)
    return page(
        request,
        "history_patient.html",
        current,
        user,
        status_code,
        chosen=chosen.handout,
        handouts=handouts,
        signatures={
            handout_id: [(s, png_url(s.png)) for s in found]
            for handout_id, found in signatures_of(ledger, [h.handout.id for h in handouts]).items()
        },
        printers=service.known_printers(),
        outcome=outcome,
        **_names(request),
    )


async def patient(request: Request) -> Response:
    current, user = signed_in(request, manager=True)
    chosen = await run_in_threadpool(handout_for, request, user)
    # After Print again or Email again: what that delivery did, read back from the record.
    asked = request.query_params.get("delivery", "")
    done = next((d for d in chosen.deliveries if asked.isdigit() and d.id == int(asked)), None)
    outcome = None if done is None else _outcome_of(done)
    return await run_in_threadpool(_patient_page, request, current, user, chosen, outcome)


def _outcome_of(delivery: Delivery) -> Outcome:
    """What a send again did, in words, from its record."""
    emailed = delivery.channel is Channel.EMAIL
    if delivery.result in (Result.EMAILED, Result.PRINTED):
        if emailed:
            return Outcome(True, f"Emailed again to {delivery.recipient}, as first given.")
        return Outcome(True, f"Printed again, as first given: {delivery.detail}.")
    if delivery.result is Result.MAY_HAVE_BEEN_SENT:
        what = "email" if emailed else "print job"
        return Outcome(False, f"The {what} may have been sent: {delivery.reason}")
    if emailed:
        return Outcome(False, f"Not emailed: {delivery.reason}")
    return Outcome(False, f"Not printed: {delivery.reason} Check the printer and try again.")


def _again(request: Request, user: User, chosen: HandoutHistory, form: FormData) -> int | None:
    """Print or email the archived bytes once more, on purpose, recorded as "again".

    Returns the delivery's id in the record (None if nothing was recorded).
    """
    action = text(form, "action")
    handout_id = chosen.handout.id
    ledger = _ledger(request)
    if action == "print":
        printer = text(form, "printer")
        if printer and printer not in service.known_printers():
            raise InputError(f"There is no printer called '{printer[:60]}'. Choose one listed.")
        given = service.given_again(web(request).store, ledger, handout_id)
        result = service.print_given(ledger, given, user.name, printer=printer or None, again=True)
        return result.delivery_id
    if action == "email":
        address = chosen.handout.request.email or ""
        if not address:
            raise InputError("This handout has no email address to send it to.")
        environ = web(request).settings.environ
        service.check_email_ready(address, need_smtp=True, environ=environ)
        given = service.given_again(web(request).store, ledger, handout_id)
        result = service.email_given(ledger, given, address, user.name, again=True, environ=environ)
        return result.delivery_id
    raise InputError("Choose Print again or Email again.")


async def again(request: Request) -> Response:
    """Send again, then show the patient's page by a redirect: reloading it sends nothing."""
    current, user = signed_in(request, manager=True)
    form = await checked_form(request, current)
    chosen = await run_in_threadpool(handout_for, request, user)
    try:
        delivery_id = await run_in_threadpool(_again, request, user, chosen, form)
    except HandoutError as error:  # e.g. no email settings, or the archived copy was purged
        outcome = Outcome(False, error_message(error))
        return await run_in_threadpool(_patient_page, request, current, user, chosen, outcome, 422)
    where = f"/history/handouts/{chosen.handout.id}"
    if delivery_id is not None:
        where += f"?delivery={delivery_id}"
    return RedirectResponse(where, status_code=303)


routes = [
    Route("/history", history, methods=["GET"]),
    Route("/history", search, methods=["POST"]),
    Route("/history/handouts/{handout:int}", patient, methods=["GET"]),
    Route("/history/handouts/{handout:int}/again", again, methods=["POST"]),
]
