"""Delivery records keyed by who was written to: reordered rows, same names, unknown outcomes."""

from __future__ import annotations

import csv
import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from handouts.batch.delivery import OnceOnlyDelivery
from handouts.batch.plan import Job
from handouts.cli import main
from handouts.deliver.channel import Channel
from handouts.deliver.journal import RECORDS_NAME, DeliveryKey, DeliveryRecords, State
from handouts.deliver.legacy_journal import LEGACY_NAME
from handouts.errors import InputError
from tests.support.smtp import Mailbox, StoresThenDrops, smtp_env

HEADER = "patient,date,protocol,email\n"


def manifest(out: Path) -> dict[str, dict[str, str]]:
    with (out / "manifest.csv").open(encoding="utf-8") as stream:
        return {record["row"]: record for record in csv.DictReader(stream)}


def batch(patients: Path, out: Path, env: dict[str, str]) -> Any:
    args = ["batch", str(patients), "-o", str(out), "--workers", "1", "--email"]
    return CliRunner().invoke(main, args, env=env)


def test_rows_reordered_between_runs_never_email_anyone_twice_or_skip_anyone(
    smtp_server: Any, tmp_path: Path
) -> None:
    # Two patients with the same name on the same day; the server refuses the second.
    mailbox = Mailbox(refuse_recipients={"second@example.com"})
    env = smtp_env(smtp_server(mailbox, auth_require_tls=False))
    first = "Sam Lee,2026-11-22,micropenning,first@example.com\n"
    second = "Sam Lee,2026-11-22,micropenning,second@example.com\n"
    patients = tmp_path / "day.csv"
    out = tmp_path / "out"

    patients.write_text(HEADER + first + second, encoding="utf-8")
    result = batch(patients, out, env)
    assert result.exit_code == 1, result.output
    rows = manifest(out)
    assert rows["2"]["delivered"] == "emailed"
    assert rows["3"]["delivered"] == "" and "550" in rows["3"]["delivery_problems"]

    mailbox.refuse_recipients.clear()
    patients.write_text(HEADER + second + first, encoding="utf-8")  # the rows swapped
    result = batch(patients, out, env)
    assert result.exit_code == 0, result.output

    assert [e.rcpt_tos for e in mailbox.received] == [["first@example.com"], ["second@example.com"]]
    rows = manifest(out)
    assert rows["2"]["delivered"] == rows["3"]["delivered"] == "emailed"


def test_an_email_that_may_have_been_sent_is_shown_and_never_sent_again(
    smtp_server: Any, tmp_path: Path
) -> None:
    mailbox = StoresThenDrops()
    env = smtp_env(smtp_server(mailbox, auth_require_tls=False))
    patients = tmp_path / "day.csv"
    patients.write_text(HEADER + "Ana Silva,2026-11-22,micropenning,ana@example.com\n", "utf-8")
    out = tmp_path / "out"

    result = batch(patients, out, env)
    assert result.exit_code == 1
    assert "may have been sent" in manifest(out)["2"]["delivery_problems"]
    result = batch(patients, out, env)

    assert result.exit_code == 1
    assert "not sent again" in manifest(out)["2"]["delivery_problems"]
    assert len(mailbox.received) == 1 and mailbox.data_attempts == 1


def key(**changes: Any) -> DeliveryKey:
    fields = {
        "channel": Channel.EMAIL,
        "recipient": "ana@example.com",
        "patient": "Ana Silva",
        "clinic": "harbourside",
        "protocol": "micropenning",
        "procedure_date": "2026-11-22",
    }
    return DeliveryKey(**(fields | changes))


def test_records_name_the_person_and_survive_a_new_reader(tmp_path: Path) -> None:
    records = DeliveryRecords(tmp_path)
    records.mark(key(), State.SENDING, "a.pdf", "0" * 64)
    records.mark(key(), State.DONE, "a.pdf", "0" * 64)
    records.mark(key(recipient="bo@example.com"), State.UNCERTAIN, "a.pdf", "1" * 64)
    records.close()

    again = DeliveryRecords(tmp_path)
    assert again.state(key()) is State.DONE
    assert again.state(key(recipient="bo@example.com")) is State.UNCERTAIN
    assert again.state(key(procedure_date="2026-11-23")) is None
    assert again.state(key(channel=Channel.PRINT, recipient="")) is None
    mode = (tmp_path / RECORDS_NAME).stat().st_mode & 0o777
    assert mode == 0o600
    with sqlite3.connect(tmp_path / RECORDS_NAME) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_failed_send_is_forgotten_but_a_finished_one_is_not(tmp_path: Path) -> None:
    records = DeliveryRecords(tmp_path)
    records.mark(key(), State.SENDING, "a.pdf", "0" * 64)
    records.forget(key())
    assert records.state(key()) is None
    records.mark(key(), State.DONE, "a.pdf", "0" * 64)
    records.forget(key())
    assert records.state(key()) is State.DONE


