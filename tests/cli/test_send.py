"""`handout --email / --eml / --print` end to end: real aiosmtpd, real cupsd."""

from __future__ import annotations

import email
import ssl
import time
from email import policy
from pathlib import Path
from types import SimpleNamespace

import pytest
import trustme
from aiosmtpd.controller import Controller
from click.testing import CliRunner

from handouts.cli import main
from tests.cups_fixture import CupsQueue, unique_marker
from tests.pdfcheck import pdf_text
from tests.support.smtp import PASSWORD, Mailbox, accept_frontdesk, free_port, smtp_env

PATIENT_ADDRESS = "patient@example.com"
BASE_ARGS = [
    "handout",
    "micropenning",
    "--patient",
    "Zoë O'Brien-Núñez",
    "--date",
    "2026-11-22",
    "--yes",
]


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def attachment(message: email.message.EmailMessage) -> tuple[str, bytes]:
    parts = [p for p in message.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert len(parts) == 1
    return parts[0].get_filename(), parts[0].get_content()


def test_email_delivers_one_message_from_the_clinic(smtp_server, in_tmp: Path) -> None:
    mailbox = Mailbox()
    settings = smtp_server(mailbox, auth_require_tls=False)
    result = CliRunner().invoke(
        main, [*BASE_ARGS, "-o", "h.pdf", "--email", PATIENT_ADDRESS], env=smtp_env(settings)
    )
    assert result.exit_code == 0, result.output
    received = mailbox.only_message()
    assert mailbox.received[0].rcpt_tos == [PATIENT_ADDRESS]
    assert received["From"].addresses[0].addr_spec == "aftercare@harbourside-skin.example"
    assert received["From"].addresses[0].display_name == "Harbourside Skin Clinic"
    assert received["To"] == PATIENT_ADDRESS
    assert received["Subject"] == "Your aftercare instructions from Harbourside Skin Clinic"
    assert received["Date"] and received["Message-ID"]
    text = received.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = received.get_body(("html",)).get_content()
    assert text.splitlines()[:6] == [
        "Dear Zoë O'Brien-Núñez,",
        "",
        "Here is your aftercare for Micropenning (procedure on Sunday 22 November 2026), with"
        " the dates that apply to you.",
        "The handout is attached as a PDF to print, and the dates as a calendar file you can"
        " add to your phone.",
        "",
        "== Your recovery, step by step ==",
    ]
    # The email is the handout itself: every phase with its dates, and the
    # clinic's way to reach someone out of hours.
    assert "\nDays 2-7 (Tue 24 Nov to Sun 29 Nov 2026)\n" in text
    assert "call us at 01632 960 418" in text
    assert "page the 24-hour on-call nurse" in text
    assert "text/calendar" in {p.get_content_type() for p in received.iter_attachments()}
    assert text.rstrip().endswith("01632 960 418\nharbourside-skin.example")
    assert "Dear <bdi>Zoë O&#39;Brien-Núñez</bdi>," in html
    name, data = attachment(received)
    assert name == "Micropenning aftercare - Harbourside Skin Clinic.pdf"
    assert data == (in_tmp / "h.pdf").read_bytes()
    assert PASSWORD not in result.output


def test_email_over_starttls_with_a_trusted_certificate(
    in_tmp: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # A throwaway CA; the CLI trusts it through SSL_CERT_FILE like any OpenSSL client.
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    ca_file = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    mailbox = Mailbox()
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=server_context,
        require_starttls=True,
        authenticator=accept_frontdesk,
    )
    controller.start()
    try:
        server = SimpleNamespace(host="127.0.0.1", port=controller.port)
        env = smtp_env(server, HANDOUTS_SMTP_SECURITY="starttls", SSL_CERT_FILE=str(ca_file))
        result = CliRunner().invoke(
            main, [*BASE_ARGS, "-o", "h.pdf", "--email", PATIENT_ADDRESS], env=env
        )
    finally:
        controller.stop()
    assert result.exit_code == 0, result.output
    assert attachment(mailbox.only_message())[1] == (in_tmp / "h.pdf").read_bytes()


def test_refused_recipient_exits_1_and_keeps_the_pdf(smtp_server, in_tmp: Path) -> None:
    mailbox = Mailbox(refuse_recipients={PATIENT_ADDRESS})
    settings = smtp_server(mailbox, auth_require_tls=False)
    result = CliRunner().invoke(
        main, [*BASE_ARGS, "-o", "h.pdf", "--email", PATIENT_ADDRESS], env=smtp_env(settings)
    )
    assert result.exit_code == 1
    assert PATIENT_ADDRESS in result.output
    assert ". The handout itself was saved as h.pdf." in result.output
    assert "Traceback" not in result.output
    assert (in_tmp / "h.pdf").read_bytes().startswith(b"%PDF-")


def test_refused_login_exits_1_without_the_password(smtp_server, in_tmp: Path) -> None:
    settings = smtp_server(Mailbox(), auth_require_tls=False)
    env = smtp_env(settings, HANDOUTS_SMTP_PASSWORD="wrong-" + PASSWORD)
    result = CliRunner().invoke(
        main, [*BASE_ARGS, "-o", "h.pdf", "--email", PATIENT_ADDRESS], env=env
    )
    assert result.exit_code == 1
    assert "login" in result.output.lower()
    assert PASSWORD not in result.output


def test_unreachable_server_and_missing_settings(in_tmp: Path) -> None:
    env = {
        "HANDOUTS_SMTP_HOST": "127.0.0.1",
        "HANDOUTS_SMTP_PORT": str(free_port()),
        "HANDOUTS_SMTP_SECURITY": "none",
    }
    result = CliRunner().invoke(
        main, [*BASE_ARGS, "-o", "h.pdf", "--email", PATIENT_ADDRESS], env=env
    )
    assert result.exit_code == 1
    assert "127.0.0.1" in result.output
    result = CliRunner().invoke(
        main,
        [*BASE_ARGS, "-o", "h2.pdf", "--email", PATIENT_ADDRESS],
        env={"HANDOUTS_SMTP_HOST": ""},
    )
    assert result.exit_code == 1
    assert "HANDOUTS_SMTP_HOST" in result.output
    assert not (in_tmp / "h2.pdf").exists()  # checked before anything is made


def test_bad_address_exits_1(in_tmp: Path) -> None:
    result = CliRunner().invoke(
        main, [*BASE_ARGS, "-o", "h.pdf", "--eml", "m.eml", "--email", "not-an-address"]
    )
    assert result.exit_code == 1
    assert "not a valid email address: not-an-address" in result.output
    assert not (in_tmp / "m.eml").exists()
    assert not (in_tmp / "h.pdf").exists()


def test_eml_file_opens_as_a_message_with_the_pdf(in_tmp: Path) -> None:
    result = CliRunner().invoke(
        main, [*BASE_ARGS, "-o", "h.pdf", "--email", PATIENT_ADDRESS, "--eml", "m.eml"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == ["h.pdf", "m.eml"]
    message = email.message_from_bytes((in_tmp / "m.eml").read_bytes(), policy=policy.default)
    assert message["To"] == PATIENT_ADDRESS
    assert message["X-Unsent"] == "1"
    assert attachment(message)[1] == (in_tmp / "h.pdf").read_bytes()
    assert (in_tmp / "m.eml").stat().st_mode & 0o077 == 0


def test_eml_needs_an_address(in_tmp: Path) -> None:
    result = CliRunner().invoke(main, [*BASE_ARGS, "--eml", "m.eml"])
    assert result.exit_code == 2
    assert "--eml needs --email" in result.output


def test_print_reaches_the_cups_pdf_printer(cups_queue: CupsQueue, in_tmp: Path) -> None:
    marker = unique_marker("Printcheck ")
    since = time.time() - 1
    args = [
        "handout",
        "micropenning",
        "--patient",
        marker,
        "--date",
        "2026-11-22",
        "--yes",
        "-o",
        "p.pdf",
    ]
    result = CliRunner().invoke(main, [*args, "--print", "--printer", cups_queue.name])
    assert result.exit_code == 0, result.output
    assert "printed: CUPS job" in result.output
    printed = cups_queue.wait_for_pdf(marker, since=since)
    assert "Micropenning aftercare" in pdf_text(printed.read_bytes())


def test_print_on_an_unknown_printer_exits_1(cups_queue: CupsQueue, in_tmp: Path) -> None:
    result = CliRunner().invoke(
        main, [*BASE_ARGS, "-o", "p.pdf", "--print", "--printer", "NoSuchPrinter"]
    )
    assert result.exit_code == 1
    assert "NoSuchPrinter" in result.output
    assert (in_tmp / "p.pdf").exists()


def test_clinic_default_printer_is_used(cups_queue: CupsQueue, in_tmp: Path) -> None:
    # Magnolia's branding names the printer FrontDesk, which this CUPS does not have.
    result = CliRunner().invoke(
        main, ["handout", "microneedling", "--clinic", "magnolia", "-o", "p.pdf", "--print"]
    )
    assert result.exit_code == 1
    assert "FrontDesk" in result.output
