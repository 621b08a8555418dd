"""SMTP servers that misbehave after, or instead of, accepting: real servers on 127.0.0.1.

A send whose outcome is unknown is never retried; one deadline covers the whole
send; a size limit is reported as a size limit.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import Envelope, Session
from click.testing import CliRunner

from handouts.cli import main
from handouts.deliver.mail import DEFAULT_TIMEOUT, SmtpSettings, send_message
from handouts.errors import DeliveryError, MaybeDelivered
from tests.support.smtp import PASSWORD, USER, Mailbox, StoresThenDrops, smtp_env


class StoresThenStalls(Mailbox):
    """Keeps the message, then takes far longer to answer than the client allows."""

    async def handle_DATA(self, server: SMTPServer, session: Session, envelope: Envelope) -> str:
        self.data_attempts += 1
        self.received.append(envelope)
        await asyncio.sleep(8)
        return "250 too late"


def plain(settings: SmtpSettings, timeout: float) -> SmtpSettings:
    return SmtpSettings(settings.host, settings.port, USER, PASSWORD, "none", timeout)


def test_a_server_that_drops_after_the_final_dot_gets_one_copy(
    smtp_server: Any, message: EmailMessage
) -> None:
    mailbox = StoresThenDrops()
    settings = smtp_server(mailbox, auth_require_tls=False)

    with pytest.raises(MaybeDelivered, match=r"may have been sent.*not sent again"):
        send_message(message, settings, attempts=3, pause=0)

    assert mailbox.data_attempts == 1
    assert len(mailbox.received) == 1


def test_a_server_too_slow_to_confirm_gets_one_copy_within_the_deadline(
    smtp_server: Any, message: EmailMessage
) -> None:
    mailbox = StoresThenStalls()
    settings = plain(smtp_server(mailbox, auth_require_tls=False), timeout=1.5)

    started = time.monotonic()
    with pytest.raises(MaybeDelivered, match=r"did not confirm it within the 1.5 s"):
        send_message(message, settings, attempts=3, pause=0)

    assert time.monotonic() - started < 4
    assert mailbox.data_attempts == 1
    assert len(mailbox.received) == 1


@pytest.fixture
def trickling_server() -> Iterator[int]:
    """A TCP server that sends its greeting one byte every 0.3 s and never finishes."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            with connection:
                while not stop.is_set():
                    try:
                        connection.sendall(b"2")
                    except OSError:
                        break
                    stop.wait(0.3)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join(5)
    listener.close()


def test_a_trickling_server_cannot_outlast_the_deadline(
    trickling_server: int, message: EmailMessage
) -> None:
    settings = SmtpSettings("127.0.0.1", trickling_server, None, None, "none", timeout=1.5)

    started = time.monotonic()
    with pytest.raises(DeliveryError, match=r"did not finish within the 1.5 s.*not sent") as caught:
        send_message(message, settings, attempts=3, pause=0)

    assert time.monotonic() - started < 3
    assert not isinstance(caught.value, MaybeDelivered)


def test_a_size_limit_announced_by_the_server_is_reported_as_such(
    smtp_server: Any, message: EmailMessage
) -> None:
    mailbox = Mailbox()
    settings = smtp_server(mailbox, auth_require_tls=False, data_size_limit=2000)

    with pytest.raises(DeliveryError, match=r"larger than the mail server .* accepts.*552"):
        send_message(message, settings, attempts=3, pause=0)

    assert mailbox.received == []


def test_a_size_refusal_after_the_data_is_reported_as_such(
    smtp_server: Any, message: EmailMessage
) -> None:
    mailbox = Mailbox(permanent_failure="552 5.3.4 Message too big for this system")
    settings = smtp_server(mailbox, auth_require_tls=False)

    with pytest.raises(DeliveryError, match=r"larger than the mail server") as caught:
        send_message(message, settings, attempts=3, pause=0)

    assert "sender" not in str(caught.value)
    assert mailbox.data_attempts == 1


@pytest.mark.parametrize(("raw", "seconds"), [("", DEFAULT_TIMEOUT), ("12.5", 12.5), (" 90 ", 90)])
def test_the_deadline_comes_from_the_environment(raw: str, seconds: float) -> None:
    env = {"HANDOUTS_SMTP_HOST": "mail.example.org", "HANDOUTS_SMTP_TIMEOUT": raw}
    assert SmtpSettings.from_env(env).timeout == seconds


@pytest.mark.parametrize("raw", ["0", "-3", "soon", "nan", "99999"])
def test_a_bad_deadline_names_the_variable(raw: str) -> None:
    env = {"HANDOUTS_SMTP_HOST": "mail.example.org", "HANDOUTS_SMTP_TIMEOUT": raw}
    with pytest.raises(DeliveryError, match="HANDOUTS_SMTP_TIMEOUT"):
        SmtpSettings.from_env(env)


def test_handout_tells_the_user_the_email_may_have_been_sent(
    smtp_server: Any, tmp_path: Path
) -> None:
    mailbox = StoresThenDrops()
    env = smtp_env(smtp_server(mailbox, auth_require_tls=False))
    target = tmp_path / "a.pdf"
    args = ["handout", "micropenning", "--patient", "Ana Silva", "--date", "2026-11-22", "--yes"]
    result = CliRunner().invoke(
        main, [*args, "-o", str(target), "--email", "a@example.com"], env=env
    )
    assert result.exit_code == 1
    assert "may have been sent" in result.output and "not sent again" in result.output
    assert f"The handout itself was saved as {target}" in result.output
    assert "Traceback" not in result.output
    assert len(mailbox.received) == 1
