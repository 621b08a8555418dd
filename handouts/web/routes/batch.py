"""A day's list, for managers: upload, check every row, make all, then ZIP, print or email."""

from __future__ import annotations

import datetime as dt

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ...batch.outcome import RowStatus
from ...deliver.printing import known_printers
from ...errors import HandoutError
from ...inputs.dates import DateStyle, spelled_out
from ..batches import BatchRun
from ..list_rows import RowViews, list_day
from .common import MAX_UPLOAD, checked_form, page, signed_in, text, web


def _run(request: Request) -> BatchRun:
    run = web(request).batches.get(request.path_params["token"])
    if run is None:
        raise HTTPException(
            404, "There is no such list (the server may have restarted). Upload the CSV again."
        )
    return run


async def upload_form(request: Request) -> Response:
    current, user = signed_in(request, manager=True)
    store = web(request).store
    return page(
        request,
        "batch_upload.html",
        current,
        user,
        clinics=store.clinics(),
        default_clinic=store.default_clinic_id,
        profiles=store.import_profile_ids(),
        problem="",
    )


async def upload(request: Request) -> Response:
    current, user = signed_in(request, manager=True)
    form = await checked_form(request, current)
    store = web(request).store
    upload = form.get("csv")
    problem = ""
    data = b""
    if not isinstance(upload, UploadFile) or not upload.filename:
        problem = "Choose the CSV file your booking system exported, then press Check the list."
    else:
        data = await upload.read(MAX_UPLOAD + 1)
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
            )
        except HandoutError as error:
            problem = f"The list could not be read: {error}"
        else:
            return RedirectResponse(f"/batch/{run.token}", status_code=303)
    return page(
        request,
        "batch_upload.html",
        current,
        user,
        422,
        clinics=store.clinics(),
        default_clinic=store.default_clinic_id,
        profiles=store.import_profile_ids(),
        problem=problem,
    )


async def show(request: Request) -> Response:
    current, user = signed_in(request, manager=True)
    run = _run(request)
    not_made = {bad.row: bad for bad in run.plan.bad_rows}
    failed = sum(1 for bad in not_made.values() if bad.status is RowStatus.FAILED)
    outcomes = {o.row: o for o in run.summary.outcomes} if run.summary else {}
    store = web(request).store
    views = RowViews(store, run.clinic, dt.date.today())
    rows = views.rows(run.plan, outcomes)
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
        flagged=sum(1 for row in rows if row.flags),
        drafts=sum(1 for row in rows if row.draft),
        good=len(run.plan.jobs),
        day=spelled_out(day, _date_style(request, run.clinic), "en") if day else "",
        printers=known_printers(),
    )


def _date_style(request: Request, clinic: str | None) -> DateStyle:
    try:
        return web(request).store.clinic(clinic).date_style
    except HandoutError:
        return "us"


async def start(request: Request) -> Response:
    current, user = signed_in(request, manager=True)
    form = await checked_form(request, current)
    run = _run(request)
    what = text(form, "action")
    web(request).batches.start(
        run,
        user.name,
        email=what == "email",
        print_=what == "print",
        printer=text(form, "printer"),
    )
    return RedirectResponse(f"/batch/{run.token}", status_code=303)


async def progress(request: Request) -> Response:
    signed_in(request, manager=True)
    run = _run(request)
    return JSONResponse({"done": run.done, "total": run.total, "running": run.running})


async def download_zip(request: Request) -> Response:
    signed_in(request, manager=True)
    run = _run(request)
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
    Route("/batch/{token}/progress", progress, methods=["GET"]),
    Route("/batch/{token}/handouts.zip", download_zip, methods=["GET"]),
]
