"""Email against a real SMTP server (aiosmtpd on 127.0.0.1), in plain SMTP, STARTTLS and SSL."""

from __future__ import annotations

import dataclasses
import datetime as dt
import email.utils
import gettext
import re
import stat
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jinja2
import pytest

from handouts.content.templates import make_environment
from handouts.deliver.mail import SmtpSettings, build_message, render_email, send_message, write_eml
from handouts.errors import DeliveryError, InputError
from tests.support.smtp import (
    PASSWORD,
    PATIENT,
    USER,
    Mailbox,
    free_port,
    refuse_everyone,
)

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"


def starttls(settings: SmtpSettings) -> SmtpSettings:
    return SmtpSettings(settings.host, settings.port, USER, PASSWORD, "starttls")


def assert_is_the_handout(received: EmailMessage, pdf: bytes) -> None:
    assert received["From"] == "Harbour Skin Clinic <info@harbour-skin.example>"
    assert received["To"] == PATIENT
    assert received["Reply-To"] == "frontdesk@harbour-skin.example"
    assert received["Subject"] == "Your aftercare instructions from Harbour Skin Clinic"
    assert email.utils.parsedate_to_datetime(received["Date"]).tzinfo is not None
    assert re.fullmatch(r"<[^<>@\s]+@harbour-skin\.example>", received["Message-ID"])
    text = received.get_body(preferencelist=("plain",))
    html = received.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    # Mail travels with CRLF line ends; compare the words, not the line-end convention.
    assert text.get_content().replace("\r\n", "\n") == "Dear Ana,\nyour handout is attached.\n"
    assert "your handout is <b>attached</b>" in html.get_content()
    [attachment] = received.iter_attachments()
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "Aftercare - Microneedling.pdf"
    assert attachment.get_content() == pdf


def assert_no_password(error: BaseException) -> None:
    seen: BaseException | None = error
    while seen is not None:
        assert PASSWORD not in str(seen)
        assert PASSWORD not in repr(seen)
        seen = seen.__cause__ or seen.__context__


# --- delivery ----------------------------------------------------------------


def test_plain_smtp_delivers_headers_bodies_and_the_exact_pdf(
    smtp_server: Any, message: EmailMessage, pdf: bytes
) -> None:
    mailbox = Mailbox()
    settings = smtp_server(mailbox, auth_require_tls=False)

    send_message(message, settings, pause=0)

    assert_is_the_handout(mailbox.only_message(), pdf)
    assert mailbox.received[0].mail_from == "info@harbour-skin.example"
    assert mailbox.received[0].rcpt_tos == [PATIENT]


def test_starttls_with_a_trusted_certificate_delivers(
    smtp_server: Any, tls: SimpleNamespace, message: EmailMessage, pdf: bytes
) -> None:
    mailbox = Mailbox()
    settings = smtp_server(mailbox, tls_context=tls.server, require_starttls=True)

    send_message(message, starttls(settings), pause=0, context=tls.client)

    assert_is_the_handout(mailbox.only_message(), pdf)


def test_ssl_from_the_first_byte_delivers(
    smtp_server: Any, tls: SimpleNamespace, message: EmailMessage, pdf: bytes
) -> None:
    mailbox = Mailbox()
    # aiosmtpd counts only STARTTLS as encrypted when deciding whether to offer AUTH.
    settings = smtp_server(mailbox, ssl_context=tls.server, auth_require_tls=False)
    settings = SmtpSettings(settings.host, settings.port, USER, PASSWORD, "ssl")

    send_message(message, settings, pause=0, context=tls.client)

    assert_is_the_handout(mailbox.only_message(), pdf)


def test_an_untrusted_certificate_is_a_tls_failure(
    smtp_server: Any, tls: SimpleNamespace, message: EmailMessage
) -> None:
    mailbox = Mailbox()
    settings = smtp_server(mailbox, tls_context=tls.server, require_starttls=True)

    with pytest.raises(DeliveryError, match=r"secure \(TLS\) connection.*certificate") as caught:
        send_message(message, starttls(settings), pause=0)  # system CAs only

    assert mailbox.received == []
    assert_no_password(caught.value)


def test_starttls_refused_when_the_server_does_not_offer_it(
    smtp_server: Any, message: EmailMessage
) -> None:
    settings = smtp_server(Mailbox(), auth_require_tls=False)

    with pytest.raises(DeliveryError, match="does not offer STARTTLS"):
        send_message(message, starttls(settings), pause=0)


