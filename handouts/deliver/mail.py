"""Email a handout: settings from the environment, the message, SMTP delivery, .eml files.

Nothing here prints or logs. Every failure a clinic can act on becomes a
``DeliveryError`` (or ``InputError`` for a malformed address) whose message is
one sentence and never contains the SMTP password.

Once the message's final ``.`` has reached the server, the server may already
have accepted it even if its reply never arrives (a dropped line, a virus
scanner slower than our patience). Such a send is never retried: it raises
``MaybeDelivered`` so the caller can record it and tell the user, because a
patient getting the same email three times is worse than staff checking once.
Every send has one overall deadline, enforced by closing the socket, so a
server that trickles a byte every few seconds cannot keep anyone waiting.
"""

from __future__ import annotations

import contextlib
import copy
import email.errors
import email.utils
import functools
import os
import re
import smtplib
import socket
import ssl
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from pathlib import Path
from typing import Any, Literal

import jinja2

from ..errors import DeliveryError, InputError, MaybeDelivered
from ..inputs.limits import check_email
from ..private_files import write_atomic

Security = Literal["starttls", "ssl", "none"]
SECURITY_MODES: tuple[Security, ...] = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
DEFAULT_TIMEOUT = 60.0  # seconds for one whole send, retries included
MAX_TIMEOUT = 3600.0


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to hand messages to the clinic's mail server."""

    host: str
    port: int
    user: str | None = None
    # repr=False keeps the password out of reprs, tracebacks and test failure output.
    password: str | None = field(default=None, repr=False)
    security: Security = "starttls"
    timeout: float = DEFAULT_TIMEOUT  # one deadline for the whole send

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> SmtpSettings:
        """Read the HANDOUTS_SMTP_* variables; the password never comes from YAML."""
        host = environ.get("HANDOUTS_SMTP_HOST", "").strip()
        if not host:
            raise DeliveryError(
                "Email is not set up: HANDOUTS_SMTP_HOST is missing from the environment."
            )
        security = _security_from_env(environ.get("HANDOUTS_SMTP_SECURITY", ""))
        port = _port_from_env(environ.get("HANDOUTS_SMTP_PORT", ""), security)
        user = environ.get("HANDOUTS_SMTP_USER", "").strip() or None
        password = environ.get("HANDOUTS_SMTP_PASSWORD") or None
        if user and password is None:
            raise DeliveryError("HANDOUTS_SMTP_USER is set but HANDOUTS_SMTP_PASSWORD is not.")
        if password is not None and not user:
            raise DeliveryError("HANDOUTS_SMTP_PASSWORD is set but HANDOUTS_SMTP_USER is not.")
        timeout = _timeout_from_env(environ.get("HANDOUTS_SMTP_TIMEOUT", ""))
        return cls(host, port, user, password, security, timeout)

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def _security_from_env(raw: str) -> Security:
    wanted = raw.strip().lower() or "starttls"
    for mode in SECURITY_MODES:
        if mode == wanted:
            return mode
    raise DeliveryError(f"HANDOUTS_SMTP_SECURITY must be starttls, ssl or none, not {raw!r}.")


def _port_from_env(raw: str, security: str) -> int:
    raw = raw.strip()
    if not raw:
        return DEFAULT_PORTS[security]
    if raw.isdigit() and 0 < int(raw) < 65536:
        return int(raw)
    raise DeliveryError(f"HANDOUTS_SMTP_PORT must be a port number such as 587, not {raw!r}.")


def _timeout_from_env(raw: str) -> float:
    raw = raw.strip()
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds <= MAX_TIMEOUT:
        raise DeliveryError(
            f"HANDOUTS_SMTP_TIMEOUT must be a number of seconds from 1 to {MAX_TIMEOUT:g},"
            f" such as 60, not {raw!r}."
        )
    return seconds


# --- the message ---------------------------------------------------------------


