"""A micro-needling patient from the desk to day 7, as whole processes under `faketime`:
the handout email with its calendar, then each day's follow-up once, then nothing
after the patient is cancelled. Every step is a new process (a restart between
scheduling and sending, every time)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import vobject
from click.testing import CliRunner

from handouts.cli import main
from tests.support.inbox import Smtp, smtp

__all__ = ["smtp"]  # a fixture, used by name below

REPO = Path(__file__).resolve().parents[2]
FAKETIME = shutil.which("faketime")
ADDRESS = "sam.lee@example.org"

pytestmark = pytest.mark.skipif(FAKETIME is None, reason="faketime is not installed (apt)")


def handouts(when: str, data: Path, smtp: Smtp, *args: str) -> subprocess.CompletedProcess[str]:
    """``handouts ARGS`` as its own process, with the system clock at ``when`` (UTC)."""
    environ = {
        **os.environ,
        **smtp.environ,
        "HANDOUTS_DATA": str(data),
        "PYTHONPATH": str(REPO),
        "TZ": "UTC",
        "FAKETIME_DONT_FAKE_MONOTONIC": "1",
    }
    environ.pop("HANDOUTS_ROOT", None)
    command = [FAKETIME or "faketime", when, sys.executable, str(REPO / "generate.py"), *args]
    return subprocess.run(
        command,
        check=False,
        cwd=data.parent,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_from_the_desk_to_day_seven(tmp_path: Path, smtp: Smtp) -> None:
    data = tmp_path / "data"
    made = handouts(
        "2026-11-22 15:00:00",
        data,
        smtp,
        "handout",
        "microneedling",
        "--patient",
        "Sam Lee",
        "--date",
        "2026-11-22",
        "--email",
        ADDRESS,
        "--follow-ups",
    )
    assert made.returncode == 0, made.stderr
    assert "follow-ups scheduled: 3" in made.stderr  # days 1, 2 and 7
    (handout,) = smtp.inbox.received
    calendar = next(
        p for p in handout.iter_attachments() if p.get_content_type() == "text/calendar"
    )
    events = vobject.readOne(calendar.get_content()).vevent_list
    assert "Sam" not in calendar.get_content()
    phase_starts = {e.summary.value: e.dtstart.value.isoformat() for e in events}
    assert phase_starts["Day 1"] == "2026-11-23"
    assert phase_starts["Days 2-7"] == "2026-11-24"

    listed = handouts("2026-11-22 15:01:00", data, smtp, "follow-ups", "list")
    assert listed.returncode == 0
    assert listed.stdout.count("scheduled") == 3 and "How is your skin today?" in listed.stdout

    # Monday 23 November, 10:00 in London: day 1's message, once.
    for _ in range(2):
        sent = handouts("2026-11-23 10:00:00", data, smtp, "follow-ups", "send")
        assert sent.returncode == 0, sent.stderr
    assert len(smtp.inbox.received) == 2
    day_one = smtp.inbox.received[1]
    assert day_one["To"] == ADDRESS and "List-Unsubscribe" in day_one
    assert "How is your skin today?" in day_one.get_body(("plain",)).get_content()

    handouts("2026-11-24 09:30:00", data, smtp, "follow-ups", "send")
    assert len(smtp.inbox.received) == 3  # day 2

    cancelled = handouts(
        "2026-11-24 11:00:00", data, smtp, "follow-ups", "cancel", "--email", ADDRESS
    )
    assert cancelled.returncode == 0 and "cancelled 1 follow-up" in cancelled.stdout
    for day in ("2026-11-25", "2026-11-30", "2026-12-01"):
        handouts(f"{day} 10:00:00", data, smtp, "follow-ups", "send")
    assert len(smtp.inbox.received) == 3


def test_follow_ups_need_an_email_address() -> None:
    result = CliRunner().invoke(
        main,
        [
            "handout",
            "microneedling",
            "--patient",
            "Sam Lee",
            "--date",
            "2026-11-22",
            "--follow-ups",
        ],
    )
    assert result.exit_code == 2
    assert "--follow-ups needs --date and --email" in result.output


def test_cancel_needs_exactly_one_choice(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["follow-ups", "cancel", "--data", str(tmp_path), "--id", "1", "--email", "a@b.cd"]
    )
    assert result.exit_code == 2 and "exactly one of" in result.output


def test_send_without_smtp_settings_says_so(tmp_path: Path) -> None:
    result = CliRunner(env={"HANDOUTS_SMTP_HOST": ""}).invoke(
        main, ["follow-ups", "send", "--data", str(tmp_path)]
    )
    assert result.exit_code == 1 and "HANDOUTS_SMTP_HOST is missing" in result.output