def test_a_refused_login_says_so_without_the_password(
    smtp_server: Any, message: EmailMessage
) -> None:
    mailbox = Mailbox()
    settings = smtp_server(mailbox, authenticator=refuse_everyone, auth_require_tls=False)

    with pytest.raises(DeliveryError, match="refused the login for frontdesk") as caught:
        send_message(message, settings, pause=0)

    assert mailbox.received == []
    assert_no_password(caught.value)


def test_a_refused_recipient_is_named(smtp_server: Any, message: EmailMessage) -> None:
    mailbox = Mailbox(refuse_recipients={PATIENT})
    settings = smtp_server(mailbox, auth_require_tls=False)

    expected = re.escape(f"refused the recipient address {PATIENT}")
    with pytest.raises(DeliveryError, match=expected) as caught:
        send_message(message, settings, pause=0)

    assert "550" in str(caught.value)
    assert_no_password(caught.value)


def test_temporary_failures_are_retried_until_accepted(
    smtp_server: Any, message: EmailMessage, pdf: bytes
) -> None:
    mailbox = Mailbox(temporary_failures=2)
    settings = smtp_server(mailbox, auth_require_tls=False)

    send_message(message, settings, attempts=3, pause=0)

    assert mailbox.data_attempts == 3
    assert_is_the_handout(mailbox.only_message(), pdf)


def test_a_connection_dropped_before_the_message_is_complete_is_retried(
    smtp_server: Any, message: EmailMessage, pdf: bytes
) -> None:
    mailbox = Mailbox(dropped_connections=1)
    settings = smtp_server(mailbox, auth_require_tls=False)

    send_message(message, settings, attempts=2, pause=0)

    assert mailbox.rcpt_attempts == 2
    assert mailbox.data_attempts == 1
    assert_is_the_handout(mailbox.only_message(), pdf)


def test_temporary_failures_give_up_after_the_last_attempt(
    smtp_server: Any, message: EmailMessage
) -> None:
    mailbox = Mailbox(temporary_failures=5)
    settings = smtp_server(mailbox, auth_require_tls=False)

    with pytest.raises(DeliveryError, match=r"temporarily.*451.*gave up after 3 attempts"):
        send_message(message, settings, attempts=3, pause=0)

    assert mailbox.data_attempts == 3
    assert mailbox.received == []


def test_permanent_failures_are_not_retried(smtp_server: Any, message: EmailMessage) -> None:
    mailbox = Mailbox(permanent_failure="554 5.7.1 Message refused")
    settings = smtp_server(mailbox, auth_require_tls=False)

    with pytest.raises(DeliveryError, match=r"rejected the message.*554"):
        send_message(message, settings, attempts=3, pause=0)

    assert mailbox.data_attempts == 1


def test_an_unreachable_server_names_host_and_port(message: EmailMessage) -> None:
    port = free_port()  # nothing listens here once the probe socket is closed
    settings = SmtpSettings("127.0.0.1", port, USER, PASSWORD, "none")

    expected = re.escape(f"Could not reach the mail server at 127.0.0.1:{port}")
    with pytest.raises(DeliveryError, match=expected):
        send_message(message, settings, pause=0)


# --- settings ------------------------------------------------------------------


def test_settings_from_the_environment() -> None:
    settings = SmtpSettings.from_env(
        {
            "HANDOUTS_SMTP_HOST": "mail.example.org",
            "HANDOUTS_SMTP_USER": USER,
            "HANDOUTS_SMTP_PASSWORD": PASSWORD,
        }
    )

    assert settings == SmtpSettings("mail.example.org", 587, USER, PASSWORD, "starttls")
    assert PASSWORD not in repr(settings)
    assert PASSWORD not in str(settings)


@pytest.mark.parametrize(("security", "port"), [("ssl", 465), ("none", 25), ("STARTTLS", 587)])
def test_default_port_follows_security(security: str, port: int) -> None:
    environ = {"HANDOUTS_SMTP_HOST": "mail.example.org", "HANDOUTS_SMTP_SECURITY": security}

    assert SmtpSettings.from_env(environ).port == port