def build_message(
    *,
    sender: str,
    sender_name: str,
    recipient: str,
    subject: str,
    text_body: str,
    html_body: str,
    pdf: bytes,
    attachment_name: str,
    reply_to: str | None = None,
    domain: str | None = None,
    calendar: bytes | None = None,
    headers: Mapping[str, str] | None = None,
) -> EmailMessage:
    """A text + HTML message with the PDF (and the calendar) attached, ready to send or save.

    ``headers`` are added as given (e.g. List-Unsubscribe on a follow-up).
    """
    from_address = _address(sender, display_name=sender_name)
    message = EmailMessage()
    message["From"] = from_address
    message["To"] = _address(recipient)
    if reply_to:
        message["Reply-To"] = _address(reply_to)
    message["Subject"] = _one_line(subject)
    message["Date"] = email.utils.formatdate(localtime=True)
    # Default to the clinic's own domain: make_msgid() would otherwise reveal this host's name.
    message["Message-ID"] = email.utils.make_msgid(domain=domain or from_address.domain)
    for name, value in (headers or {}).items():
        message[name] = _one_line(value)
    message.set_content(text_body)
    message.add_alternative(html_body, subtype="html")
    if pdf:
        message.add_attachment(
            pdf,
            maintype="application",
            subtype="pdf",
            filename=_attachment_file_name(attachment_name),
        )
    if calendar is not None:
        # text/calendar with method=PUBLISH: mail programs offer "add to calendar",
        # not an invitation to answer.
        message.add_attachment(
            calendar,
            maintype="text",
            subtype="calendar",
            filename=_attachment_file_name(attachment_name, ".ics"),
            params={"method": "PUBLISH"},
        )
    return message


def check_address(raw: str) -> None:
    """Refuse a malformed address up front, before any handout is made for it."""
    _address(raw)


def _address(raw: str, display_name: str = "") -> Address:
    text = check_email(raw)
    try:
        parsed = Address(addr_spec=text)
    except (ValueError, IndexError, email.errors.MessageError):
        raise InputError(f"not a valid email address: {raw}") from None
    # A dotless domain is almost always a typo ("jane@gmailcom"), not an intranet host.
    labels = parsed.domain.split(".")
    if len(labels) < 2 or not all(labels):
        raise InputError(f"not a valid email address: {raw}")
    try:
        # Punycode lets addresses like info@müller.de pass through servers without SMTPUTF8.
        ascii_domain = parsed.domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise InputError(f"not a valid email address: {raw}") from None
    return Address(_one_line(display_name), parsed.username, ascii_domain)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _attachment_file_name(name: str, suffix: str = ".pdf") -> str:
    # Only the last path part: "../x.pdf" must not steer where a mail program saves it.
    base = _one_line(name.replace("\\", "/").rsplit("/", 1)[-1]).lstrip(".") or "handout"
    if base.lower().endswith(".pdf"):
        base = base[:-4]
    return f"{base}{suffix}"


# --- writing an .eml file -------------------------------------------------------


def write_eml(message: EmailMessage, path: Path) -> None:
    """Save the message for staff to open and send from their own mail program.

    The file holds patient data: like a handout it is written atomically and
    readable by its owner only (missing folders are created owner-only too).
    """
    data = _as_draft(message).as_bytes(policy=SMTP_POLICY)
    try:
        write_atomic(Path(path), data)
    except OSError as error:
        raise DeliveryError(f"Could not write the email file {path}: {error.strerror}.") from error


def _as_draft(message: EmailMessage) -> EmailMessage:
    # Outlook opens an .eml as a received, read-only message unless it is marked unsent.
    draft = copy.deepcopy(message)
    del draft["X-Unsent"]
    draft["X-Unsent"] = "1"
    return draft


# --- rendering the subject and bodies -----------------------------------------


HANDOUT_EMAIL = ("email/subject.txt", "email/body.txt", "email/body.html")


