"""``batch`` and ``variants``: many handouts in one go."""

from __future__ import annotations

import logging
import signal
from pathlib import Path

import click

from .. import service
from ..content.store import ContentStore
from .options import check_print_options, print_options
from .progress import TerminalProgress

log = logging.getLogger("handouts")

_output_option = click.option(
    "-o",
    "--output-dir",
    "output_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out"),
    show_default=True,
    help="Folder for the handouts and manifest.csv.",
)
_workers_option = click.option(
    "--workers",
    type=click.IntRange(min=1),
    metavar="N",
    help="Worker processes (default: the number of CPUs).",
)
_force_option = click.option(
    "--force", is_flag=True, help="Remake handouts even if they exist from identical inputs."
)


def _finish(ctx: click.Context, summary: service.Summary, out_dir: Path) -> None:
    """Print the summary; exit 1 if a row failed, 128+N if stopped by signal N.

    A row whose service has no protocol, or that was cancelled, is not a failure.
    """
    for line in summary.lines():
        click.echo(line)
    click.echo(f"manifest: {out_dir / service.MANIFEST_NAME}")
    if summary.stopped_by is not None:
        click.echo(
            f"stopped by {signal.Signals(summary.stopped_by).name}; "
            "run the same command again to make the rest",
            err=True,
        )
        ctx.exit(128 + summary.stopped_by)
    if not summary.ok:
        ctx.exit(1)


_allow_draft_option = click.option(
    "--allow-draft",
    is_flag=True,
    help="Make draft protocols and translations no clinician has signed off, for this run.",
)