def test_an_explicit_port_wins() -> None:
    environ = {"HANDOUTS_SMTP_HOST": "mail.example.org", "HANDOUTS_SMTP_PORT": "2525"}

    assert SmtpSettings.from_env(environ).port == 2525


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({}, "HANDOUTS_SMTP_HOST"),
        ({"HANDOUTS_SMTP_HOST": "  "}, "HANDOUTS_SMTP_HOST"),
        ({"HANDOUTS_SMTP_HOST": "h", "HANDOUTS_SMTP_PORT": "smtp"}, "HANDOUTS_SMTP_PORT"),
        ({"HANDOUTS_SMTP_HOST": "h", "HANDOUTS_SMTP_PORT": "70000"}, "HANDOUTS_SMTP_PORT"),
        ({"HANDOUTS_SMTP_HOST": "h", "HANDOUTS_SMTP_SECURITY": "tls"}, "HANDOUTS_SMTP_SECURITY"),
        ({"HANDOUTS_SMTP_HOST": "h", "HANDOUTS_SMTP_USER": "u"}, "HANDOUTS_SMTP_PASSWORD"),
        ({"HANDOUTS_SMTP_HOST": "h", "HANDOUTS_SMTP_PASSWORD": PASSWORD}, "HANDOUTS_SMTP_USER"),
    ],
)
def test_bad_settings_name_the_variable(environ: dict[str, str], variable: str) -> None:
    with pytest.raises(DeliveryError, match=variable) as caught:
        SmtpSettings.from_env(environ)

    assert_no_password(caught.value)


# --- the message -------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "",
        "jane",
        "jane@",
        "@example.org",
        "jane@@example.org",
        "jane doe@example.org",
        "Jane <jane@example.org>",
        "jane@gmailcom",
        "jane@example..org",
        "jane@example.org\r\nBcc: everyone@example.org",
        "jane@example.org, other@example.org",
    ],
)
def test_malformed_recipients_are_input_errors(pdf: bytes, address: str) -> None:
    with pytest.raises(InputError, match="not a valid email address"):
        build_message(
            sender="info@harbour-skin.example",
            sender_name="Harbour Skin",
            recipient=address,
            subject="s",
            text_body="t",
            html_body="<p>h</p>",
            pdf=pdf,
            attachment_name="handout.pdf",
        )


def test_message_cleans_names_and_headers(pdf: bytes) -> None:
    message = build_message(
        sender="info@müller-haut.example",
        sender_name="Müller\nHaut",
        recipient="  patient@example.org ",
        subject="Line one\r\nBcc: everyone@example.org",
        text_body="t",
        html_body="<p>h</p>",
        pdf=pdf,
        attachment_name="../../etc/Ana García aftercare",
        domain="handouts.example",
    )

    assert message["From"].addresses[0].display_name == "Müller Haut"
    assert message["From"].addresses[0].domain == "xn--mller-haut-9db.example"
    assert message["To"] == "patient@example.org"
    assert message["Subject"] == "Line one Bcc: everyone@example.org"
    assert message["Bcc"] is None
    assert message["Message-ID"].endswith("@handouts.example>")
    [attachment] = message.iter_attachments()
    assert attachment.get_filename() == "Ana García aftercare.pdf"


def test_eml_file_is_private_complete_and_opens_as_a_draft(
    tmp_path: Path, message: EmailMessage, pdf: bytes
) -> None:
    target = tmp_path / "handout.eml"
    target.write_text("an older file")

    write_eml(message, target)

    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["handout.eml"]  # no temporary left over
    saved = BytesParser(policy=default_policy).parsebytes(target.read_bytes())
    assert saved["X-Unsent"] == "1"
    assert saved["Message-ID"] == message["Message-ID"]
    assert_is_the_handout(saved, pdf)
    assert message["X-Unsent"] is None  # the message to send is untouched


def test_eml_into_a_missing_folder_creates_it_privately(
    tmp_path: Path, message: EmailMessage
) -> None:
    write_eml(message, tmp_path / "missing" / "handout.eml")
    assert stat.S_IMODE((tmp_path / "missing").stat().st_mode) & 0o077 == 0


def test_eml_that_cannot_be_written_is_a_delivery_error(
    tmp_path: Path, message: EmailMessage
) -> None:
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(DeliveryError, match="Could not write the email file"):
        write_eml(message, tmp_path / "file" / "handout.eml")


# --- subject and body templates --------------------------------------------------


@pytest.fixture
def env() -> jinja2.Environment:
    # The application's own environment (sandbox, autoescape, undefined rules,
    # the i18n extension), with the templates' English wording.
    return make_environment(TEMPLATES, None, gettext.NullTranslations())


