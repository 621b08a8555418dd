"""A day's list, for managers: upload, check every row, make all, then ZIP, print or email."""

from __future__ import annotations

import re

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ... import service
from ...content.store import ContentStore
from ...errors import HandoutError
from ...inputs.dates import DateStyle, spelled_out
from ..batches import BatchRun
from ..choices import choices
from ..list_rows import RowViews, list_day
from ..users import User
from .common import (
    MAX_UPLOAD,
    ClinicRefused,
    check_clinic,
    checked_form,
    page,
    signed_in,
    text,
    web,
)


def _run(request: Request, user: User) -> BatchRun:
    run = web(request).batches.get(request.path_params["token"])
    if run is None:
        raise HTTPException(
            404, "There is no such list (the server may have restarted). Upload the CSV again."
        )
    if _foreign_rows(run, user):
        raise ClinicRefused
    return run


def _clinics(store: ContentStore, user: User) -> dict[str, object]:
    offered = choices(store)  # a clinic whose file is broken is left out, and named
    usable = [clinic for clinic in offered.clinics if user.may_use(clinic.id)]
    return {
        "clinics": usable,
        "default_clinic": offered.default_clinic,
        "unusable": [u for u in offered.unusable if u.kind == "clinic" and user.may_use(u.id)],
    }


def _foreign_rows(run: BatchRun, user: User) -> list[int]:
    """Rows of the list for clinics this user is not limited to."""
    planned = run.plan.planned
    return sorted(p.row for p in planned if not user.may_use(p.request.clinic or ""))


async def upload_form(request: Request) -> Response:
    current, user = signed_in(request, manager=True)
    store = web(request).store
    return page(
        request,
        "batch_upload.html",
        current,
        user,
        200,
        **_clinics(store, user),
        profiles=store.import_profile_ids(),
        problem="",
    )


_STORED_UPLOAD = re.compile(r"\S*uploads/[A-Za-z0-9_-]+\.csv")


async def upload(request: Request) -> Response:
    current, user = signed_in(request, manager=True)
    form = await checked_form(request, current)
    store = web(request).store
    check_clinic(user, text(form, "clinic") or store.default_clinic_id)
    upload = form.get("csv")
    problem = ""
    status = 422
    data = b""
    suffix = ".csv"
    chosen = upload.filename if isinstance(upload, UploadFile) else None  # the name staff chose
    if not isinstance(upload, UploadFile) or not upload.filename:
        problem = "Choose the file your booking system exported, then press Check the list."
    else:
        data = await upload.read(MAX_UPLOAD + 1)
        # An Excel export is kept as .xlsx, so it is read as a workbook.
        if upload.filename.casefold().endswith(".xlsx"):
            suffix = ".xlsx"
        if len(data) > MAX_UPLOAD:
            problem = f"That file is over {MAX_UPLOAD // (1024 * 1024)} MB; is it the right one?"
    if not problem:
        try:
            run = await run_in_threadpool(
                web(request).batches.check,
                data,
                text(form, "clinic") or None,
                text(form, "profile") or None,
                user.name,
                suffix,
            )
        except HandoutError as error:
            # Name the file staff chose, never where the server keeps its copy.
            said = _STORED_UPLOAD.sub(lambda _: str(chosen), str(error))
            problem = f"The list could not be read: {said}"
        else:
            foreign = _foreign_rows(run, user)
            if not foreign:
                return RedirectResponse(f"/batch/{run.token}", status_code=303)
            which = (
                f"Row {foreign[0]} is for a clinic"
                if len(foreign) == 1
                else f"Rows {', '.join(str(row) for row in foreign)} are for clinics"
            )
            problem = (
                f"{which} your account does not cover, so nothing was made. "
                "Take them out of the file, or ask a manager of that clinic."
            )
            status = 403
    return page(
        request,
        "batch_upload.html",
        current,
        user,
        status,
        **_clinics(store, user),
        profiles=store.import_profile_ids(),
        problem=problem,
    )


