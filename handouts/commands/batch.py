"""The ``batch`` and ``variants`` commands: many handouts in one go."""

from __future__ import annotations

import logging
import signal
from pathlib import Path

import click

from ..batch import CachedContent, plan_rows, plan_variants, read_rows
from ..content import Content
from ..delivery import BatchDelivery
from ..options import check_print_options, print_options
from ..runner import MANIFEST_NAME, Summary, default_workers, run_jobs

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
    help=f"Worker processes (default: the number of CPUs, here {default_workers()}).",
)
_force_option = click.option(
    "--force", is_flag=True, help="Remake handouts even if they exist from identical inputs."
)


def _finish(ctx: click.Context, summary: Summary, out_dir: Path) -> None:
    """Print the summary; exit 1 if any row failed, 128+N if stopped by signal N."""
    click.echo(summary.line())
    click.echo(f"manifest: {out_dir / MANIFEST_NAME}")
    for outcome in summary.outcomes:
        if outcome.status != "failed":
            log.debug("row %d: %s %s", outcome.row, outcome.status, outcome.output)
    if summary.stopped_by is not None:
        click.echo(
            f"stopped by {signal.Signals(summary.stopped_by).name}; "
            "run the same command again to make the rest",
            err=True,
        )
        ctx.exit(128 + summary.stopped_by)
    if summary.count("failed") or summary.delivery_failures:
        ctx.exit(1)


@click.command("batch")
@click.argument("patients_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_output_option
@click.option(
    "--clinic", "clinic_id", metavar="ID", help="Clinic for rows without one (default: default)."
)
@_workers_option
@_force_option
@click.option(
    "--email",
    "email",
    is_flag=True,
    help="Email each row's handout to the row's email column (HANDOUTS_SMTP_* settings).",
)
@print_options
@click.pass_context
def batch_command(
    ctx: click.Context,
    *,
    patients_csv: Path,
    output_dir: Path,
    clinic_id: str | None,
    workers: int | None,
    force: bool,
    email: bool,
    print_: bool,
    printer: str | None,
    copies: int,
) -> None:
    """Make one handout per row of PATIENTS_CSV.

    Columns (any order and case; others are ignored): patient, date
    (YYYY-MM-DD), protocol, and optionally clinic and email. UTF-8 with or
    without a byte-order mark; comma, semicolon or tab between columns.

    Rows are numbered as a spreadsheet shows them (the header is row 1). Bad
    rows are reported and listed in manifest.csv, the others are still made,
    and the exit status is 1. Running again skips handouts already made from
    identical inputs.

    --email and --print deliver each handout once: the folder's
    deliveries.csv and the manifest's delivered column record it, a failure
    is noted on the row (exit status 1), and a re-run (even after other lists
    went to the same folder) tries again only what was not delivered.
    """
    content: Content = ctx.obj
    cached = CachedContent(content.root)
    if clinic_id:
        cached.clinic(clinic_id)  # an unknown --clinic is a usage error, not 30 bad rows
    check_print_options(print_, printer, copies)
    deliver = None
    if email or print_:
        deliver = BatchDelivery(
            cached, output_dir, email=email, print_=print_, printer=printer, copies=copies
        )
    jobs, bad_rows = plan_rows(read_rows(patients_csv), cached, clinic_id)
    summary = run_jobs(
        cached, jobs, bad_rows, output_dir, workers=workers, force=force, deliver=deliver
    )
    _finish(ctx, summary, output_dir)


@click.command("variants")
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
@_workers_option
@_force_option
@click.pass_context
def variants_command(
    ctx: click.Context,
    *,
    output_dir: Path,
    clinic_ids: tuple[str, ...],
    protocol_ids: tuple[str, ...],
    workers: int | None,
    force: bool,
) -> None:
    """Make blank handouts for every clinic x protocol, as DIR/<clinic>/<protocol>.pdf.

    These have lines to fill in by hand, for print stock.
    """
    content: Content = ctx.obj
    cached = CachedContent(content.root)
    clinics = list(dict.fromkeys(clinic_ids)) or cached.clinic_ids()
    protocols = list(dict.fromkeys(protocol_ids)) or cached.protocol_ids()
    jobs = plan_variants(cached, clinics, protocols)
    summary = run_jobs(cached, jobs, [], output_dir, workers=workers, force=force)
    _finish(ctx, summary, output_dir)