@click.command("batch", short_help="Make one handout per row of a day's list (CSV or Excel).")
@click.argument(
    "patients_csv",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@_output_option
@click.option(
    "--clinic",
    "clinic_id",
    metavar="NAME",
    help="Clinic (id, name or alias) for rows without one (default: the default clinic).",
)
@_workers_option
@_force_option
@click.option(
    "--email",
    "email",
    is_flag=True,
    help="Email each row's handout to the row's email column (HANDOUTS_SMTP_* settings).",
)
@click.option(
    "--print-unemailed",
    is_flag=True,
    help="With --email: print the handouts of rows that have no email address, once.",
)
@click.option(
    "--profile",
    metavar="ID",
    help="Import profile imports/<ID>.yaml, for an export whose columns cannot be guessed.",
)
@click.option(
    "--dates-ok",
    is_flag=True,
    help="The dates in the past or far from the list's other dates are right: make them.",
)
@_allow_draft_option
@print_options
@click.option(
    "--again",
    is_flag=True,
    help="With --email/--print: send once more to the rows already emailed or printed, "
    "the handout as first given (recorded as sent again).",
)
@click.pass_context
def batch_command(
    ctx: click.Context,
    *,
    patients_csv: tuple[Path, ...],
    dates_ok: bool,
    allow_draft: bool,
    output_dir: Path,
    clinic_id: str | None,
    workers: int | None,
    force: bool,
    email: bool,
    print_unemailed: bool,
    profile: str | None,
    print_: bool,
    printer: str | None,
    copies: int,
    again: bool,
) -> None:
    """Make one handout per row of PATIENTS_CSV, a booking system's export.

    Give several files (one per status, or CSV and Excel .xlsx) to read them
    as one list; rows are numbered on from one file to the next. Columns are
    found by their usual names (Patient Name, Client, First Name and Last
    Name, Appointment Date, Start Time, Service, Location, Email, Appointment
    ID, Status...), below any title lines; --profile names them when they
    cannot be guessed. UTF-8 with or without a byte-order mark; comma,
    semicolon or tab between columns.

    Dates are read the clinic's way unless the list itself says otherwise:
    a title line "Friday 04/12/2026" means 4 December (only that is a
    Friday). A date in the past, or a week or more from the list's other
    dates, stops the run before anything is made (exit status 1) and is
    shown spelled out; add --dates-ok when they are right.

    Draft protocols and translations are made only once a clinician signed
    them off ('handouts signoff'), when the clinic allows drafts, or with
    --allow-draft.

    Rows are numbered as a spreadsheet shows them. Cancelled and no-show
    rows, and services without a protocol, get no handout and are listed by
    name in the summary. A row that should have a handout and cannot get one
    is reported, the others are still made, and the exit status is 1.
    Running again skips handouts already made from identical inputs.

    --email and --print deliver each handout once per person: the record in
    the data folder (HANDOUTS_DATA; see 'handouts history') says who got what,
    whichever list, folder, day or the web page sent it (the manifest's
    delivered column shows it). A failure is noted on the row (exit status
    1), and a re-run tries again only what certainly was not delivered. An
    email the server may have received without confirming it is reported,
    never resent. --again sends once more, on purpose, to every row that
    was emailed or printed before (or may have been): the archived PDF it
    was first given, recorded as sent again.

    \b
    Example:
      handouts batch appointments.csv -o out/2026-11-22 --email --print-unemailed
      handouts batch export.csv --profile acuity
      handouts batch booked.xlsx checked-in.xlsx --dates-ok
    """
    check_print_options(print_ or print_unemailed, printer, copies)
    if print_unemailed and not email:
        raise click.UsageError("--print-unemailed goes with --email")
    if again and not (email or print_ or print_unemailed):
        raise click.UsageError("--again goes with --email or --print")
    if print_unemailed and print_:
        raise click.UsageError("--print already prints every handout; drop --print-unemailed")
    request = service.BatchRequest(
        csv_path=patients_csv[0],
        more_paths=patients_csv[1:],
        dates_ok=dates_ok,
        allow_draft=allow_draft,
        out_dir=output_dir,
        clinic=clinic_id,
        workers=workers,
        force=force,
        email=email,
        print_=print_,
        printer=printer,
        copies=copies,
        profile=profile,
        print_unemailed=print_unemailed,
        again=again,
    )
    progress = TerminalProgress()
    try:
        summary = service.run_batch(ctx.obj, request, on_progress=progress)
    except service.DatesToConfirm as unconfirmed:
        _show_dates_to_confirm(unconfirmed.plan)
        ctx.exit(1)
    finally:
        progress.close()
    _finish(ctx, summary, output_dir)


def _show_dates_to_confirm(plan: service.BatchPlan) -> None:
    """Each odd date spelled out, with what to do; nothing was made."""
    click.echo("Nothing was made: check these dates first.", err=True)
    for planned in plan.to_confirm:
        click.echo(f"  row {planned.row}: {planned.warning}", err=True)
    click.echo(
        "Fix the list, or run the same command again with --dates-ok if the dates are right.",
        err=True,
    )


@click.command("variants", short_help="Make blank handouts for every clinic and protocol.")
@_output_option
@click.option(
    "--clinic", "clinic_ids", multiple=True, metavar="ID", help="A clinic (repeat; default: all)."
)
@click.option(
    "--protocol",
    "protocol_ids",
    multiple=True,
    metavar="ID",
    help="A protocol (repeat; default: all).",
)
@click.option(
    "--language",
    metavar="CODE",
    help="In this translation (e.g. es), as DIR/<clinic>/<protocol>.<CODE>.pdf.",
)
@_workers_option
@_force_option
@_allow_draft_option
@click.pass_context
def variants_command(
    ctx: click.Context,
    *,
    allow_draft: bool,
    output_dir: Path,
    clinic_ids: tuple[str, ...],
    protocol_ids: tuple[str, ...],
    language: str | None,
    workers: int | None,
    force: bool,
) -> None:
    """Make blank handouts for every clinic x protocol, as DIR/<clinic>/<protocol>.pdf.

    These have lines to fill in by hand, for print stock. Print stock goes to
    patients, so drafts no clinician signed off are left out of "every
    protocol" (and refused when named) unless --allow-draft is given.

    \b
    Example:
      handouts variants -o stock --clinic magnolia
      handouts variants -o stock --language es
    """
    store: ContentStore = ctx.obj
    progress = TerminalProgress()
    try:
        summary = service.make_variants(
            store,
            output_dir,
            list(clinic_ids),
            list(protocol_ids),
            language=language,
            workers=workers,
            force=force,
            on_progress=progress,
            allow_draft=allow_draft,
        )
    finally:
        progress.close()
    _finish(ctx, summary, output_dir)
