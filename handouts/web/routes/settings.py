"""The managers' Settings page: what this server is set up with, and never a secret.

The front desk's messages leave out variable names and commands; this page
(and the server's log) is where a manager finds them.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ... import service
from ...content.approval import Approval
from ...content.store import ContentStore
from ...errors import DeliveryError, HandoutError
from ...messages import error_message
from ...templating.catalogs import language_name
from ..sessions import Session
from ..users import User
from .common import checked_form, page, signed_in, text, web


@dataclass(frozen=True)
class MailSetUp:
    """The mail server as the environment sets it up; the password only as 'set' or not."""

    host: str
    port: int
    security: str
    signs_in: bool
    timeout: float


def _mail(request: Request) -> tuple[MailSetUp | None, str]:
    try:
        smtp = service.mail_settings(web(request).settings.environ)
    except DeliveryError as error:
        return None, str(error)
    setup = MailSetUp(smtp.host, smtp.port, smtp.security, smtp.user is not None, smtp.timeout)
    return setup, ""


@dataclass(frozen=True)
class ProtocolFile:
    """One protocol in one language, as the sign-off table shows it."""

    id: str
    title: str
    language: str  # its code, for the form
    language_name: str
    approval: Approval


def _protocol_files(store: ContentStore) -> list[ProtocolFile]:
    files = []
    for protocol in sorted(store.protocols(), key=lambda p: p.title.casefold()):
        for language in store.protocol_languages(protocol.id):
            approval = service.approval(store, protocol.id, language)
            files.append(
                ProtocolFile(
                    protocol.id, protocol.title, language, language_name(language), approval
                )
            )
    return files


async def settings_page(request: Request) -> Response:
    current, user = signed_in(request, manager=True)
    return await _settings(request, current, user)


async def _settings(
    request: Request, current: Session, user: User, outcome: str = "", ok: bool = True
) -> Response:
    mail, mail_problem = _mail(request)
    printers = await run_in_threadpool(service.known_printers)  # asks CUPS, which can be slow
    store = web(request).store
    return page(
        request,
        "settings.html",
        current,
        user,
        200 if ok else 422,
        outcome=outcome,
        ok=ok,
        protocol_files=_protocol_files(store),
        mail=mail,
        mail_problem=mail_problem,
        printers=printers,
        clinics=store.clinics(),
        data_dir=web(request).settings.data_dir,
    )


async def record_signoff(request: Request) -> Response:
    """A manager records that a clinician approved a draft's current text."""
    current, user = signed_in(request, manager=True)
    form = await checked_form(request, current)
    protocol, language, clinician = (
        text(form, "protocol"),
        text(form, "language"),
        text(form, "clinician"),
    )
    store = web(request).store
    try:
        if not clinician:
            raise HandoutError(
                "Type the name of the clinician who read and approved it, then press Sign off."
            )
        signed = await run_in_threadpool(
            service.sign_off, store, protocol, clinician, language=language or None
        )
    except HandoutError as error:
        return await _settings(
            request, current, user, f"Not signed off: {error_message(error)}", False
        )
    title = store.protocol(signed.protocol).title
    return await _settings(
        request,
        current,
        user,
        f"Signed off: {title} ({language_name(signed.language)}) by {signed.clinician} "
        f"on {signed.signed_on.isoformat()}. It can now be given to patients.",
    )


routes = [
    Route("/settings", settings_page, methods=["GET"]),
    Route("/settings/signoff", record_signoff, methods=["POST"]),
]
