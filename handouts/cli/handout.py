"""``handouts handout``: one handout for one patient, saved, and emailed or printed."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import click

from .. import service
from ..content.combining import PractitionerWords, parse_span_change
from ..content.store import ContentStore
from ..errors import DeliveryError, InputError, NotFound
from ..inputs import limits
from ..inputs.clock import parse_time
from .options import check_print_options, print_options

if TYPE_CHECKING:
    from ..inputs.dates import ProcedureWhen

log = logging.getLogger("handouts")

MAX_WORDS = 1000  # a note is a few sentences; a page cannot hold an essay
PDF_VARIANTS = ("pdf/a-3u", "pdf/ua-1")  # render.pdf's; kept here so --help needs no WeasyPrint


def check_delivery_options(
    fmt: str, variant: str | None, email: str | None, eml: Path | None, print_: bool
) -> None:
    """Combinations that cannot mean anything are usage errors, before any work."""
    if fmt == "html" and (variant or email or eml or print_):
        raise click.UsageError("--pdf-variant, --email, --eml and --print need PDF output")
    if eml and not email:
        raise click.UsageError("--eml needs --email ADDRESS for the message's recipient")


# The signals that asked this command to stop. Python swallows an exception
# raised while a finaliser (__del__) runs, so a SIGTERM landing in one of
# WeasyPrint's temporary-file closers would otherwise be lost and the handout
# finished and saved anyway: stop_if_signalled() checks again before saving.
_stopped_by: list[int] = []


def stop_if_signalled() -> None:
    """End now, as the signal asked, if one arrived while its exit was swallowed."""
    if _stopped_by:
        raise SystemExit(128 + _stopped_by[0])


def exit_on_signals() -> None:
    """SIGTERM and SIGHUP end the command as an exit, so cleanup runs.

    Python's default for them is to die on the spot, leaving WeasyPrint's
    temporary font folder behind; as SystemExit the renderer's exit hook
    removes it, and the status is 128+N as for any process a signal ended.
    """

    def stop(signum: int, frame: FrameType | None) -> None:
        _stopped_by.append(signum)
        raise SystemExit(128 + signum)

    def quiet_when_stopping(unraisable: sys.UnraisableHookArgs) -> None:
        # Our own exit swallowed in a finaliser is not a fault to print a
        # traceback for; stop_if_signalled() acts on it.
        if isinstance(unraisable.exc_value, SystemExit) and _stopped_by:
            return
        sys.__unraisablehook__(unraisable)

    if threading.current_thread() is threading.main_thread():
        sys.unraisablehook = quiet_when_stopping
        for sig in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, stop)


def check_distinct_files(pdf: Path | None, eml: Path | None) -> None:
    """The email file must not overwrite the handout it carries."""
    if pdf is not None and eml is not None and pdf.resolve() == eml.resolve():
        raise click.UsageError(f"--eml and -o name the same file ({eml}); give two names")


@click.command("handout")
@click.argument("protocol")
@click.argument("more_protocols", nargs=-1, metavar="[MORE]...")
@click.option(
    "--clinic",
    "clinic_id",
    metavar="NAME",
    help="Clinic id, name or alias (default: the default clinic).",
)
@click.option(
    "--patient",
    metavar="NAME",
    help=f"Patient's name, printed on the handout (at most {limits.NAME} characters).",
)
@click.option(
    "--language",
    metavar="CODE",
    help="The protocol's translation to use, e.g. es (default: the protocol's own language).",
)
@click.option(
    "--date",
    "date_text",
    metavar="DATE",
    help="Procedure date: 2026-11-23, today, tomorrow, the clinic's 23/11/2026 or "
    "11/23/2026, or 23 November 2026 (a time after it counts as --time).",
)
@click.option(
    "--yes",
    "assume_yes",
    is_flag=True,
    help="Do not ask about a date more than a year away or more than a few days past.",
)
@click.option(
    "--allow-draft",
    is_flag=True,
    help="Make a draft protocol or translation for a patient although no clinician "
    "signed it off (this time only).",
)
@click.option(
    "--time",
    "time_text",
    metavar="HH:MM",
    help="Procedure time (with --date), so rules in hours show clock times.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (default: out/<clinic>_<protocol>_<date>_<patient>.pdf, "
    "or out/<clinic>_<protocol>_blank.pdf without a patient and date).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["pdf", "html"]),
    default="pdf",
    show_default=True,
    help="PDF, or the page as HTML to look at in a browser (not recorded).",
)
@click.option("--pdf-variant", type=click.Choice(PDF_VARIANTS), help="Archival or accessible PDF.")
@click.option(
    "--email",
    "email_to",
    metavar="ADDRESS",
    help=f"Email the PDF to this address (at most {limits.EMAIL} characters).",
)
@click.option(
    "--eml",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the email (with --email's address) to this .eml file instead of sending it.",
)
@click.option(
    "--ics",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the handout's dates as a calendar file (.ics) for the patient.",
)
@click.option(
    "--next",
    "next_text",
    metavar="DATE",
    help="The booked next visit (a time after the date is kept): replaces the suggested dates.",
)
@click.option(
    "--follow-ups",
    "follow_ups",
    is_flag=True,
    help="With --email: the patient agreed to follow-up messages on their dates; schedule them.",
)
@click.option("--variant", metavar="ID", help="One of the protocol's variants, e.g. lips.")
@click.option("--practitioner", metavar="NAME", help="The practitioner's name, on the page.")
@click.option("--areas", metavar="TEXT", help="The treated areas, on the page.")
@click.option("--note", metavar="TEXT", help='A note in a "From your practitioner" box.')
@click.option(
    "--set",
    "span_changes",
    metavar="RULE=SPAN",
    multiple=True,
    help="Change a rule's span for this patient by its topic, e.g. --set heat=72h "
    "or --set sun=14d (repeat for more).",
)
@print_options
@click.option(
    "--again",
    is_flag=True,
    help="Email or print it even if this patient was already sent this handout "
    "(recorded as sent again).",
)
@click.pass_obj
def handout_command(
    store: ContentStore,
    protocol: str,
    more_protocols: tuple[str, ...],
    variant: str | None,
    practitioner: str | None,
    areas: str | None,
    note: str | None,
    span_changes: tuple[str, ...],
    clinic_id: str | None,
    patient: str | None,
    language: str | None,
    date_text: str | None,
    assume_yes: bool,
    allow_draft: bool,
    time_text: str | None,
    output: Path | None,
    fmt: service.Format,
    pdf_variant: str | None,
    email_to: str | None,
    eml: Path | None,
    ics: Path | None,
    next_text: str | None,
    follow_ups: bool,
    print_: bool,
    printer: str | None,
    copies: int,
    again: bool,
) -> None:
    """Write one handout for PROTOCOL (its id, title or an alias) and print its path.

    More protocols after the first make one handout for several procedures of
    the same visit, as does a name several protocols list in their aliases.
    Without --patient and --date the handout has lines to fill in by hand.
    The date understood is shown spelled out; one more than a year away, or
    more than a few days in the past, is asked about on a terminal (and
    refused elsewhere unless --yes is given). A draft protocol or
    translation is made for a named patient only once a clinician signed it
    off ('handouts signoff'), or with --allow-draft.
    --email sends it (SMTP settings from HANDOUTS_SMTP_* variables), --eml saves
    the email for your own mail program, --print sends it to a CUPS printer.
    --ics writes the dates for the patient's calendar (an emailed handout
    carries them too); --next gives the booked next visit; --follow-ups
    schedules the clinic's follow-up messages (send them with
    'handouts follow-ups send').

    A handout for a named patient is recorded in the data folder
    (HANDOUTS_DATA), with its exact PDF; see 'handouts history'. Each patient
    is emailed or printed a handout once, whichever command or page sent it
    first; --again sends it once more.

    \b
    Examples:
      handouts handout micropenning --patient "Sam Lee" --date 2026-11-22
      handouts handout micropenning --language es --patient "José Álvarez" --date 2026-11-23
      handouts handout light-chemical-peel --date 2026-11-22 --time 14:30
      handouts handout microneedling prp-injections --date 2026-11-22 \\
          --practitioner "Dr Rao" --note "Call me on Friday." --set heat=48h
      handouts handout microneedling --clinic magnolia -o blank.pdf
      handouts handout micropenning --patient "Sam Lee" --date 2026-11-22 \\
          --email sam@example.com --print --printer FrontDesk
    """
    if output is not None and str(output) == "-":
        # A file named "-" would be written silently; the record needs a real file.
        raise click.UsageError("-o -: standard output is not supported; give a file name.")
    check_delivery_options(fmt, pdf_variant, email_to, eml, print_)
    check_distinct_files(output, eml)
    exit_on_signals()
    check_print_options(print_, printer, copies)
    if time_text is not None and date_text is None:
        raise click.UsageError("--time needs --date: a time alone gives no clock times")
    protocol, named_too = _named_procedures(store, protocol)
    procedure_date = procedure_time = None
    if date_text is not None:
        when = _confirmed_date(store, date_text, protocol, clinic_id, assume_yes)
        procedure_date, procedure_time = when.date, when.time
    if time_text is not None:
        procedure_time = parse_time(time_text)
    check_calendar_options(date_text, ics, follow_ups, email_to, eml)
    next_visit = next_time = None
    if next_text is not None:
        booked = _confirmed_date(store, next_text, protocol, clinic_id, True, what="--next")
        next_visit, next_time = booked.date, booked.time
    if email_to:
        service.check_email_ready(email_to, need_smtp=eml is None)
    request = service.HandoutRequest(
        protocol,
        clinic_id,
        patient,
        procedure_date,
        fmt,
        pdf_variant,
        procedure_time,
        language,
        email=email_to,
        also=_more_procedures(store, protocol, named_too, more_protocols),
        variant=variant,
        words=practitioner_words(practitioner, areas, note, span_changes),
        allow_draft=allow_draft,
        next_visit=next_visit,
        next_visit_time=next_time,
    )
    by = service.os_user()
    ledger = service.open_ledger() if request.named and fmt == "pdf" else None
    given = service.give(store, request, ledger=ledger, by=by, source=service.Source.COMMAND)
    stop_if_signalled()
    made = given.made
    check_distinct_files(output or Path("out") / made.filename, eml)
    target = service.save_handout(made, output)
    log.info("wrote %s handout (%d bytes)", made.spec.protocol.id, len(made.data))
    click.echo(str(target))
    if ics is not None:
        click.echo(str(service.save_calendar(made, ics)))
    # The PDF is on disk first, so a failed send or print loses nothing.
    if email_to and eml:
        click.echo(str(service.save_email_given(ledger, given, email_to, eml, by)))
    elif email_to:
        result = service.email_given(ledger, given, email_to, by, again=again)
        _check_sent(result, "emailed", target)
        click.echo("emailed" + (" again" if again else ""), err=True)
        if follow_ups:
            scheduled = service.schedule_follow_ups(made, email_to)
            click.echo(f"follow-ups scheduled: {scheduled}", err=True)
    if print_:
        result = service.print_given(ledger, given, by, printer=printer, copies=copies, again=again)
        _check_sent(result, "printed", target)
        click.echo(f"printed: {result.detail}", err=True)


def _check_sent(result: service.DeliveryResult, what: str, target: Path) -> None:
    """A refused or failed send is an error that says the PDF was still saved."""
    saved = f"The handout itself was saved as {target}."
    previous = result.previous
    if previous is not None:
        when = previous.at.astimezone().strftime("%Y-%m-%d %H:%M")
        if previous.result is service.Result.MAY_HAVE_BEEN_SENT:
            said = (
                f"may already have been sent ({when}) without the confirmation coming back; "
                "check the clinic's sent mail or ask the patient, then"
            )
        else:
            said = (
                f"was already {previous.result} ({when}, by {previous.by or 'an earlier version'});"
            )
        raise DeliveryError(
            f"Not {what}: this patient's handout {said} add --again to send it once more. {saved}"
        )
    if not result.ok:
        reason = result.reason.rstrip(".")
        raise DeliveryError(f"{reason}. {saved}")


def check_calendar_options(
    date_text: str | None,
    ics: Path | None,
    follow_ups: bool,
    email_to: str | None,
    eml: Path | None,
) -> None:
    if ics is not None and date_text is None:
        raise click.UsageError("--ics needs --date: a handout without a date has no dates")
    if follow_ups and (date_text is None or not email_to or eml is not None):
        raise click.UsageError(
            "--follow-ups needs --date and --email (sent, not --eml): "
            "they go on the patient's dates, to the address the handout went to"
        )


def practitioner_words(
    practitioner: str | None, areas: str | None, note: str | None, changes: tuple[str, ...]
) -> PractitionerWords | None:
    """What the practitioner typed, checked; None when they typed nothing."""
    try:
        parsed = tuple(parse_span_change(text) for text in changes)
    except ValueError as error:
        raise InputError(f"--set: {error}") from None
    words = PractitionerWords(
        practitioner=(practitioner or "").strip() or None,
        areas=(areas or "").strip() or None,
        note=(note or "").strip() or None,
        changes=parsed,
    )
    for value, what in ((words.note, "--note"), (words.areas, "--areas")):
        if value is not None and len(value) > MAX_WORDS:
            raise InputError(f"{what} is longer than {MAX_WORDS} characters")
    return None if words.empty else words


def _named_procedures(store: ContentStore, name: str) -> tuple[str, list[str]]:
    """The protocol a name leads to, and the others it names too: a booking service
    several protocols list as an alias is all of them, on one handout."""
    try:
        first, *others = store.protocol_ids_for(name)
    except NotFound:
        return name, []  # said where it always was, after the clinic's own problems
    return first, others


def _more_procedures(
    store: ContentStore, first: str, named_too: list[str], names: tuple[str, ...]
) -> tuple[str, ...]:
    """The ids of the other procedures on the handout, each once."""
    ids = [*named_too, *(i for name in names for i in store.protocol_ids_for(name))]
    return tuple(i for i in dict.fromkeys(ids) if i != first)


def _confirmed_date(
    store: ContentStore,
    text: str,
    protocol: str,
    clinic: str | None,
    assume_yes: bool,
    what: str = "--date",
) -> ProcedureWhen:
    """The date as understood, shown back on stderr; a far one confirmed first."""
    understood = service.understand_date(store, text, protocol=protocol, clinic=clinic, what=what)
    click.echo(f"{what.lstrip('-')}: {understood.spelled_out}", err=True)
    if understood.needs_confirming and not assume_yes:
        when = "more than a year from today" if understood.far else "in the past"
        odd = f"{understood.spelled_out} is {when}"
        if not sys.stdin.isatty():
            raise InputError(f"{what}: {odd}; check the date, or add --yes if it is right")
        click.confirm(f"{odd}. Is that right?", abort=True, err=True)
    return understood.when
