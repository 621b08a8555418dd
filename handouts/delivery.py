"""Handing a finished handout to the patient: email (SMTP or .eml) and printing.

Glue between a ``HandoutRequest`` and the transport modules: it picks the
clinic's sender address, the clinic-overridable email templates and the
clinic's default printer. The PDF is always on disk before any of this runs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2

from .delivery_log import DeliveryLog
from .errors import DeliveryError, HandoutError, InputError
from .mail import SmtpSettings, build_message, render_email, send_message, write_eml
from .printing import print_pdf
from .rendering import HandoutRequest, date_formatter, environment_for, make_request

if TYPE_CHECKING:
    from .batch import Job
    from .content import Content
    from .runner import Outcome


def attachment_name(request: HandoutRequest) -> str:
    """A readable file name for the attachment; no patient name in it."""
    return f"{request.protocol.procedure} aftercare - {request.clinic.name}.pdf"


def handout_message(request: HandoutRequest, recipient: str, pdf: bytes) -> EmailMessage:
    clinic = request.clinic
    date_text = None
    if request.procedure_date is not None:
        long_date = date_formatter(clinic.date_style, request.protocol.language, "long")
        date_text = long_date(request.procedure_date)
    try:
        subject, text_body, html_body = render_email(
            environment_for(request),
            {
                "clinic": clinic,
                "protocol": request.protocol,
                "patient_name": request.patient_name,
                "procedure_date_text": date_text,
            },
        )
    except jinja2.TemplateError as error:
        where = f"{error.filename}:{error.lineno}: " if getattr(error, "lineno", None) else ""
        raise DeliveryError(f"email template {where}{error}") from None
    return build_message(
        sender=clinic.email,
        sender_name=clinic.name,
        recipient=recipient,
        subject=subject,
        text_body=text_body,
        html_body=html_body,
        pdf=pdf,
        attachment_name=attachment_name(request),
    )


def email_handout(
    request: HandoutRequest,
    recipient: str,
    pdf: bytes,
    environ: Mapping[str, str] | None = None,
) -> None:
    """Send the handout by SMTP, with settings from the HANDOUTS_SMTP_* variables."""
    settings = SmtpSettings.from_env(os.environ if environ is None else environ)
    send_message(handout_message(request, recipient, pdf), settings)


def save_eml(request: HandoutRequest, recipient: str, pdf: bytes, path: Path) -> Path:
    write_eml(handout_message(request, recipient, pdf), path)
    return path


def print_handout(
    request: HandoutRequest, pdf_path: Path, printer: str | None = None, copies: int = 1
) -> str:
    """Queue the PDF on the given printer, else the clinic's, else the CUPS default."""
    title = f"{request.protocol.procedure} aftercare"  # job titles are logged: no patient name
    return print_pdf(
        pdf_path, printer=printer or request.clinic.printer, copies=copies, title=title
    )


class BatchDelivery:
    """Emails and/or prints each handout of a batch, once.

    Runs in the batch's parent process, row by row, after the PDF is on disk.
    What was already delivered from this folder (the folder's delivery log,
    and the manifest's ``delivered`` column) is not sent again on a re-run,
    so patients do not get the same email twice, even after other lists
    have run into the same folder; what failed is tried again. A failure is
    recorded on the row and the batch goes on.
    """

    def __init__(
        self,
        content: Content,
        out_dir: Path,
        *,
        email: bool = False,
        print_: bool = False,
        printer: str | None = None,
        copies: int = 1,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.content = content
        self.out_dir = out_dir
        self.email = email
        self.print_ = print_
        self.printer = printer
        self.copies = copies
        self.log = DeliveryLog(out_dir)
        # Read (and check) the SMTP settings before any handout is made.
        env = os.environ if environ is None else environ
        self.smtp = SmtpSettings.from_env(env) if email else None

    def __call__(self, job: Job, outcome: Outcome) -> Outcome:
        problems: list[str] = []
        done = set(filter(None, outcome.delivered.split("+")))
        logged = self.log.delivered(job.output)
        for how in sorted(done - logged):
            # Recorded only in a manifest from before the log existed: copy it
            # over before another list's run replaces that manifest.
            problems += self._record(job.output, how)
        done |= logged
        request = make_request(
            self.content, job.protocol_id, job.clinic_id, job.patient, job.procedure_date
        )
        path = self.out_dir / job.output
        if self.email and "emailed" not in done:
            try:
                if not job.email:
                    raise InputError("no address in the email column")
                message = handout_message(request, job.email, path.read_bytes())
                send_message(message, self.smtp)  # type: ignore[arg-type]
                done.add("emailed")
                problems += self._record(job.output, "emailed")
            except HandoutError as error:
                problems.append(f"email not sent: {error}")
        if self.print_ and "printed" not in done:
            try:
                print_handout(request, path, self.printer, self.copies)
                done.add("printed")
                problems += self._record(job.output, "printed")
            except HandoutError as error:
                problems.append(f"not printed: {error}")
        delivered = "+".join(sorted(done))
        return replace(outcome, delivered=delivered, error="; ".join(problems))

    def _record(self, output: str, how: str) -> list[str]:
        """Log a delivery; a log that cannot be written is a problem on the row, not a crash."""
        try:
            self.log.record(output, how)
        except OSError as error:
            again = "sent" if how == "emailed" else "printed"
            return [f"could not record in {self.log.path} that it was {how} "
                    f"({error.strerror}), so a re-run may have it {again} again"]
        return []