def test_an_old_log_is_carried_over_once_and_a_damaged_one_refused(tmp_path: Path) -> None:
    (tmp_path / LEGACY_NAME).write_text(
        "time,output,delivered\nx,a.pdf,emailed\nx,a.pdf,printed\nx,b.pdf,emai", "utf-8"
    )
    records = DeliveryRecords(tmp_path)
    assert records.legacy("a.pdf") == {Channel.EMAIL, Channel.PRINT}
    assert records.legacy("b.pdf") == {Channel.EMAIL}  # cut short by a kill: still sent
    records.close()
    (tmp_path / LEGACY_NAME).write_text("garbage\n", "utf-8")  # read once, never again
    assert DeliveryRecords(tmp_path).legacy("a.pdf") == {Channel.EMAIL, Channel.PRINT}

    other = tmp_path / "other"
    other.mkdir()
    (other / LEGACY_NAME).write_bytes(b"time,output,delivered\n\xff\xfe,a.pdf,emailed\n")
    with pytest.raises(InputError, match=r"deliveries\.csv: cannot be read \(it is not UTF-8"):
        DeliveryRecords(other)


@pytest.mark.parametrize("companion", ["", "-wal"])
def test_records_planted_as_a_link_are_refused(tmp_path: Path, companion: str) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", "utf-8")
    victim.chmod(0o644)
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / f"{RECORDS_NAME}{companion}").symlink_to(victim)

    with pytest.raises(InputError, match="symbolic link"):
        DeliveryRecords(folder)

    assert victim.read_text("utf-8") == "keep me"
    assert victim.stat().st_mode & 0o777 == 0o644


def test_damaged_records_stop_the_batch_by_name(tmp_path: Path) -> None:
    (tmp_path / RECORDS_NAME).write_bytes(b"this is not a database" * 100)
    with pytest.raises(InputError, match=r"deliveries\.sqlite3: cannot be read"):
        DeliveryRecords(tmp_path)


def test_identical_print_rows_are_separate_deliveries_but_one_email(
    tmp_path: Path, content: Any
) -> None:
    """Two rows alike in every way are two patients sharing a name: each gets a paper copy."""
    delivery = OnceOnlyDelivery(content, tmp_path)
    job = Job(
        2,
        "harbourside",
        "micropenning",
        "Sam Lee",
        dt.date(2026, 11, 22),
        "a.pdf",
        "0" * 64,
        "s@example.com",
    )
    prints = [delivery._occurrence(delivery.key(job, Channel.PRINT)) for _ in range(2)]
    emails = [delivery._occurrence(delivery.key(job, Channel.EMAIL)) for _ in range(2)]
    assert [k.occurrence for k in prints] == [1, 2]
    assert emails[0] == emails[1]
    assert delivery.key(job, Channel.EMAIL).recipient == "s@example.com"


def test_a_send_cut_off_by_a_kill_is_not_sent_again(smtp_server: Any, tmp_path: Path) -> None:
    """A run killed mid-send leaves "sending": the next run reports it and leaves it alone."""
    mailbox = Mailbox()
    env = smtp_env(smtp_server(mailbox, auth_require_tls=False))
    patients = tmp_path / "day.csv"
    patients.write_text(HEADER + "Ana Silva,2026-11-22,micropenning,Ana@Example.com\n", "utf-8")
    out = tmp_path / "out"
    records = DeliveryRecords(out)
    records.mark(key(), State.SENDING, "a.pdf", "0" * 64)  # as a killed run leaves it
    records.close()

    result = batch(patients, out, env)

    assert result.exit_code == 1
    assert "may already have been sent" in manifest(out)["2"]["delivery_problems"]
    assert mailbox.received == []
