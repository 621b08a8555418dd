"""Send the follow-ups that are due: claim, send, mark; at most once each.

A send whose outcome is unknown (the server had the whole message but did not
confirm it, or this process died after claiming) is never repeated: the row
stays ``uncertain`` (or ``sending``) for staff to see. A send refused for
certain goes back to ``scheduled`` and is tried again on a later run, up to
``MAX_ATTEMPTS`` times.

Nothing here logs a patient's name or address; log lines name rows by id.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import jinja2

from ..content.catalogs import text_direction
from ..content.store import ContentStore
from ..content.templates import template_environment
from ..deliver.channels import phone_uri
from ..deliver.mail import SmtpSettings, build_message, render_email, send_message
from ..errors import DeliveryError, HandoutError, MaybeDelivered
from ..render.page import date_formatter
from .outbox import FollowUpRow, FollowUpState, Outbox
from .plan import STALE_AFTER, clinic_zone, may_send_now

log = logging.getLogger("handouts.follow_ups")

Sender = Callable[[EmailMessage, SmtpSettings], None]


@dataclass
class SendReport:
    """What one run did, by outcome; ``waiting`` are due but outside the clinic's hours."""

    sent: int = 0
    uncertain: int = 0
    retry_later: int = 0
    failed: int = 0
    expired: int = 0
    waiting: int = 0
    taken_by_another: int = 0
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [f"{self.sent} sent"]
        for name in ("uncertain", "retry_later", "failed", "expired", "waiting"):
            count = getattr(self, name)
            if count:
                parts.append(f"{count} {name.replace('_', ' ')}")
        return ", ".join(parts)


def stop_url(public_url: str | None, token: str) -> str | None:
    if not public_url:
        return None
    return f"{public_url.rstrip('/')}/follow-ups/stop/{urllib.parse.quote(token)}"


def follow_up_message(
    store: ContentStore, row: FollowUpRow, public_url: str | None = None
) -> EmailMessage:
    """The email for one follow-up: its heading and text, the handout's title, how to stop."""
    base = store.clinic(row.clinic)
    clinic = base.in_language(row.language)
    environment = template_environment(
        store.templates_dir, store.clinic_dir(base.id) / "templates", row.language
    )
    link = stop_url(public_url, row.handout)
    context: dict[str, Any] = {
        "clinic": clinic,
        "language": row.language,
        "direction": text_direction(row.language),
        "heading": row.heading,
        "text": row.text,
        "title": row.title,
        "procedure_date_text": date_formatter(clinic.date_style, row.language, "long")(
            row.procedure_date
        ),
        "phone_uri": phone_uri(clinic.phone),
        "stop_url": link,
    }
    try:
        subject, text_body, html_body = render_email(
            environment,
            context,
            ("email/follow_up_subject.txt", "email/follow_up.txt", "email/follow_up.html"),
        )
    except jinja2.TemplateError as error:
        raise DeliveryError(f"follow-up email template: {error}") from None
    # RFC 2369 and 8058: mail programs show an "unsubscribe" button for these.
    stop_mail = f"mailto:{clinic.email}?subject=" + urllib.parse.quote(f"STOP {row.handout}")
    headers = {"List-Unsubscribe": f"<{stop_mail}>"}
    if link:
        headers["List-Unsubscribe"] = f"<{link}>, <{stop_mail}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    headers["Auto-Submitted"] = "auto-generated"  # out-of-office replies stay away
    return build_message(
        sender=clinic.email,
        sender_name=clinic.name,
        recipient=row.recipient,
        subject=subject,
        text_body=text_body,
        html_body=html_body,
        pdf=b"",
        attachment_name="",
        headers=headers,
    )


def sender_id() -> str:
    """Who claimed a row: this host and process, for a row left at 'sending'."""
    return f"{socket.gethostname()}:{os.getpid()}"


def send_due(
    outbox: Outbox,
    store: ContentStore,
    settings: SmtpSettings,
    now: dt.datetime,
    *,
    public_url: str | None = None,
    send: Sender | None = None,
    claimant: str | None = None,
) -> SendReport:
    """Send every follow-up due at ``now`` (an aware datetime from the caller's clock)."""
    deliver: Sender = send or (lambda message, smtp: send_message(message, smtp, attempts=1))
    claimant = claimant or sender_id()
    report = SendReport()
    for row in outbox.due(now, limit=100_000):
        try:
            clinic = store.clinic(row.clinic)
        except HandoutError as error:
            report.problems.append(f"follow-up {row.id}: {error}")
            continue
        if now - row.due > STALE_AFTER:
            if outbox.expire(row.id, now):
                report.expired += 1
            continue
        if not clinic.follow_ups.send:
            report.waiting += 1  # the clinic paused them; they go when it resumes
            continue
        if not may_send_now(clinic.follow_ups, clinic_zone(clinic), now):
            report.waiting += 1
            continue
        try:
            message = follow_up_message(store, row, public_url)
        except HandoutError as error:
            report.problems.append(f"follow-up {row.id}: {error}")
            continue
        if not outbox.claim(row.id, claimant, now):
            report.taken_by_another += 1
            continue
        _send_one(outbox, row, message, settings, deliver, now, report)
    return report


def _send_one(
    outbox: Outbox,
    row: FollowUpRow,
    message: EmailMessage,
    settings: SmtpSettings,
    deliver: Sender,
    now: dt.datetime,
    report: SendReport,
) -> None:
    try:
        deliver(message, settings)
    except MaybeDelivered as error:
        outbox.finish(row.id, FollowUpState.UNCERTAIN, now, str(error))
        report.uncertain += 1
        log.warning("follow-up %d may have been sent; not sent again", row.id)
    except DeliveryError as error:
        outbox.release(row.id, str(error))
        report.retry_later += 1
        report.problems.append(f"follow-up {row.id}: {error}")
        # The server's reply can name the address: the log gets the row's id only.
        log.warning("follow-up %d not sent; tried again on a later run", row.id)
    else:
        # (Killed or a bug mid-send: the row stays 'sending', which counts as
        # "may have been sent" and is never repeated by itself.)
        outbox.finish(row.id, FollowUpState.SENT, now)
        report.sent += 1
        log.info("follow-up %d sent", row.id)
