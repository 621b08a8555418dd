"""`handout` with the names and dates front-desk staff actually type."""

from __future__ import annotations

import datetime as dt
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from handouts.cli import main

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HANDOUTS_ROOT", raising=False)
    return tmp_path


def test_names_and_today_as_a_new_user_types_them(in_tmp: Path) -> None:
    args = [
        "handout",
        "Micro-Needling",
        "--clinic",
        "MAGNOLIA DERMATOLOGY & LASER",
        "--patient",
        "Sam Lee",
        "--date",
        "today",
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    written = Path(result.stdout.strip())
    assert written.is_file()
    clinic, protocol, date, _ = written.name.split("_")
    assert (clinic, protocol) == ("magnolia", "microneedling")
    # The date understood is shown spelled out the clinic's (US) way, and is the file's date.
    understood = result.stderr.strip().removeprefix("date: ")
    assert dt.datetime.strptime(understood, "%A, %B %d, %Y").date().isoformat() == date


def test_numeric_dates_follow_the_clinic(in_tmp: Path) -> None:
    for clinic, text in (("harbourside", "23/11/2026"), ("magnolia", "11/23/2026")):
        args = ["handout", "micropenning", "--clinic", clinic, "--date", text, "--format", "html"]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        assert "2026-11-23" in result.stdout
    result = CliRunner().invoke(
        main, ["handout", "micropenning", "--clinic", "harbourside", "--date", "11/23/2026"]
    )
    assert result.exit_code == 1
    assert "not a date written day/month/year, as this clinic writes dates" in result.output


def test_a_date_years_away_is_refused_without_a_terminal_unless_yes(in_tmp: Path) -> None:
    args = ["handout", "micropenning", "--patient", "Sam Lee", "--date", "Nov 23, 2062"]
    refused = CliRunner().invoke(main, args)
    assert refused.exit_code == 1
    assert "Thursday 23 November 2062 is more than a year from today" in refused.output
    assert "--yes" in refused.output
    assert not (in_tmp / "out").exists()
    accepted = CliRunner().invoke(main, [*args, "--yes"])
    assert accepted.exit_code == 0, accepted.output
    assert "2062-11-23" in accepted.stdout


def _on_a_terminal(cwd: Path, answer: bytes, *args: str) -> tuple[int, str]:
    """Run the real command with a pseudo-terminal as its stdin; answer its question."""
    controller, terminal = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    env.pop("HANDOUTS_ROOT", None)
    process = subprocess.Popen(
        [sys.executable, str(PROJECT / "generate.py"), *args],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        cwd=cwd,
        env=env,
    )
    os.close(terminal)
    seen = b""
    answered = False
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([controller], [], [], 1)
        if ready:
            try:
                chunk = os.read(controller, 4096)
            except OSError:
                break  # the command has finished and closed the terminal
            if not chunk:
                break
            seen += chunk
        if not answered and b"Is that right?" in seen:
            os.write(controller, answer)
            answered = True
        if process.poll() is not None and not ready:
            break
    os.close(controller)
    return process.wait(timeout=60), seen.decode(errors="replace")


@pytest.mark.parametrize(("answer", "status"), [(b"n\n", 1), (b"y\n", 0)])
def test_a_date_years_away_is_asked_about_on_a_terminal(
    tmp_path: Path, answer: bytes, status: int
) -> None:
    args = ("handout", "micropenning", "--date", "2062-11-23", "--format", "html")
    code, seen = _on_a_terminal(tmp_path, answer, *args)
    assert "Thursday 23 November 2062 is more than a year from today. Is that right?" in seen
    assert code == status, seen
    made = list((tmp_path / "out").glob("*.html")) if (tmp_path / "out").exists() else []
    assert len(made) == (1 if status == 0 else 0)


@pytest.mark.parametrize(("answer", "status"), [(b"n\n", 1), (b"y\n", 0)])
def test_a_date_more_than_a_few_days_past_is_asked_about_on_a_terminal(
    tmp_path: Path, answer: bytes, status: int
) -> None:
    # Today is 20 November 2026 (HANDOUTS_TODAY); 6 May 2026 is six months ago.
    args = ("handout", "micropenning", "--date", "2026-05-06", "--format", "html")
    code, seen = _on_a_terminal(tmp_path, answer, *args)
    assert "Wednesday 6 May 2026 is in the past. Is that right?" in seen
    assert code == status, seen


def test_a_past_date_without_a_terminal_needs_yes(in_tmp: Path) -> None:
    args = ["handout", "micropenning", "--date", "2026-05-06", "--format", "html"]
    refused = CliRunner().invoke(main, args)
    assert refused.exit_code == 1
    assert "--date: Wednesday 6 May 2026 is in the past; check the date, or add --yes" in (
        refused.output
    )
    recent = CliRunner().invoke(main, [*args[:3], "2026-11-18", *args[4:]])
    assert recent.exit_code == 0, recent.output  # two days back: a handout made again
    assert CliRunner().invoke(main, [*args, "--yes"]).exit_code == 0
