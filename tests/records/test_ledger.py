"""The ledger on a real SQLite file, with a clock the test moves."""

from __future__ import annotations

import datetime as dt
import sqlite3
import stat
from dataclasses import replace
from pathlib import Path

import pytest

from handouts.channel import Channel
from handouts.content.combining import PractitionerWords, SpanChange
from handouts.records import (
    LATEST,
    MIGRATIONS,
    DeliveryKey,
    Ledger,
    NewHandout,
    Result,
    RunRow,
    Search,
)
from handouts.records.schema import MIGRATIONS as SCHEMA_MIGRATIONS
from handouts.request import HandoutRequest
from tests.support.clock import Clock

START = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


def _new(
    patient: str = "Sam Lee", email: str | None = "sam@example.com", sha: str = "a" * 64
) -> NewHandout:
    return NewHandout(
        HandoutRequest(
            "micropenning",
            "magnolia",
            patient,
            dt.date(2026, 11, 22),
            procedure_time=dt.time(14, 30),
            language="en",
            email=email,
        ),
        made_by="front",
        source="web",
        pdf_sha256=sha,
        content_version="c" * 64,
        review_status="reviewed",
        pages=2,
    )


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def ledger(tmp_path: Path, clock: Clock) -> Ledger:
    return Ledger(tmp_path / "data", clock)


def test_a_handout_is_recorded_with_everything_it_was_made_from(ledger: Ledger) -> None:
    handout_id = ledger.record_handout(_new())
    history = ledger.handout(handout_id)
    assert history is not None
    record = history.handout
    assert record.made_at == START
    assert record.made_by == "front"
    assert record.request.patient == "Sam Lee"
    assert record.request.procedure_time == dt.time(14, 30)
    assert record.request.email == "sam@example.com"
    assert (record.pdf_sha256, record.content_version, record.review_status) == (
        "a" * 64,
        "c" * 64,
        "reviewed",
    )
    assert history.deliveries == []


def test_what_was_set_for_this_patient_is_kept(ledger: Ledger) -> None:
    words = PractitionerWords(
        practitioner="Dr Ana Reyes",
        areas="cheeks, forehead",
        note="Use the cool pack tonight.",
        changes=(SpanChange("heat", hours=72),),
    )
    asked = replace(
        _new().request,
        also=("prp-injections",),
        variant="deep",
        words=words,
        next_visit=dt.date(2026, 12, 21),
        next_visit_time=dt.time(10, 0),
    )
    handout_id = ledger.record_handout(replace(_new(), request=asked))
    history = ledger.handout(handout_id)
    assert history is not None
    kept = history.handout.request
    assert (kept.also, kept.variant, kept.words) == (("prp-injections",), "deep", words)
    assert (kept.next_visit, kept.next_visit_time) == (dt.date(2026, 12, 21), dt.time(10, 0))
    plain = ledger.handout(ledger.record_handout(_new()))
    assert plain is not None and plain.handout.request.words is None


def test_files_are_owner_only(ledger: Ledger) -> None:
    ledger.record_handout(_new())
    sha = ledger.archive.put(b"%PDF-1.7 test")
    assert stat.S_IMODE(ledger.folder.stat().st_mode) == 0o700
    for path in [ledger.path, ledger.archive.path(sha)]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert ledger.pdf(sha) == b"%PDF-1.7 test"


def test_a_key_is_claimed_once_and_a_certain_failure_frees_it(ledger: Ledger, clock: Clock) -> None:
    handout_id = ledger.record_handout(_new())
    key = DeliveryKey.for_handout(Channel.EMAIL, _new().request, "magnolia")
    first = ledger.claim(key, handout_id, "front")
    assert first.granted
    assert ledger.claim(key, handout_id, "front").previous is not None
    ledger.finish(first.delivery_id or 0, Result.FAILED, reason="connection refused")
    second = ledger.claim(key, handout_id, "front")
    assert second.granted
    ledger.finish(second.delivery_id or 0, Result.EMAILED)
    refused = ledger.claim(key, handout_id, "desk")
    assert refused.previous is not None and refused.previous.result is Result.EMAILED
    again = ledger.claim(key, handout_id, "manager", again=True)
    assert again.granted
    history = ledger.handout(handout_id)
    assert history is not None
    assert [(d.result, d.again) for d in history.deliveries] == [
        (Result.FAILED, False),
        (Result.EMAILED, False),
        (Result.MAY_HAVE_BEEN_SENT, True),
    ]
    assert history.deliveries[0].reason == "connection refused"


def test_the_key_ignores_case_and_spacing_of_names_and_addresses(ledger: Ledger) -> None:
    one = DeliveryKey.for_handout(
        Channel.EMAIL, _new(" sam  LEE", "Sam@Example.com ").request, "magnolia"
    )
    two = DeliveryKey.for_handout(Channel.EMAIL, _new().request, "magnolia")
    assert one == two


