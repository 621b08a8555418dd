"""A day's list with a follow-ups column and a next-appointment column; a later list
that cancels the appointment stops the follow-ups."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from handouts import service
from handouts.content.store import ContentStore
from handouts.follow_ups.outbox import FollowUpState, Outbox
from handouts.records import Ledger
from tests.support.content import add_alias, copy_content
from tests.support.inbox import Smtp, smtp

__all__ = ["smtp"]  # a fixture, used by name below

NOW = dt.datetime(2026, 11, 22, 15, 0, tzinfo=dt.UTC)
HEADER = "Client Name,Appointment Date,Service,Email,Follow Ups,Next Appointment,Status\n"


def run(
    content: ContentStore, csv: Path, out: Path, data: Path, smtp: Smtp, *, drafts: bool = False
) -> None:
    ledger = Ledger(data, clock=lambda: NOW)
    request = service.BatchRequest(
        csv, out, clinic="harbourside", email=True, workers=1, allow_draft=drafts
    )
    service.run_batch(content, request, environ=smtp.environ, ledger=ledger)


def test_the_column_schedules_and_a_cancelled_row_stops(
    content: ContentStore, tmp_path: Path, smtp: Smtp
) -> None:
    monday = tmp_path / "monday.csv"
    monday.write_text(
        HEADER
        + "Ann Agree,2026-11-22,Micro-Needling,ann@example.org,yes,,Confirmed\n"
        + "Ned Nope,2026-11-22,Micro-Needling,ned@example.org,no,2026-12-20 10:00,Confirmed\n"
    )
    run(content, monday, tmp_path / "out", tmp_path / "data", smtp)
    assert len(smtp.inbox.received) == 2
    ned = smtp.inbox.to("ned@example.org")[0].get_body(("plain",)).get_content()
    assert "Booked: Sunday 20 December 2026 at 10:00 am" in ned.replace("\r\n", "\n")
    with Outbox(tmp_path / "data") as outbox:
        rows = outbox.rows()
    assert {r.recipient for r in rows} == {"ann@example.org"}
    assert [r.key for r in rows] == ["day-1", "day-2", "day-7"]

    later = tmp_path / "later.csv"
    later.write_text(
        HEADER + "Ann Agree,2026-11-22,Micro-Needling,ann@example.org,yes,,Cancelled\n"
    )
    run(content, later, tmp_path / "out2", tmp_path / "data", smtp)
    with Outbox(tmp_path / "data") as outbox:
        states = {r.state for r in outbox.rows()}
    assert states == {FollowUpState.CANCELLED}
    assert len(smtp.inbox.received) == 2  # the cancelled row got no handout either


def test_a_cancelled_service_that_names_two_protocols_stops_their_handouts_follow_ups(
    tmp_path: Path, smtp: Smtp
) -> None:
    root = copy_content(tmp_path / "content")
    add_alias(root / "protocols", "Needling with PRP", "microneedling", "prp-injections")
    content = ContentStore(root)
    booked = tmp_path / "booked.csv"
    booked.write_text(HEADER + "Ann Agree,2026-11-22,Needling with PRP,ann@example.org,yes,,\n")
    run(content, booked, tmp_path / "out", tmp_path / "data", smtp, drafts=True)
    with Outbox(tmp_path / "data") as outbox:
        rows = outbox.rows()
    assert {r.protocol for r in rows} == {"microneedling+prp-injections"}
    later = tmp_path / "later.csv"
    later.write_text(HEADER + "Ann Agree,2026-11-22,Needling with PRP,,yes,,Cancelled\n")
    run(content, later, tmp_path / "out2", tmp_path / "data", smtp, drafts=True)
    with Outbox(tmp_path / "data") as outbox:
        assert {r.state for r in outbox.rows()} == {FollowUpState.CANCELLED}
