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
from ..batches import BatchRun
from ..choices import choices
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
    return sorted(job.row for job in run.plan.jobs if not user.may_use(job.clinic_id))


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
            # Name the file staff chose, never where the server keeps its copy.
            said = _STORED_UPLOAD.sub(lambda _: str(upload.filename), str(error))
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
    return page(
        request,
        "batch_list.html",
        current,
        user,
        run=run,
        not_made=not_made,
        failed=failed,
        without=len(not_made) - failed,
        outcomes=outcomes,
        good=len(run.plan.jobs),
        printers=service.known_printers(),
        RowStatus=service.RowStatus,
    )


async def start(request: Request) -> Response:
    current, user = signed_in(request, manager=True)
    form = await checked_form(request, current)
    run = _run(request, user)
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
    _, user = signed_in(request, manager=True)
    run = _run(request, user)
    return JSONResponse({"done": run.done, "total": run.total, "running": run.running})


async def download_zip(request: Request) -> Response:
    _, user = signed_in(request, manager=True)
    run = _run(request, user)
    if run.running or run.summary is None:
        raise HTTPException(409, "The list is not made yet; wait for the progress bar to finish.")
    data = await run_in_threadpool(run.zip_bytes)
    name = f"handouts-{run.out_dir.name}.zip"
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
