"""A batch run's rows in the ledger: every row kept as it happens, "delivered" from the record."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from handouts.channel import Channel
from handouts.records import DeliveryKey, Ledger, NewHandout, Result, RunRow
from handouts.request import HandoutRequest
from tests.support.clock import Clock

START = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
REQUEST = HandoutRequest(
    "micropenning", "magnolia", "Sam Lee", dt.date(2026, 11, 22), email="sam@example.com"
)


def _handout(ledger: Ledger, run: str | None = None) -> int:
    new = NewHandout(REQUEST, "front", "batch", "a" * 64, "c" * 64, "reviewed", 2, run)
    return ledger.record_handout(new)


def test_a_run_keeps_every_row_with_what_the_record_says_was_delivered(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "data", Clock(START))
    out = tmp_path / "out"
    ledger.start_run("r1", "front", "batch", out)
    handout_id = _handout(ledger, "r1")
    key = DeliveryKey.for_handout(Channel.EMAIL, REQUEST, "magnolia")
    claim = ledger.claim(key, handout_id, "front", run="r1")
    assert claim.delivery_id is not None
    made = RunRow(2, "made", handout_id, "Sam Lee", output="sam.pdf", sha256="a" * 64)
    ledger.record_run_row("r1", RunRow(3, "failed", patient="Bo Chen", error="date: no"))
    ledger.record_run_row("r1", replace(made, holders=(claim.delivery_id,)))
    # Claimed, not yet confirmed: not delivered.
    assert [r.delivered for r in ledger.run_rows("r1")] == [frozenset(), frozenset()]
    ledger.finish(claim.delivery_id, Result.EMAILED)
    rows = ledger.run_rows("r1")
    assert [(r.row, r.status, r.patient) for r in rows] == [
        (2, "made", "Sam Lee"),
        (3, "failed", "Bo Chen"),
    ]
    assert rows[0].delivered == {Channel.EMAIL} and rows[1].error == "date: no"
    assert ledger.latest_run(out) == "r1"
    assert ledger.last_made(out, "sam.pdf", ("made", "skipped")) is not None
    assert ledger.last_made(tmp_path / "elsewhere", "sam.pdf", ("made", "skipped")) is None


def test_purge_removes_old_runs_with_their_rows(tmp_path: Path) -> None:
    clock = Clock(START)
    ledger = Ledger(tmp_path / "data", clock)
    ledger.start_run("old", "front", "batch", tmp_path / "out")
    ledger.record_run_row("old", RunRow(2, "failed", patient="Old Row", error="?"))
    ledger.record_run_row("old", RunRow(3, "made", _handout(ledger, "old"), "Sam Lee"))
    clock.now = START + dt.timedelta(days=90)
    ledger.start_run("new", "front", "batch", tmp_path / "out")
    ledger.record_run_row("new", RunRow(2, "failed", patient="New Row", error="?"))
    assert ledger.purge(dt.timedelta(days=30)).runs == 1
    assert ledger.run_rows("old") == []
    assert [r.patient for r in ledger.run_rows("new")] == ["New Row"]
