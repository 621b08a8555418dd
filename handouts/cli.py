"""The command line: parses options and calls the library, nothing more.

User errors (``HandoutError``) become one plain message and exit status 1;
wrong usage is click's exit status 2; anything else is a bug and keeps its
traceback. ``--debug`` shows the traceback for user errors too.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

import click
import jinja2

from .content import Content, default_root
from .dates import parse_date
from .delivery import email_handout, print_handout, save_eml
from .errors import ContentError, DeliveryError, HandoutError, InputError
from .mail import SmtpSettings, check_address
from .options import check_print_options, print_options
from .output import default_filename, write_atomic
from .pdf import PDF_VARIANTS
from .produce import produce
from .rendering import make_request

log = logging.getLogger("handouts")


class HandoutsGroup(click.Group):
    """Turns user errors raised anywhere below into clean messages."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (HandoutError, OSError, jinja2.TemplateError) as error:
            # A clinic's broken template override or an unwritable output
            # folder is the user's to fix, not a bug: one line, no traceback.
            if ctx.meta.get("handouts.debug"):
                raise
            raise click.ClickException(_message(error)) from None


def _template_line(error: BaseException) -> str:
    """``file:line`` of the template being rendered when ``error`` happened.

    Jinja2 rewrites tracebacks so that template frames carry the template's
    own file name and line.
    """
    where = ""
    frame = error.__traceback__
    while frame is not None:
        name = frame.tb_frame.f_code.co_filename
        if name.endswith((".html", ".css")):
            where = f"{name}:{frame.tb_lineno}"
        frame = frame.tb_next
    return where


def _message(error: Exception) -> str:
    if isinstance(error, jinja2.TemplateSyntaxError):
        return f"{error.filename}:{error.lineno}: template: {error.message}"
    if isinstance(error, jinja2.TemplateError):
        where = _template_line(error) or "template"
        return f"{where}: template: {error.message}"
    if isinstance(error, OSError):
        return f"{error.filename or 'file'}: {error.strerror or error}"
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
@click.option(
    "-v", "--verbose", count=True, help="More log output (-v, -vv). Patient names are never logged."
)
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
@click.option(
    "--clinic", "clinic_id", metavar="ID", help="Clinic id (default: the default clinic)."
)
@click.option("--patient", metavar="NAME", help="Patient's name, printed on the handout.")
@click.option("--date", "date_text", metavar="YYYY-MM-DD", help="Procedure date.")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write."
)
@click.option(
    "--format", "fmt", type=click.Choice(["pdf", "html"]), default="pdf", show_default=True
)
@click.option("--pdf-variant", type=click.Choice(PDF_VARIANTS), help="Archival or accessible PDF.")
@click.option("--email", "email_to", metavar="ADDRESS", help="Email the PDF to this address.")
@click.option(
    "--eml",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the email (with --email's address) to this .eml file instead of sending it.",
)
@print_options
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
    email_to: str | None,
    eml: Path | None,
    print_: bool,
    printer: str | None,
    copies: int,
) -> None:
    """Write one handout for PROTOCOL and print its path.

    Without --patient and --date the handout has lines to fill in by hand.
    --email sends it (SMTP settings from HANDOUTS_SMTP_* variables), --eml saves
    the email for your own mail program, --print sends it to a CUPS printer.
    """
    procedure_date = parse_date(date_text) if date_text else None
    if fmt == "html" and (pdf_variant or email_to or eml or print_):
        raise InputError("--pdf-variant, --email, --eml and --print need PDF output")
    check_print_options(print_, printer, copies)
    if eml and not email_to:
        raise InputError("--eml needs --email ADDRESS for the message's recipient")
    if email_to:
        # Refuse a bad address or missing SMTP settings before making anything.
        check_address(email_to)
        if not eml:
            SmtpSettings.from_env(os.environ)
    request = make_request(content, protocol, clinic_id, patient, procedure_date)
    data = produce(request, fmt, pdf_variant)  # type: ignore[arg-type]
    target = output or Path("out") / default_filename(
        request.clinic.id, request.protocol.id, procedure_date, request.patient_name, fmt
    )
    write_atomic(target, data)
    log.info("wrote %s handout (%d bytes)", request.protocol.id, len(data))
    click.echo(str(target))
    # The PDF is on disk first, so a failed send or print loses nothing.
    try:
        if email_to and eml:
            click.echo(str(save_eml(request, email_to, data, eml)))
        elif email_to:
            email_handout(request, email_to, data)
            click.echo("emailed", err=True)
        if print_:
            job = print_handout(request, target, printer, copies)
            click.echo(f"printed: CUPS job {job}", err=True)
    except HandoutError as error:
        reason = str(error).rstrip(".")
        raise DeliveryError(f"{reason}. The handout itself was saved as {target}.") from None


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


# Commands kept in their own modules join the group once it exists.
from .commands.batch import batch_command, variants_command  # noqa: E402
from .commands.validate import schema_command, validate_command  # noqa: E402

for command in (batch_command, variants_command, validate_command, schema_command):
    main.add_command(command)