def render_email(
    env: jinja2.Environment,
    context: dict[str, Any],
    templates: tuple[str, str, str] = HANDOUT_EMAIL,
) -> tuple[str, str, str]:
    """(subject, text body, HTML body) from the clinic-overridable email templates."""
    # The page templates trim newlines after block tags; plain-text email needs
    # its line breaks exactly as written in the template.
    env = env.overlay(trim_blocks=False, lstrip_blocks=False)
    subject_name, text_name, html_name = templates
    subject = env.get_template(subject_name).render(context)
    text_body = env.get_template(text_name).render(context)
    html_body = env.get_template(html_name).render(context)
    # Sections left out (no rules, no regimen) leave runs of blank lines behind.
    text_body = re.sub(r"\n{3,}", "\n\n", text_body.strip())
    return _one_line(subject), text_body + "\n", html_body


# --- sending --------------------------------------------------------------------


class _Transient(Exception):
    """A failure worth another attempt; carries the message to show if attempts run out."""


class _DeadlineMixin:
    """Remembers whether the message's final '.' went out, and can be cut off.

    ``data`` is the one step after which the outcome can be unknown, so it
    is done here in full (dot-stuffing, the final '.') to know that moment.
    """

    final_dot_sent = False
    cut_off = False
    sock: socket.socket | None

    def data(self, msg: bytes | str) -> tuple[int, bytes]:
        code, reply = self.docmd("data")  # type: ignore[attr-defined]
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        self.send(_dot_stuffed(msg))  # type: ignore[attr-defined]
        self.final_dot_sent = True
        return self.getreply()  # type: ignore[attr-defined,no-any-return]

    def cut(self) -> None:
        """Called by the deadline's timer: wake any blocked read or write."""
        self.cut_off = True
        sock = self.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


# The mixin's data() takes bytes or str, all smtplib ever passes it; typeshed's
# wider buffer type is the only difference.
class _Smtp(_DeadlineMixin, smtplib.SMTP):  # type: ignore[misc]
    pass


class _SmtpSsl(_DeadlineMixin, smtplib.SMTP_SSL):  # type: ignore[misc]
    pass


_LINE_END = re.compile(rb"\r\n|\r|\n")


def _dot_stuffed(msg: bytes | str) -> bytes:
    """The DATA payload: CRLF line ends, leading dots doubled, ending in CRLF '.' CRLF."""
    data = msg.encode("ascii") if isinstance(msg, str) else msg
    data = _LINE_END.sub(b"\r\n", data)
    data = re.sub(rb"(?m)^\.", b"..", data)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


def _default_context() -> ssl.SSLContext:
    # Keyed on where OpenSSL looks for trusted CAs, so a process that points
    # SSL_CERT_FILE elsewhere (a clinic's own CA) does not keep a stale context.
    return _context_trusting(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))


@functools.cache
def _context_trusting(cert_file: str | None, cert_dir: str | None) -> ssl.SSLContext:
    # Loading the CA certificates takes tens of milliseconds: once per process
    # and CA location, not once per message (a run of follow-ups sends thousands).
    # create_default_context reads SSL_CERT_FILE/SSL_CERT_DIR itself.
    return ssl.create_default_context()


def send_message(
    message: EmailMessage,
    settings: SmtpSettings,
    *,
    attempts: int = 3,
    pause: float = 2.0,
    context: ssl.SSLContext | None = None,
    timeout: float | None = None,
) -> None:
    """Hand the message to the SMTP server, retrying temporary (4xx) failures.

    The whole send, retries and pauses included, ends within ``timeout``
    seconds (default: the settings'). Raises ``MaybeDelivered`` when the
    server may have the message but did not confirm it; that is never retried.
    """
    context = context or _default_context()
    budget = settings.timeout if timeout is None else timeout
    deadline = time.monotonic() + budget
    for attempt in range(1, max(attempts, 1) + 1):
        try:
            _deliver_once(message, settings, context, deadline, budget)
        except _Transient as failure:
            if attempt >= attempts:
                raise DeliveryError(f"{failure} (gave up after {attempt} attempts).") from None
            if time.monotonic() + pause >= deadline:
                raise DeliveryError(
                    f"{failure}; no time was left for another attempt within the"
                    f" {budget:g} s allowed (HANDOUTS_SMTP_TIMEOUT)."
                ) from None
            time.sleep(pause)
        else:
            return


