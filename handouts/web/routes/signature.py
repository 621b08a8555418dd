"""Proof of receipt at the desk: the patient signs on a tablet's screen for the handout just made.

Staff may open the signing page only for a handout they made themselves in
the last hours (so the page cannot be used to look up other patients);
managers for any handout of their clinics. The drawing is checked and kept
by the service (``handouts.signing``), with the time and the handout's sha256.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ...records import HandoutHistory
from ...service import (
    MAX_SIGNATURE_BYTES,
    SignatureRefused,
    SignatureTooLarge,
    record_signature,
    signatures_of,
)
from ..sessions import CSRF_FIELD
from ..users import User
from .common import FormRefused, page, signed_in, text, web
from .history import handout_for, png_url

STAFF_WINDOW = dt.timedelta(hours=12)  # a desk signs during the visit, not days later
DATA_URL_PREFIX = "data:image/png;base64,"
# The form's body: the drawing in base64 (4/3 of its size) and a few short fields.
MAX_BODY = MAX_SIGNATURE_BYTES * 4 // 3 + 4096


class SigningRefused(HTTPException):
    def __init__(self) -> None:
        super().__init__(
            403,
            "Staff can take a signature only for a handout they made today. "
            "Ask a manager, who can open it from the History page.",
        )


def _signable(request: Request, user: User) -> HandoutHistory:
    history = handout_for(request, user)
    if not user.is_manager:
        record = history.handout
        age = web(request).ledger.clock() - record.made_at
        if record.made_by != user.name or not dt.timedelta(0) <= age <= STAFF_WINDOW:
            raise SigningRefused
    return history


def _sign_page(
    request: Request, history: HandoutHistory, problem: str = "", status_code: int = 200
) -> Response:
    current, user = signed_in(request)
    ledger = web(request).ledger
    record = history.handout
    titles = {p.id: p.title for p in web(request).store.protocols()}
    signed = signatures_of(ledger, [record.id])[record.id]
    return page(
        request,
        "sign.html",
        current,
        user,
        status_code,
        record=record,
        title=titles.get(record.request.protocol, record.request.protocol),
        signed=[(s, png_url(s.png)) for s in signed],
        problem=problem,
    )


async def sign_form(request: Request) -> Response:
    _, user = signed_in(request)
    history = await run_in_threadpool(_signable, request, user)
    return await run_in_threadpool(_sign_page, request, history)


async def sign(request: Request) -> Response:
    current, user = signed_in(request)
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_BODY:
        raise HTTPException(413, "The signature is too large to keep. Press Clear and sign again.")
    # The drawing is one field far larger than any other form's, so this form is read here
    # with its own limit (the body's length is checked above) and the same CSRF check.
    form = await request.form(max_files=0, max_fields=5, max_part_size=MAX_BODY)
    token = form.get(CSRF_FIELD)
    if not isinstance(token, str) or not current.csrf_matches(token):
        raise FormRefused
    history = await run_in_threadpool(_signable, request, user)
    drawn = text(form, "signature")
    try:
        if not drawn.startswith(DATA_URL_PREFIX):
            raise SignatureRefused("Nothing was drawn. Ask the patient to sign in the box.")
        encoded = drawn.removeprefix(DATA_URL_PREFIX)
        if len(encoded) > MAX_SIGNATURE_BYTES * 4 // 3 + 4:
            raise SignatureTooLarge("The signature is too large to keep. Clear it and sign again.")
        try:
            png = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise SignatureRefused("The signature did not arrive as an image.") from None
        ledger = web(request).ledger
        await run_in_threadpool(record_signature, ledger, history.handout.id, png, user.name)
    except SignatureTooLarge as error:
        return await run_in_threadpool(_sign_page, request, history, str(error), 413)
    except SignatureRefused as error:
        return await run_in_threadpool(_sign_page, request, history, str(error), 422)
    return RedirectResponse(f"/handouts/{history.handout.id}/sign", status_code=303)


routes = [
    Route("/handouts/{handout:int}/sign", sign_form, methods=["GET"]),
    Route("/handouts/{handout:int}/sign", sign, methods=["POST"]),
]
