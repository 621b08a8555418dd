"""The command line: parses options and calls the library, nothing more.

User errors (``HandoutError``) become one plain message and exit status 1;
wrong usage is click's exit status 2; anything else is a bug and keeps its
traceback. ``--debug`` shows the traceback for user errors too.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
from pathlib import Path
from typing import Any

import click

from .content import Content, default_root
from .errors import ContentError, HandoutError, InputError
from .output import default_filename, write_atomic
from .pdf import PDF_VARIANTS
from .produce import produce
from .rendering import make_request

log = logging.getLogger("handouts")

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_date(text: str, what: str = "--date") -> dt.date:
    """A calendar date written as YYYY-MM-DD, or InputError saying what is wrong."""
    value = text.strip()
    if not _ISO_DATE.match(value):
        raise InputError(f"{what}: '{text}' is not a date in the form YYYY-MM-DD (e.g. 2026-11-22)")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise InputError(f"{what}: '{text}' is not a real calendar date ({error})") from None


class HandoutsGroup(click.Group):
    """Turns user errors raised anywhere below into clean messages."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except HandoutError as error:
            if ctx.meta.get("handouts.debug"):
                raise
            raise click.ClickException(_message(error)) from None


def _message(error: HandoutError) -> str:
    if isinstance(error, ContentError):
        count = len(error.problems)
        heading = "1 problem" if count == 1 else f"{count} problems"
        return f"{heading} in content:\n" + "\n".join(error.problems)
    return str(error)


@click.group(cls=HandoutsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="HANDOUTS_ROOT",
    help="Folder with protocols/, branding/ and optionally templates/ "
    "(default: the bundled content; env HANDOUTS_ROOT).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.option("-v", "--verbose", count=True, help="More log output (-vv includes patient details).")
@click.version_option(package_name="handouts")
@click.pass_context
def main(ctx: click.Context, root: Path | None, debug: bool, verbose: int) -> None:
    """Clinic-branded aftercare handouts, personalised with real dates."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    ctx.meta["handouts.debug"] = debug
    ctx.meta["handouts.verbose"] = verbose
    content_root = root or default_root()
    if not content_root.is_dir():
        raise click.ClickException(f"--root: folder '{content_root}' does not exist")
    ctx.obj = Content(content_root)


@main.command()
@click.argument("protocol")
@click.option("--clinic", "clinic_id", metavar="ID", help="Clinic id (default: the default clinic).")
@click.option("--patient", metavar="NAME", help="Patient's name, printed on the handout.")
@click.option("--date", "date_text", metavar="YYYY-MM-DD", help="Procedure date.")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write."
)
@click.option("--format", "fmt", type=click.Choice(["pdf", "html"]), default="pdf", show_default=True)
@click.option("--pdf-variant", type=click.Choice(PDF_VARIANTS), help="Archival or accessible PDF.")
@click.pass_obj
def handout(
    content: Content,
    protocol: str,
    clinic_id: str | None,
    patient: str | None,
    date_text: str | None,
    output: Path | None,
    fmt: str,
    pdf_variant: str | None,
) -> None:
    """Write one handout for PROTOCOL and print its path.

    Without --patient and --date the handout has lines to fill in by hand.
    """
    procedure_date = parse_date(date_text) if date_text else None
    if fmt == "html" and pdf_variant:
        raise InputError("--pdf-variant applies to PDF output, not --format html")
    request = make_request(content, protocol, clinic_id, patient, procedure_date)
    data = produce(request, fmt, pdf_variant)  # type: ignore[arg-type]
    target = output or Path("out") / default_filename(
        request.clinic.id, request.protocol.id, procedure_date, request.patient_name, fmt
    )
    write_atomic(target, data)
    log.info("wrote %s handout (%d bytes)", request.protocol.id, len(data))
    click.echo(str(target))


@main.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def list_(content: Content, as_json: bool) -> None:
    """List the protocols and clinics available."""
    protocols = content.protocols()
    clinics = content.clinics()
    default_id = content.default_clinic_id if clinics else None
    if as_json:
        listing = {
            "protocols": [{"id": p.id, "title": p.title} for p in protocols],
            "clinics": [
                {"id": c.id, "name": c.name, "default": c.id == default_id} for c in clinics
            ],
        }
        click.echo(json.dumps(listing, ensure_ascii=False, indent=2))
        return
    click.echo("Protocols:")
    for p in protocols:
        click.echo(f"  {p.id:<20} {p.title}")
    click.echo("Clinics:")
    for c in clinics:
        marker = "  (default)" if c.id == default_id else ""
        click.echo(f"  {c.id:<20} {c.name}{marker}")

from .commands.batch import batch_command, variants_command  # noqa: E402

main.add_command(batch_command)
main.add_command(variants_command)
