"""``handouts follow-ups``: send what is due, list what is scheduled, cancel the rest."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import click

from ..content.store import ContentStore
from .users import data_option

public_url_option = click.option(
    "--public-url",
    metavar="URL",
    envvar="HANDOUTS_PUBLIC_URL",
    help="Address patients reach 'handouts serve' at, for the stop link in each message "
    "(env HANDOUTS_PUBLIC_URL; without it patients stop them by replying STOP).",
)


def _folder(data_path: Path | None) -> Path:
    from ..records import data_dir

    return data_path or data_dir()


def _now() -> dt.datetime:
    # The system clock, so `faketime` moves a whole run to another day.
    return dt.datetime.now(dt.UTC)


@click.group("follow-ups")
def follow_ups_command() -> None:
    """Follow-up messages on the patient's dates after an emailed handout.

    'handouts handout ... --email ADDRESS --follow-ups' schedules them; run
    'handouts follow-ups send' every few minutes (a systemd timer or cron) or
    keep 'handouts serve' running, which sends them itself.

    \b
    Examples:
      handouts follow-ups list
      handouts follow-ups send
      handouts follow-ups cancel --email sam@example.com --patient-asked
    """


@follow_ups_command.command("send")
@data_option
@public_url_option
@click.pass_obj
def send_command(store: ContentStore, data_path: Path | None, public_url: str | None) -> None:
    """Send the follow-ups that are due now, each at most once.

    Messages go out only within the clinic's sending hours and days (its own
    time zone); one whose sending may have happened is never sent again.

    \b
    Example:
      handouts follow-ups send
    """
    from .. import service

    report = service.send_due_follow_ups(
        store, _folder(data_path), _now(), environ=os.environ, public_url=public_url
    )
    for problem in report.problems:
        click.echo(problem, err=True)
    click.echo(f"follow-ups: {report.summary()}")
    if report.retry_later or report.failed:
        raise SystemExit(1)


@follow_ups_command.command("list")
@data_option
@click.option("--all", "show_all", is_flag=True, help="Also those sent, cancelled or expired.")
def list_command(data_path: Path | None, show_all: bool) -> None:
    """Show the follow-ups still to send (--all: every one, and what became of it).

    Columns: id, when it is due (UTC), state, patient, address, what it is about.

    \b
    Example:
      handouts follow-ups list --all
    """
    from ..follow_ups.outbox import FollowUpState, Outbox

    waiting = () if show_all else (FollowUpState.SCHEDULED, FollowUpState.SENDING)
    with Outbox(_folder(data_path)) as outbox:
        rows = outbox.rows(waiting)
    if not rows:
        click.echo("No follow-ups are scheduled.")
        return
    for row in rows:
        due = row.due.strftime("%Y-%m-%d %H:%M")
        note = f"  ({row.note})" if row.note else ""
        click.echo(
            f"{row.id}\t{due}\t{row.state}\t{row.patient}\t{row.recipient}\t{row.heading}{note}"
        )


@follow_ups_command.command("cancel")
@data_option
@click.option("--id", "row_id", type=int, help="One follow-up, by the id 'list' shows.")
@click.option("--email", "address", metavar="ADDRESS", help="Every follow-up to this address.")
@click.option(
    "--token",
    metavar="TOKEN",
    help="One handout's follow-ups, by the token in a patient's STOP reply.",
)
@click.option(
    "--patient-asked",
    is_flag=True,
    help="Record that the patient asked to stop (default: staff cancelled).",
)
def cancel_command(
    data_path: Path | None,
    row_id: int | None,
    address: str | None,
    token: str | None,
    patient_asked: bool,
) -> None:
    """Stop follow-ups that are not yet sent: by --id, --email or --token.

    \b
    Examples:
      handouts follow-ups cancel --email sam@example.com --patient-asked
      handouts follow-ups cancel --id 12
    """
    from ..follow_ups.outbox import CancelReason, Outbox

    if sum(value is not None for value in (row_id, address, token)) != 1:
        raise click.UsageError("give exactly one of --id, --email or --token")
    reason = CancelReason.PATIENT if patient_asked else CancelReason.STAFF
    now = _now()
    with Outbox(_folder(data_path)) as outbox:
        if row_id is not None:
            count = outbox.cancel_id(row_id, reason, now)
        elif address is not None:
            count = outbox.cancel_recipient(address, reason, now)
        else:
            count = outbox.cancel_handout((token or "").strip(), reason, now)
    click.echo(f"cancelled {count} follow-up{'s' if count != 1 else ''}")
