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

from ...deliver.mail import SmtpSettings
from ...deliver.printing import known_printers
from ...errors import DeliveryError
from .common import page, signed_in, web


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
        smtp = SmtpSettings.from_env(web(request).settings.environ)
    except DeliveryError as error:
        return None, str(error)
    setup = MailSetUp(smtp.host, smtp.port, smtp.security, smtp.user is not None, smtp.timeout)
    return setup, ""


async def settings_page(request: Request) -> Response:
    current, user = signed_in(request, manager=True)
    mail, mail_problem = _mail(request)
    printers = await run_in_threadpool(known_printers)  # asks CUPS, which can be slow
    store = web(request).store
    return page(
        request,
        "settings.html",
        current,
        user,
        mail=mail,
        mail_problem=mail_problem,
        printers=printers,
        clinics=store.clinics(),
        data_dir=web(request).settings.data_dir,
    )


routes = [Route("/settings", settings_page, methods=["GET"])]
