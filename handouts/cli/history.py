"""``handouts history``: what was given to whom, from the data folder's record."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from .. import service
from ..errors import InputError
from ..records import HandoutHistory, Search

_day = click.DateTime(formats=["%Y-%m-%d"])


@click.group("history")
def history_command() -> None:
    """Every handout made for a named patient, and every delivery of it.

    The record lives in the data folder (HANDOUTS_DATA, else your user data
    folder), shared with the web page, together with the exact PDF each
    patient was given.

    \b
    Examples:
      handouts history list --patient "sam lee"
      handouts history copy 12 -o sam-lee-as-given.pdf
      handouts history purge --older-than 3650
    """


@history_command.command("list")
@click.option("--patient", metavar="TEXT", help="Any part of the patient's name or email.")
@click.option("--since", type=_day, metavar="YYYY-MM-DD", help="Made on or after this day.")
@click.option("--until", type=_day, metavar="YYYY-MM-DD", help="Made on or before this day.")
@click.option("--clinic", metavar="ID", help="Only this clinic's handouts.")
@click.option("--protocol", metavar="ID", help="Only this procedure's handouts.")
@click.option(
    "--page", type=click.IntRange(min=1), default=1, show_default=True, help="Which page to show."
)
@click.option(
    "--per-page",
    type=click.IntRange(1, 1000),
    default=50,
    show_default=True,
    metavar="N",
    help="Handouts per page.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per handout, as a list.")
def list_command(
    patient: str | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
    clinic: str | None,
    protocol: str | None,
    page: int,
    per_page: int,
    as_json: bool,
) -> None:
    """List recorded handouts, newest first, with how each was delivered.

    \b
    Examples:
      handouts history list --patient "sam lee"
      handouts history list --since 2026-11-01 --until 2026-11-30 --json
    """
    ledger = service.open_ledger()
    found = ledger.search(
        Search(
            patient=patient,
            since=since.date() if since else None,
            until=until.date() if until else None,
            clinic=clinic,
            protocol=protocol,
            page=page,
            per_page=per_page,
        )
    )
    histories = [h for r in found.records if (h := ledger.handout(r.id)) is not None]
    if as_json:
        click.echo(json.dumps([_as_json(h) for h in histories], indent=2, ensure_ascii=False))
        return
    if not histories:
        click.echo("No handouts recorded" + (" that match." if page == 1 else " on this page."))
        return
    for history in histories:
        click.echo(_line(history))
    if found.more:
        click.echo(f"More: --page {page + 1}", err=True)


def _line(history: HandoutHistory) -> str:
    record = history.handout
    request = record.request
    when = record.made_at.astimezone().strftime("%Y-%m-%d %H:%M")
    date = request.procedure_date.isoformat() if request.procedure_date else "no date"
    given = ", ".join(str(d.result) + (" again" if d.again else "") for d in history.deliveries)
    return (
        f"{record.id:>6}  {when}  {record.made_by}  {record.clinic}/{request.protocol}  "
        f"{date}  {record.patient}  [{given or 'made'}]"
    )


def _as_json(history: HandoutHistory) -> dict[str, object]:
    record = history.handout
    request = record.request
    return {
        "id": record.id,
        "made_at": record.made_at.isoformat(),
        "made_by": record.made_by,
        "source": record.source,
        "clinic": record.clinic,
        "protocol": request.protocol,
        "language": request.language,
        "patient": record.patient,
        "email": request.email,
        "procedure_date": request.procedure_date.isoformat() if request.procedure_date else None,
        "procedure_time": (
            request.procedure_time.isoformat("minutes") if request.procedure_time else None
        ),
        "pdf_sha256": record.pdf_sha256,
        "pages": record.pages,
        "content_version": record.content_version,
        "review_status": record.review_status,
        "deliveries": [
            {
                "at": d.at.isoformat(),
                "by": d.by,
                "channel": None if d.channel is None else str(d.channel),
                "recipient": d.recipient,
                "result": str(d.result),
                "reason": d.reason,
                "detail": d.detail,
                "again": d.again,
            }
            for d in history.deliveries
        ],
    }


@history_command.command("copy")
@click.argument("handout_id", metavar="ID", type=int)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="File to write the archived PDF to.",
)
def copy_command(handout_id: int, output: Path) -> None:
    """Write the exact PDF handout ID was given as, byte for byte.

    The copy is what the patient received, even if the protocol or the
    clinic's branding changed since.

    \b
    Example:
      handouts history copy 12 -o sam-lee-as-given.pdf
    """
    ledger = service.open_ledger()
    history = ledger.handout(handout_id)
    if history is None:
        raise InputError(f"there is no handout {handout_id} in the record ('history list')")
    data = ledger.pdf(history.handout.pdf_sha256)
    service.save_bytes(data, output)
    click.echo(f"{output} (sha256 {history.handout.pdf_sha256})")


@history_command.command("purge")
@click.option(
    "--older-than",
    "days",
    type=click.IntRange(min=1),
    metavar="DAYS",
    help="Remove what was made more than DAYS days ago (default: HANDOUTS_KEEP_DAYS).",
)
def purge_command(days: int | None) -> None:
    """Remove old handout records, their archived PDFs and old uploaded lists.

    Nothing made within the limit is touched; a PDF that a newer record
    also points at is kept. Says what it removed.

    \b
    Example:
      handouts history purge --older-than 3650
    """
    if days is None:
        days = service.retention().keep_days
        if days is None:
            raise click.UsageError("give --older-than DAYS, or set HANDOUTS_KEEP_DAYS")
    purged = service.open_ledger().purge(dt.timedelta(days=days))
    click.echo(f"Removed, made more than {days} days ago:")
    for line in purged.lines():
        click.echo(f"  {line}")
