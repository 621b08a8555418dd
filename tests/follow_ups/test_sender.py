"""Follow-ups through a real SMTP server, on a clock the tests move: once each, in the
clinic's hours, stopped when asked, and never a name in a message or a log line."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from pathlib import Path

import pytest

from handouts.content.store import ContentStore
from handouts.errors import MaybeDelivered
from handouts.follow_ups.outbox import CancelReason, FollowUpState, Outbox
from handouts.follow_ups.plan import plan_follow_ups
from handouts.follow_ups.schedule import schedule_for_handout
from handouts.follow_ups.sender import send_due
from handouts.render.page import resolve_spec
from tests.support.dates import FIXED_DATE
from tests.support.inbox import Smtp

PATIENT = "Quintessa Zelborne"
ADDRESS = "q.z@example.org"
SCHEDULED_AT = dt.datetime(2026, 11, 22, 15, 0, tzinfo=dt.UTC)  # the afternoon of the visit
PUBLIC = "https://desk.harbourside-skin.example"


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """``day`` days after the procedure, at hour:minute London time (GMT in November)."""
    return dt.datetime.combine(FIXED_DATE + dt.timedelta(days=day), dt.time(hour, minute), dt.UTC)


def schedule(
    content: ContentStore, data: Path, address: str = ADDRESS, protocol: str = "microneedling"
) -> str:
    spec = resolve_spec(content, protocol, "harbourside", PATIENT, FIXED_DATE)
    count, token = schedule_for_handout(spec, address, data, SCHEDULED_AT, "test consent")
    assert count == len(plan_follow_ups(spec)) > 0 and token
    return token


def run(content: ContentStore, data: Path, smtp: Smtp, now: dt.datetime, **kw: object):  # type: ignore[no-untyped-def]
    with Outbox(data) as outbox:
        return send_due(outbox, content, smtp.settings, now, public_url=PUBLIC, **kw)  # type: ignore[arg-type]


def test_each_days_message_goes_once_on_its_day(
    content: ContentStore, tmp_path: Path, smtp: Smtp
) -> None:
    schedule(content, tmp_path)
    # 22 Nov 2026 is a Sunday; day 1 is Monday 23rd at 9:00, the clinic's first hour.
    assert run(content, tmp_path, smtp, at(1, 8, 59)).sent == 0
    assert smtp.inbox.received == []
    first = run(content, tmp_path, smtp, at(1, 9, 0))
    assert first.sent == 1
    again = run(content, tmp_path, smtp, at(1, 9, 5))
    assert again.sent == 0
    (message,) = smtp.inbox.received
    assert message["To"] == ADDRESS
    assert message.get_body(("plain",)).get_content().count("How is your skin today?") == 1
    # Day 2: the day-2 message only.
    assert run(content, tmp_path, smtp, at(2, 10)).sent == 1
    assert (
        "Dry, flaking skin is normal" in smtp.inbox.received[1].get_body(("plain",)).get_content()
    )
    # Day 7 is a Sunday, when Harbourside does not send: Monday 9:00 instead.
    assert run(content, tmp_path, smtp, at(7, 12)).sent == 0
    assert run(content, tmp_path, smtp, at(8, 9)).sent == 1
    assert "One week after" in smtp.inbox.received[2].get_body(("plain",)).get_content()
    assert len(smtp.inbox.received) == 3


def test_outside_the_clinics_hours_nothing_goes_until_they_open(
    content: ContentStore, tmp_path: Path, smtp: Smtp
) -> None:
    schedule(content, tmp_path)
    # Day 1's message not sent on day 1 (no one ran the sender); on day 2 at 20:00 it waits.
    late = run(content, tmp_path, smtp, at(2, 20))
    assert late.sent == 0 and late.waiting == 2
    assert run(content, tmp_path, smtp, at(3, 9)).sent == 2


def test_a_message_days_late_is_not_sent(content: ContentStore, tmp_path: Path, smtp: Smtp) -> None:
    schedule(content, tmp_path)
    report = run(content, tmp_path, smtp, at(6, 10))
    assert report.expired == 2 and report.sent == 0  # day 1 and day 2, too late to help
    with Outbox(tmp_path) as outbox:
        states = {row.key: row.state for row in outbox.rows()}
    assert states["day-1"] == states["day-2"] == FollowUpState.EXPIRED
    assert states["day-7"] == FollowUpState.SCHEDULED


def test_two_senders_at_once_never_both_send(
    content: ContentStore, tmp_path: Path, smtp: Smtp
) -> None:
    for n in range(15):
        schedule(content, tmp_path, f"patient{n}@example.org")
    now = at(2, 10)  # day 1 and day 2 are due for every patient: 30 messages
    reports = []
    start = threading.Barrier(2)

    def sender(name: str) -> None:
        with Outbox(tmp_path) as outbox:
            start.wait()
            reports.append(send_due(outbox, content, smtp.settings, now, claimant=name))

    threads = [threading.Thread(target=sender, args=(f"s{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(r.sent for r in reports) == 30
    assert len(smtp.inbox.received) == 30
    seen = [(m["To"], m.get_body(("plain",)).get_content()) for m in smtp.inbox.received]
    assert len(set(seen)) == 30, "a message went out twice"


def test_a_server_that_may_have_it_is_never_asked_again(
    content: ContentStore, tmp_path: Path, smtp: Smtp
) -> None:
    schedule(content, tmp_path)

    def unconfirmed(message: object, settings: object) -> None:
        raise MaybeDelivered("The message may have been sent")

    report = run(content, tmp_path, smtp, at(1, 9), send=unconfirmed)
    assert report.uncertain == 1
    assert run(content, tmp_path, smtp, at(1, 10)).sent == 0
    assert smtp.inbox.received == []
    with Outbox(tmp_path) as outbox:
        assert outbox.rows([FollowUpState.UNCERTAIN])[0].key == "day-1"


def test_a_refused_message_is_tried_again_later(
    content: ContentStore, tmp_path: Path, smtp: Smtp
) -> None:
    schedule(content, tmp_path)
    smtp.inbox.refuse = True
    refused = run(content, tmp_path, smtp, at(1, 9))
    assert refused.retry_later == 1 and refused.sent == 0
    smtp.inbox.refuse = False
    assert run(content, tmp_path, smtp, at(1, 10)).sent == 1


def test_a_sender_killed_mid_send_leaves_it_unsent_for_good(
    content: ContentStore, tmp_path: Path, smtp: Smtp
) -> None:
    schedule(content, tmp_path)
    with Outbox(tmp_path) as outbox:
        (row,) = outbox.due(at(1, 9))
        assert outbox.claim(row.id, "killed", at(1, 9))  # and then the process died
    assert run(content, tmp_path, smtp, at(1, 10)).sent == 0
    with Outbox(tmp_path) as outbox:
        assert [r.key for r in outbox.rows([FollowUpState.SENDING])] == ["day-1"]


def test_the_patient_who_asked_to_stop_gets_nothing_more(
    content: ContentStore, tmp_path: Path, smtp: Smtp
) -> None:
    token = schedule(content, tmp_path)
    other = schedule(content, tmp_path, "other@example.org")
    assert run(content, tmp_path, smtp, at(1, 9)).sent == 2
    first = smtp.inbox.to(ADDRESS)
    header = first[0]["List-Unsubscribe"]
    assert f"{PUBLIC}/follow-ups/stop/{token}" in header and "mailto:" in header
    assert first[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "STOP" in first[0].get_body(("plain",)).get_content()
    with Outbox(tmp_path) as outbox:
        assert outbox.cancel_handout(token, CancelReason.PATIENT, at(1, 12)) == 2
    run(content, tmp_path, smtp, at(2, 10))
    run(content, tmp_path, smtp, at(8, 9))
    assert len(smtp.inbox.to(ADDRESS)) == 1
    assert len(smtp.inbox.to("other@example.org")) == 3
    assert other != token


def test_a_cancelled_appointment_stops_the_rest(
    content: ContentStore, tmp_path: Path, smtp: Smtp
) -> None:
    schedule(content, tmp_path)
    run(content, tmp_path, smtp, at(1, 9))
    with Outbox(tmp_path) as outbox:
        stopped = outbox.cancel_appointment(
            "harbourside", "microneedling", FIXED_DATE, PATIENT, at(1, 12)
        )
    assert stopped == 2
    assert run(content, tmp_path, smtp, at(8, 9)).sent == 0
    assert len(smtp.inbox.received) == 1


def test_no_name_in_any_message_or_log_line(
    content: ContentStore, tmp_path: Path, smtp: Smtp, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    schedule(content, tmp_path, protocol="light-chemical-peel")
    smtp.inbox.refuse = True
    run(content, tmp_path, smtp, at(3, 9))
    smtp.inbox.refuse = False
    for day in range(3, 20):
        run(content, tmp_path, smtp, at(day, 10))
    assert len(smtp.inbox.received) >= 5
    for message in smtp.inbox.received:
        assert message["To"] == ADDRESS  # only where the handout went
        raw = message.as_string()
        assert "Quintessa" not in raw and "Zelborne" not in raw
        assert "Chemical peel" not in message["Subject"]
        # No health detail beyond the handout's title and the rule itself.
        assert message.get_body(("plain",)).get_content().count("Chemical peel care") == 1
    ours = [r for r in caplog.records if r.name.startswith("handouts")]
    assert ours  # the sender does log, by row id
    for record in ours:  # (the test SMTP server's own log shows addresses; ours must not)
        line = record.getMessage()
        assert "Zelborne" not in line and ADDRESS not in line


def test_a_clinic_that_does_not_send_schedules_nothing(
    content: ContentStore, tmp_path: Path
) -> None:
    spec = resolve_spec(content, "microneedling", "magnolia", PATIENT, FIXED_DATE)
    assert schedule_for_handout(spec, ADDRESS, tmp_path, SCHEDULED_AT, "consent") == (0, None)