def _deliver_once(
    message: EmailMessage,
    settings: SmtpSettings,
    context: ssl.SSLContext,
    deadline: float,
    budget: float,
) -> None:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _too_slow(settings, budget)
    client: _Smtp | _SmtpSsl = (
        _SmtpSsl(context=context, timeout=remaining)
        if settings.security == "ssl"
        else _Smtp(timeout=remaining)
    )
    # The socket timeout bounds each read; this timer bounds all of them together.
    timer = threading.Timer(remaining, client.cut)
    timer.daemon = True
    timer.start()
    try:
        _connect(client, settings, budget)
        _secure(client, settings, context)
        _login(client, settings)
        refused = client.send_message(message)
        _quit_politely(client)
    except smtplib.SMTPRecipientsRefused as error:
        _recipients_refused(error.recipients)
    except smtplib.SMTPSenderRefused as error:
        _check_size(error.smtp_code, error.smtp_error, settings)
        _check_transient(error.smtp_code, error.smtp_error, settings)
        raise DeliveryError(
            f"The mail server refused the sender address {error.sender}"
            f" ({_reply(error.smtp_code, error.smtp_error)})."
        ) from None
    except smtplib.SMTPResponseException as error:
        _check_size(error.smtp_code, error.smtp_error, settings)
        _check_transient(error.smtp_code, error.smtp_error, settings)
        raise DeliveryError(
            f"The mail server at {settings.where} rejected the message"
            f" ({_reply(error.smtp_code, error.smtp_error)})."
        ) from None
    except (smtplib.SMTPServerDisconnected, OSError) as error:
        if client.final_dot_sent:
            raise _maybe_delivered(settings, budget, client.cut_off) from None
        if client.cut_off:
            raise _too_slow(settings, budget) from None
        # Mid-session socket trouble (reset, timeout, TLS record error) before
        # the message was complete: the server cannot have accepted it.
        raise _Transient(
            f"The connection to the mail server at {settings.where} was lost ({error})"
        ) from None
    finally:
        timer.cancel()
        # No QUIT after a failure: after a broken TLS handshake its reply could mask the cause.
        client.close()
    if refused:
        # Only some recipients failed: not retried, since the others already have the message.
        _recipients_refused(refused)


def _maybe_delivered(settings: SmtpSettings, budget: float, cut_off: bool) -> MaybeDelivered:
    why = (
        f"did not confirm it within the {budget:g} s allowed (HANDOUTS_SMTP_TIMEOUT)"
        if cut_off
        else "closed the connection before confirming it"
    )
    return MaybeDelivered(
        f"The message may have been sent: the mail server at {settings.where} received all"
        f" of it but {why}. It was not sent again, so the patient does not get two copies;"
        " check the clinic's sent mail or ask the patient before sending it again."
    )


def _too_slow(settings: SmtpSettings, budget: float) -> DeliveryError:
    return DeliveryError(
        f"The mail server at {settings.where} did not finish within the {budget:g} s allowed"
        " (HANDOUTS_SMTP_TIMEOUT); the message was not sent."
    )


def _quit_politely(client: smtplib.SMTP) -> None:
    # The message is already accepted; a failing goodbye must not turn into a resend.
    with contextlib.suppress(smtplib.SMTPException, OSError):
        client.quit()


