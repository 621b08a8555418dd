"""What the front desk is told when an email or a print fails, and what the server's log gets.

Staff can act on a wrong address or a wrong printer; they cannot set a
variable or start a service. So a message for the desk says what to do next
in the desk's words, and the library's own explanation (variable names,
commands, the mail server's reply) goes to the log, where whoever runs the
server reads it, and is summed up on the managers' Settings page.

The log line never holds a patient's name or email address: the address is
replaced before the line is written.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from enum import Enum

from .. import service
from ..errors import DeliveryError, InputError

log = logging.getLogger("handouts.web")

DOWNLOAD_INSTEAD = "press Download PDF and attach the file to an email yourself"
TELL_A_MANAGER = "tell a manager (the Settings page shows what is set up)"


class EmailTrouble(Enum):
    """Why an email could not be sent, as far as the desk needs to know."""

    NO_ADDRESS = "no address"
    BAD_ADDRESS = "bad address"
    NOT_SET_UP = "not set up"
    NOT_SENT = "not sent"
    UNCONFIRMED = "unconfirmed"  # the server had all of it but never said so


def email_problem(address: str, environ: Mapping[str, str]) -> tuple[EmailTrouble, str] | None:
    """Why an email to ``address`` cannot be sent now, before a handout is made for it."""
    if not address:
        return EmailTrouble.NO_ADDRESS, ""
    try:
        # The address is checked first (InputError), then the settings (DeliveryError).
        service.check_email_ready(address, need_smtp=True, environ=environ)
    except InputError:
        return EmailTrouble.BAD_ADDRESS, ""
    except DeliveryError as error:
        return EmailTrouble.NOT_SET_UP, str(error)
    return None


def email_message(trouble: EmailTrouble, address: str, detail: str = "") -> str:
    """The sentence for the desk; ``detail`` (the library's words) goes to the log only."""
    if detail:
        log.warning("email not sent (%s): %s", trouble.value, _without(detail, address))
    if trouble is EmailTrouble.NO_ADDRESS:
        return "Not emailed: type the patient's email address first, then press Email."
    if trouble is EmailTrouble.BAD_ADDRESS:
        return (
            f"Not emailed: {address} is not a complete email address. Check it with the "
            "patient (it looks like name@example.com), correct it and press Email again."
        )
    if trouble is EmailTrouble.NOT_SET_UP:
        return (
            f"Not emailed: email is not set up on this server yet. For now, {DOWNLOAD_INSTEAD}, "
            f"and {TELL_A_MANAGER}."
        )
    if trouble is EmailTrouble.UNCONFIRMED:
        return (
            f"The mail server did not confirm the email to {address}; it may still arrive. "
            "Do not send it again before asking the patient whether it came."
        )
    return (
        "Not emailed: the mail server did not take the email. Press Email again in a minute; "
        f"if it fails again, {DOWNLOAD_INSTEAD}, and {TELL_A_MANAGER}."
    )


def unknown_printer(printer: str) -> str | None:
    """A message if ``printer`` is not one CUPS knows (when CUPS can tell); else None."""
    if not printer:
        return None
    known = service.known_printers()
    if not known or printer in known:
        return None
    return (
        f"Not printed: there is no printer called {printer} here. Choose one from the "
        "Printer list and press Print again."
    )


def print_message(detail: str) -> str:
    """The sentence for the desk when CUPS refused the job; ``detail`` goes to the log."""
    log.warning("print failed: %s", detail)
    return (
        "Not printed: the printer did not take the handout. Check that it is on and has "
        "paper, or choose another printer, and press Print again. Meanwhile, press Download "
        f"PDF and print the file yourself; if it keeps happening, {TELL_A_MANAGER}."
    )


def _without(text: str, address: str) -> str:
    return text.replace(address, "<the address>") if address else text


def draft_refused(title: str) -> str:
    """A draft asked for a named patient: the desk's way forward, without the command line's."""
    return (
        f"Not made: {title} is a draft that no clinician has signed off yet, so it cannot go "
        "to a patient. Ask a manager to record a clinician's sign-off on the Settings page; "
        "meanwhile, leave the patient name empty to make a blank handout marked draft."
    )
