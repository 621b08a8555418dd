"""One finished handout to its patient: an email (SMTP or ``.eml``) or a print job.

Glue between a ``HandoutSpec`` and the transports: the clinic's sender
address, the clinic-overridable email templates, the clinic's default printer.
The PDF is always on disk before any of this runs.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from ..content.catalogs import catalog, text_direction
from ..errors import DeliveryError
from ..render.page import HandoutSpec, date_formatter, page_context
from ..render.qr import phone_digits
from .mail import SmtpSettings, build_message, render_email, send_message, write_eml
from .printing import print_pdf


def _aftercare(spec: HandoutSpec) -> str:
    """The running title, e.g. "Micro-Needling aftercare", in the handout's language."""
    wording = catalog(spec.language).gettext("%(procedure)s aftercare")
    return wording % {"procedure": spec.protocol.procedure}


def attachment_name(spec: HandoutSpec) -> str:
    """A readable file name for the attachment; no patient name in it."""
    return f"{_aftercare(spec)} - {spec.clinic.name}.pdf"


def print_title(spec: HandoutSpec) -> str:
    """The print job's title; CUPS logs job titles, so never the patient's name."""
    return _aftercare(spec)


def email_context(spec: HandoutSpec, has_calendar: bool) -> dict[str, Any]:
    """What the email templates see: the page's own context (timeline, rules, products,
    date formats) and the few things only an email has."""
    clinic = spec.clinic
    context = page_context(spec)
    date_text = None
    if spec.procedure_date is not None:
        long_date = date_formatter(clinic.date_style, spec.language, "long")
        date_text = long_date(spec.procedure_date)
    url = clinic.booking.url
    context.update(
        {
            "procedure_date_text": date_text,
            "direction": text_direction(spec.language),
            "has_calendar": has_calendar,
            "phone_uri": phone_uri(clinic.phone),
            "booking_link": Markup('<a href="{0}">{0}</a>').format(url) if url else None,
        }
    )
    return context


def phone_uri(phone: str) -> str:
    """A tel: link's number: digits and a leading +, as phones dial it."""
    return phone_digits(phone)


def handout_message(
    spec: HandoutSpec, recipient: str, pdf: bytes, *, stamp: dt.datetime | None = None
) -> EmailMessage:
    """The handout as an email: the whole handout in the body, the PDF and (with a
    procedure date) the calendar attached. ``stamp`` fixes the calendar's DTSTAMP."""
    clinic = spec.clinic
    calendar = None
    if spec.procedure_date is not None:
        from ..render.calendar import build_calendar

        calendar = build_calendar(spec, stamp)
    try:
        subject, text_body, html_body = render_email(
            spec.environment, email_context(spec, calendar is not None)
        )
    except jinja2.TemplateError as error:
        line = getattr(error, "lineno", None)
        where = f"{getattr(error, 'filename', '')}:{line}: " if line else ""
        raise DeliveryError(f"email template {where}{error}") from None
    return build_message(
        sender=clinic.email,
        sender_name=clinic.name,
        recipient=recipient,
        subject=subject,
        text_body=text_body,
        html_body=html_body,
        pdf=pdf,
        attachment_name=attachment_name(spec),
        calendar=calendar,
    )


def email_handout(
    spec: HandoutSpec,
    recipient: str,
    pdf: bytes,
    settings: SmtpSettings | None = None,
    environ: Mapping[str, str] | None = None,
) -> None:
    """Send the handout by SMTP, with settings given or read from HANDOUTS_SMTP_*."""
    if settings is None:
        settings = SmtpSettings.from_env(os.environ if environ is None else environ)
    send_message(handout_message(spec, recipient, pdf), settings)


def save_eml(spec: HandoutSpec, recipient: str, pdf: bytes, path: Path) -> Path:
    write_eml(handout_message(spec, recipient, pdf), path)
    return path


def print_handout(
    spec: HandoutSpec, pdf_path: Path, printer: str | None = None, copies: int = 1
) -> str:
    """Queue the PDF on the given printer, else the clinic's, else the CUPS default."""
    return print_pdf(
        pdf_path, printer=printer or spec.clinic.printer, copies=copies, title=print_title(spec)
    )