def _connect(client: _Smtp | _SmtpSsl, settings: SmtpSettings, budget: float) -> None:
    client._host = settings.host  # type: ignore[union-attr]  # what STARTTLS checks against
    try:
        client.connect(settings.host, settings.port)
    except ssl.SSLError as error:
        raise _tls_failure(settings, error) from error
    except smtplib.SMTPConnectError as error:
        _check_transient(error.smtp_code, error.smtp_error, settings)
        raise DeliveryError(
            f"The mail server at {settings.where} refused the connection"
            f" ({_reply(error.smtp_code, error.smtp_error)})."
        ) from None
    except smtplib.SMTPServerDisconnected as error:
        if client.cut_off:
            raise _too_slow(settings, budget) from None
        raise _Transient(
            f"The mail server at {settings.where} closed the connection straight away ({error})"
        ) from None
    except OSError as error:
        if client.cut_off or isinstance(error, TimeoutError):
            raise _too_slow(settings, budget) from None
        raise DeliveryError(
            f"Could not reach the mail server at {settings.where}"
            f" ({error.strerror or error}); check HANDOUTS_SMTP_HOST and HANDOUTS_SMTP_PORT."
        ) from None


def _secure(client: smtplib.SMTP, settings: SmtpSettings, context: ssl.SSLContext) -> None:
    if settings.security != "starttls":
        return
    client.ehlo()
    if not client.has_extn("starttls"):
        raise DeliveryError(
            f"The mail server at {settings.where} does not offer STARTTLS;"
            " set HANDOUTS_SMTP_SECURITY to ssl or none if that is intended."
        )
    try:
        client.starttls(context=context)
    except ssl.SSLError as error:
        raise _tls_failure(settings, error) from error
    client.ehlo()


def _tls_failure(settings: SmtpSettings, error: ssl.SSLError) -> DeliveryError:
    reason = error.reason or type(error).__name__
    if isinstance(error, ssl.SSLCertVerificationError):
        reason = error.verify_message or reason
    return DeliveryError(
        f"Could not set up a secure (TLS) connection to the mail server at {settings.where}"
        f" ({reason})."
    )


def _login(client: smtplib.SMTP, settings: SmtpSettings) -> None:
    if not settings.user:
        return
    try:
        client.login(settings.user, settings.password or "")
    except smtplib.SMTPAuthenticationError as error:
        _check_transient(error.smtp_code, error.smtp_error, settings)
        # Server replies are left out on purpose: some echo the credentials back.
        raise DeliveryError(
            f"The mail server at {settings.where} refused the login for {settings.user};"
            " check HANDOUTS_SMTP_USER and HANDOUTS_SMTP_PASSWORD."
        ) from None
    except smtplib.SMTPNotSupportedError:
        raise DeliveryError(
            f"The mail server at {settings.where} does not accept a login on this connection;"
            " check HANDOUTS_SMTP_SECURITY."
        ) from None
    except smtplib.SMTPException:
        # smtplib's own "No suitable authentication method found."
        raise DeliveryError(
            f"The mail server at {settings.where} offers no login method this program supports."
        ) from None


def _recipients_refused(refused: Mapping[str, tuple[int, bytes]]) -> None:
    permanent = {a: r for a, r in refused.items() if not _is_transient(r[0])}
    if not permanent:
        address, (code, reply) = next(iter(refused.items()))
        raise _Transient(f"The mail server temporarily refused {address} ({_reply(code, reply)})")
    address, (code, reply) = next(iter(permanent.items()))
    raise DeliveryError(
        f"The mail server refused the recipient address {address} ({_reply(code, reply)})."
    )


def _check_size(code: int, reply: bytes | str, settings: SmtpSettings) -> None:
    # 552 (and its enhanced code 5.3.4) is the server's size limit, whatever step says it.
    if code == 552 or _reply(code, reply).startswith(f"{code} 5.3.4"):
        raise DeliveryError(
            f"The message is larger than the mail server at {settings.where} accepts"
            f" ({_reply(code, reply)}); the handout PDF is attached to it, so a smaller logo"
            " or font files make it smaller, or send the file another way."
        )


def _check_transient(code: int, reply: bytes | str, settings: SmtpSettings) -> None:
    if _is_transient(code):
        raise _Transient(
            f"The mail server at {settings.where} is temporarily not accepting mail"
            f" ({_reply(code, reply)})"
        )


def _is_transient(code: int) -> bool:
    return 400 <= code < 500


def _reply(code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return _one_line(f"{code} {text}")[:200]
