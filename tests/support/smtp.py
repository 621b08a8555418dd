"""A real SMTP server (aiosmtpd on 127.0.0.1) that keeps what it receives, or refuses."""

from __future__ import annotations

import contextlib
import socket
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from types import SimpleNamespace
from typing import Any

import pytest
import trustme
import weasyprint
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

from handouts.deliver.mail import SmtpSettings, build_message

PASSWORD = "Hunter2-very-secret-pw"
PATIENT = "patient@example.org"
USER = "frontdesk"


@dataclass
class Mailbox:
    """An aiosmtpd handler that keeps what it receives and can be told to refuse."""

    refuse_recipients: set[str] = field(default_factory=set)
    temporary_failures: int = 0
    dropped_connections: int = 0  # dropped at RCPT, before any message data
    permanent_failure: str | None = None
    data_attempts: int = 0
    rcpt_attempts: int = 0
    received: list[Envelope] = field(default_factory=list)

    async def handle_RCPT(
        self, server: SMTPServer, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        self.rcpt_attempts += 1
        if self.rcpt_attempts <= self.dropped_connections:
            server.transport.close()
            return "250 never heard"
        if address in self.refuse_recipients:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTPServer, session: Session, envelope: Envelope) -> str:
        self.data_attempts += 1
        if self.data_attempts <= self.temporary_failures:
            return "451 4.3.0 Try again later"
        if self.permanent_failure:
            return self.permanent_failure
        self.received.append(envelope)
        return "250 Message accepted"

    def messages(self) -> list[EmailMessage]:
        parser = BytesParser(policy=default_policy)
        return [
            parser.parsebytes(envelope.original_content or envelope.content)  # type: ignore[arg-type]
            for envelope in self.received
        ]

    def only_message(self) -> EmailMessage:
        assert len(self.received) == 1
        return self.messages()[0]


class StoresThenDrops(Mailbox):
    """Keeps the message, then hangs up instead of saying 250."""

    async def handle_DATA(self, server: SMTPServer, session: Session, envelope: Envelope) -> str:
        self.data_attempts += 1
        self.received.append(envelope)
        server.transport.close()
        return "250 never heard"


def accept_frontdesk(
    server: SMTPServer, session: Session, envelope: Envelope, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and data == (USER.encode(), PASSWORD.encode())
    # handled=False: the server answers a refusal with 535 itself, as real servers do;
    # with the default it says nothing and the client waits until its deadline.
    return AuthResult(success=ok, handled=False)


def refuse_everyone(
    server: SMTPServer, session: Session, envelope: Envelope, mechanism: str, data: Any
) -> AuthResult:
    return AuthResult(success=False, handled=False)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def smtp_env(settings: Any, **extra: str) -> dict[str, str]:
    """The HANDOUTS_SMTP_* variables that point the tool at a test server."""
    return {
        "HANDOUTS_SMTP_HOST": settings.host,
        "HANDOUTS_SMTP_PORT": str(settings.port),
        "HANDOUTS_SMTP_USER": USER,
        "HANDOUTS_SMTP_PASSWORD": PASSWORD,
        "HANDOUTS_SMTP_SECURITY": "none",
        **extra,
    }


@dataclass(frozen=True)
class RunningServer:
    mailbox: Mailbox
    host: str
    port: int


@contextlib.contextmanager
def running_smtp_server(mailbox: Mailbox | None = None) -> Iterator[RunningServer]:
    """A server without login, for whole processes that read HANDOUTS_SMTP_* (security none)."""
    box = mailbox or Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield RunningServer(box, "127.0.0.1", controller.port)
    finally:
        controller.stop()


StartServer = Callable[..., SmtpSettings]


@pytest.fixture
def smtp_server() -> Iterator[StartServer]:
    """Starts an aiosmtpd server with the given options; stops all of them afterwards."""
    started: list[Controller] = []

    def start(mailbox: Mailbox, **options: Any) -> SmtpSettings:
        options.setdefault("authenticator", accept_frontdesk)
        controller = Controller(mailbox, hostname="127.0.0.1", port=free_port(), **options)
        controller.start()
        started.append(controller)
        return SmtpSettings(
            host="127.0.0.1", port=controller.port, user=USER, password=PASSWORD, security="none"
        )

    yield start
    for controller in started:
        controller.stop()


@pytest.fixture(scope="module")
def tls() -> SimpleNamespace:
    """A throwaway CA with a certificate for 127.0.0.1, and a client context trusting it."""
    ca = trustme.CA()
    server_cert = ca.issue_cert("127.0.0.1", "localhost")
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_cert.configure_cert(server)
    client = ssl.create_default_context()
    ca.configure_trust(client)
    return SimpleNamespace(server=server, client=client)


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return weasyprint.HTML(string="<h1>Aftercare</h1><p>pdf-marker-4711</p>").write_pdf()


@pytest.fixture
def message(pdf: bytes) -> EmailMessage:
    return build_message(
        sender="info@harbour-skin.example",
        sender_name="Harbour Skin Clinic",
        recipient=PATIENT,
        subject="Your aftercare instructions from Harbour Skin Clinic",
        text_body="Dear Ana,\nyour handout is attached.\n",
        html_body="<p>Dear Ana,<br>your handout is <b>attached</b>.</p>",
        pdf=pdf,
        attachment_name="Aftercare - Microneedling.pdf",
        reply_to="frontdesk@harbour-skin.example",
    )