async def show(request: Request) -> Response:
    current, user = signed_in(request, manager=True)
    run = _run(request, user)
    not_made = {bad.row: bad for bad in run.plan.bad_rows}
    failed = sum(1 for bad in not_made.values() if bad.status is service.RowStatus.FAILED)
    outcomes = {o.row: o for o in run.summary.outcomes} if run.summary else {}
    store = web(request).store
    rows = RowViews(store, run.clinic, run.left_out).rows(run.plan, outcomes)
    day = list_day(run.plan)
    return page(
        request,
        "batch_list.html",
        current,
        user,
        run=run,
        rows=rows,
        failed=failed,
        without=len(not_made) - failed,
        flagged=len(run.plan.to_confirm),
        drafts=sum(1 for row in rows if row.draft),
        good=len(run.plan.planned),
        day=spelled_out(day, _date_style(request, run.clinic), "en") if day else "",
        printers=service.known_printers(),
    )


def _date_style(request: Request, clinic: str | None) -> DateStyle:
    try:
        return web(request).store.clinic(clinic).date_style
    except HandoutError:
        return "us"


async def start(request: Request) -> Response:
    current, user = signed_in(request, manager=True)
    form = await checked_form(request, current)
    run = _run(request, user)
    what = text(form, "action")
    dates_ok = text(form, "dates_ok") == "yes"
    if run.plan.to_confirm and not dates_ok:
        # Said on the page, in its words, rather than the command line's --dates-ok.
        run.problem = (
            "Nothing was made yet: check the marked dates. If they are right, tick "
            "\u201cThe marked dates are right\u201d and press the button again; if not, "
            "correct those rows below or leave them out."
        )
        return RedirectResponse(f"/batch/{run.token}", status_code=303)
    web(request).batches.start(
        run,
        user.name,
        email=what == "email",
        print_=what == "print",
        printer=text(form, "printer"),
        dates_ok=dates_ok,
    )
    return RedirectResponse(f"/batch/{run.token}", status_code=303)


# What the check page lets a manager correct in a row (the library's CORRECTABLE, in order).
FIXABLE = ("date", "time", "service", "clinic", "language", "email")


async def amend(request: Request) -> Response:
    """Correct one row or leave it out (or put it back), then show the list checked again."""
    current, user = signed_in(request, manager=True)
    form = await checked_form(request, current)
    run = _run(request, user)
    if run.running:
        raise HTTPException(409, "The list is being made; wait for it to finish.")
    try:
        row = int(text(form, "row"))
    except ValueError:
        raise HTTPException(400, "Which row? Press the row's own button.") from None
    what = text(form, "action")
    try:
        if what == "leave-out":
            web(request).batches.amend(run, row, leave_out=True)
        elif what == "put-back":
            web(request).batches.amend(run, row, leave_out=False)
        else:
            correction = {name: text(form, name) for name in FIXABLE if name in form}
            web(request).batches.amend(run, row, correction)
    except HandoutError as error:
        run.problem = f"Row {row} was not changed: {error}"
    else:
        run.problem = ""
        run.summary = None  # the rows changed: what was made before is for another list
    return RedirectResponse(f"/batch/{run.token}#row-{row}", status_code=303)


async def progress(request: Request) -> Response:
    _, user = signed_in(request, manager=True)
    run = _run(request, user)
    return JSONResponse({"done": run.done, "total": run.total, "running": run.running})


async def download_zip(request: Request) -> Response:
    _, user = signed_in(request, manager=True)
    run = _run(request, user)
    if run.running or run.summary is None:
        raise HTTPException(409, "The list is not made yet; wait for the progress bar to finish.")
    data = await run_in_threadpool(run.zip_bytes)
    # Named after the day the list is for, which is what staff look for, not the upload's day.
    day = list_day(run.plan)
    name = f"handouts-{day.isoformat() if day else run.out_dir.name}.zip"
    return Response(
        data,
        media_type="application/zip",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


routes = [
    Route("/batch", upload_form, methods=["GET"]),
    Route("/batch", upload, methods=["POST"]),
    Route("/batch/{token}", show, methods=["GET"]),
    Route("/batch/{token}/run", start, methods=["POST"]),
    Route("/batch/{token}/rows", amend, methods=["POST"]),
    Route("/batch/{token}/progress", progress, methods=["GET"]),
    Route("/batch/{token}/handouts.zip", download_zip, methods=["GET"]),
]
