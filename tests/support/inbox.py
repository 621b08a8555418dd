"""A real SMTP server (aiosmtpd on 127.0.0.1) that keeps what it receives: the `smtp` fixture."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import Envelope, Session

from handouts.deliver.mail import SmtpSettings


@dataclass
class Inbox:
    """Keeps every message; ``refuse`` makes DATA fail for certain (550)."""

    refuse: bool = False
    received: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: SMTPServer, session: Session, envelope: Envelope) -> str:
        if self.refuse:
            return "550 5.7.1 Not today"
        raw = envelope.original_content or envelope.content
        message = BytesParser(policy=default_policy).parsebytes(raw)  # type: ignore[arg-type]
        with self.lock:
            self.received.append(message)  # type: ignore[arg-type]
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.received if m["To"] == address]


@dataclass
class Smtp:
    inbox: Inbox
    settings: SmtpSettings
    environ: dict[str, str]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[Smtp]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    environ: dict[str, Any] = {
        "HANDOUTS_SMTP_HOST": "127.0.0.1",
        "HANDOUTS_SMTP_PORT": str(controller.port),
        "HANDOUTS_SMTP_SECURITY": "none",
        "HANDOUTS_SMTP_TIMEOUT": "20",
    }
    try:
        yield Smtp(inbox, SmtpSettings.from_env(environ), environ)
    finally:
        controller.stop()