def email_for(
    patient: str | None = "Ana García",
    date: dt.date | None = dt.date(2025, 3, 3),
    clinic: dict[str, Any] | None = None,
    procedure: str | None = None,
) -> dict[str, Any]:
    """The email templates' context for a real bundled handout, changed where a test says."""
    from handouts.content.bundled import BUNDLED_ROOT
    from handouts.content.store import ContentStore
    from handouts.deliver.channels import email_context
    from handouts.render.page import resolve_spec

    spec = resolve_spec(ContentStore(BUNDLED_ROOT), "microneedling", "magnolia", patient, date)
    changes: dict[str, Any] = {"clinic": spec.clinic.model_copy(update=clinic or {})}
    if procedure is not None:
        changes["protocol"] = spec.protocol.model_copy(update={"procedure": procedure})
    spec = dataclasses.replace(spec, **changes)
    return email_context(spec, has_calendar=date is not None)


def test_email_templates_use_the_context(env: jinja2.Environment) -> None:
    subject, text, html = render_email(env, email_for())

    assert subject == "Your aftercare instructions from Magnolia Dermatology & Laser"
    assert "\n" not in subject
    for body in (text, html):
        assert "Ana García" in body
        assert "Micro-Needling" in body
        assert "Monday, March 3, 2025" in body
        assert "(555) 010-2743" in body
        assert "after-hours message" in body
        assert "magnolia-derm.example" in body
        assert "calendar file" in body
    assert 'href="tel:5550102743"' in html


def test_email_templates_without_patient_or_optional_clinic_details(
    env: jinja2.Environment,
) -> None:
    context = email_for(None, None, {"website": None, "after_hours": None})
    _, text, html = render_email(env, context)

    assert text.startswith("Hello,")
    assert "None" not in text
    assert "None" not in html
    assert "procedure on" not in text
    assert "calendar file" not in text


def test_patient_names_are_text_not_templates(env: jinja2.Environment) -> None:
    context = email_for("{{7*7}} <b>", None, {"name": "Harbour & Co"}, "Peel <b>")
    _, text, html = render_email(env, context)

    assert "Dear {{7*7}} <b>," in text
    assert "Dear <bdi>{{7*7}} &lt;b&gt;</bdi>," in html
    assert "49" not in text + html
    assert "Harbour &amp; Co" in html
    assert "Peel &lt;b&gt;" in html


def test_a_multiline_subject_template_becomes_one_line(tmp_path: Path) -> None:
    override = tmp_path / "email"
    override.mkdir()
    (override / "subject.txt").write_text("Aftercare\nfrom {{ clinic.name }}\n")
    env = make_environment(TEMPLATES, tmp_path, gettext.NullTranslations())

    subject, _, _ = render_email(env, email_for(clinic={"name": "Harbour Skin Clinic"}))

    assert subject == "Aftercare from Harbour Skin Clinic"


# --- a handout's email in the patient's language -------------------------------


def test_spanish_handout_email_is_spanish_throughout(smtp_server: Any) -> None:
    import datetime as dt

    from handouts.content.bundled import BUNDLED_ROOT
    from handouts.content.store import ContentStore
    from handouts.deliver.channels import email_handout
    from handouts.render.page import resolve_spec

    spec = resolve_spec(
        ContentStore(BUNDLED_ROOT),
        "micropenning",
        "magnolia",
        "José Álvarez",
        dt.date(2026, 11, 23),
        language="es",
    )
    mailbox = Mailbox()
    settings = smtp_server(mailbox, auth_require_tls=False)

    email_handout(spec, PATIENT, b"%PDF-1.7 handout", settings)

    received = mailbox.only_message()
    # strip(): a subject this long is folded, and unfolding keeps the fold's space.
    assert received["Subject"].strip() == (
        "Sus instrucciones de cuidados posteriores de Magnolia Dermatology & Laser"
    )
    text = received.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = received.get_body(("html",)).get_content()
    assert text.startswith("Hola, José Álvarez:\n")
    assert "(procedimiento el lunes, 23 de noviembre de 2026)" in text
    assert "Saludos cordiales," in text and "Kind regards" not in text
    assert '<html lang="es" dir="ltr">' in html and "<bdi>José Álvarez</bdi>" in html
    assert "llame a nuestra consulta y siga las indicaciones" in text
    attachment = next(received.iter_attachments())
    assert attachment.get_filename() == (
        "Cuidados posteriores de Micropenning - Magnolia Dermatology & Laser.pdf"
    )