def test_a_claim_left_sending_says_may_have_been_sent(ledger: Ledger) -> None:
    handout_id = ledger.record_handout(_new())
    key = DeliveryKey.for_handout(Channel.PRINT, _new().request, "magnolia")
    ledger.claim(key, handout_id, "front")  # the process dies here
    reopened = Ledger(ledger.folder)
    previous = reopened.claim(key, handout_id, "front").previous
    assert previous is not None and previous.result is Result.MAY_HAVE_BEEN_SENT


def test_search_by_text_dates_clinic_and_protocol(ledger: Ledger, clock: Clock) -> None:
    ids = []
    for day, name in enumerate(["Ana Ruiz", "Sam Lee", "Samantha Ode", "Bo Li"]):
        clock.now = START + dt.timedelta(days=day)
        ids.append(ledger.record_handout(_new(name, f"{name.split()[0].lower()}@example.org")))
    found = ledger.search(Search(patient="sam"))
    assert [r.patient for r in found.records] == ["Samantha Ode", "Sam Lee"]
    assert [r.patient for r in ledger.search(Search(patient="li")).records] == ["Bo Li"]
    assert [r.patient for r in ledger.search(Search(patient="ANA@EXAMPLE")).records] == ["Ana Ruiz"]
    local = (START + dt.timedelta(days=1)).astimezone().date()
    window = ledger.search(Search(since=local, until=local))
    assert [r.patient for r in window.records] == ["Sam Lee"]
    assert ledger.search(Search(clinic="harbourside")).records == []
    first = ledger.search(Search(per_page=3))
    assert first.more and len(first.records) == 3
    second = ledger.search(Search(per_page=3, page=2))
    assert not second.more and [r.id for r in second.records] == [ids[0]]


def test_purge_removes_only_what_is_older_than_the_limit(ledger: Ledger, clock: Clock) -> None:
    old_sha = ledger.archive.put(b"old pdf")
    shared_sha = ledger.archive.put(b"shared pdf")
    old = ledger.record_handout(_new("Old Person", sha=old_sha))
    ledger.record_handout(_new("Old Shared", sha=shared_sha))
    key = DeliveryKey.for_handout(Channel.EMAIL, _new("Old Person").request, "magnolia")
    claim = ledger.claim(key, old, "front")
    ledger.finish(claim.delivery_id or 0, Result.EMAILED)
    clock.now = START + dt.timedelta(days=100)
    new = ledger.record_handout(_new("New Person", sha=shared_sha))
    clock.now = START + dt.timedelta(days=130)
    purged = ledger.purge(dt.timedelta(days=60))
    assert (purged.handouts, purged.deliveries, purged.pdfs) == (2, 1, 1)
    assert ledger.handout(old) is None and ledger.handout(new) is not None
    assert not ledger.archive.has(old_sha) and ledger.archive.has(shared_sha)
    assert ledger.holder(key) is None
    assert [r.id for r in ledger.search(Search(patient="person")).records] == [new]
    assert ledger.purge(dt.timedelta(days=60)).handouts == 0


def test_migrations_are_numbered_from_every_earlier_version(tmp_path: Path) -> None:
    assert MIGRATIONS is SCHEMA_MIGRATIONS and len(MIGRATIONS) == LATEST
    for version in range(LATEST):
        folder = tmp_path / f"v{version}"
        folder.mkdir(mode=0o700)
        db = sqlite3.connect(folder / "records.sqlite3")
        for script in MIGRATIONS[:version]:
            db.executescript(script)
        if version >= 1:  # a record written by that version survives the upgrade
            db.execute(
                "INSERT INTO handouts (made_at, made_by, source, clinic, protocol, language,"
                " patient, email, pdf_sha256, content_version, review_status)"
                " VALUES ('2026-01-01T00:00:00.000000+00:00', 'old', 'web', 'magnolia',"
                " 'micropenning', 'en', 'Kept Person', NULL, ?, 'v', 'draft')",
                ("b" * 64,),
            )
        if version >= 2:  # from version 2 on, the ledger indexes names as it writes them
            db.execute(
                "INSERT INTO handout_text (rowid, patient, email)"
                " SELECT id, patient, '' FROM handouts"
            )
        db.execute(f"PRAGMA user_version = {version}")
        db.commit()
        db.close()
        ledger = Ledger(folder)
        assert ledger.version == LATEST
        found = ledger.search(Search(patient="kept"))
        assert [r.patient for r in found.records] == (["Kept Person"] if version else [])
        # And it keeps batch runs row by row from then on (migration 6).
        ledger.start_run("run-1", "me", "batch", folder)
        ledger.record_run_row("run-1", RunRow(2, "failed", patient="Bad Row", error="date: ?"))
        assert [(r.row, r.patient, r.error) for r in ledger.run_rows("run-1")] == [
            (2, "Bad Row", "date: ?")
        ]


def test_a_ledger_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path)
    db = sqlite3.connect(ledger.path)
    db.execute(f"PRAGMA user_version = {LATEST + 1}")
    db.commit()
    db.close()
    with pytest.raises(Exception, match="newer version"):
        Ledger(tmp_path)
