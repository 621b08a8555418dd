"""``handout --time``: hour rules as clock times."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from handouts.cli import main


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HANDOUTS_ROOT", raising=False)
    return tmp_path


def _html(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        main, ["handout", "botulinum-toxin", "--clinic", "magnolia", "--format", "html", *args]
    )
    page = Path("out.html").read_text("utf-8") if result.exit_code == 0 else ""
    return result.exit_code, result.output, page


def test_time_turns_hours_into_clock_times(in_tmp: Path) -> None:
    code, output, page = _html("--date", "2026-11-22", "--yes", "--time", "14:30", "-o", "out.html")
    assert code == 0, output
    assert "Until 6:30 pm on Sunday, November 22:" in page  # 4 hours: no lying down
    assert "For 4 hours after your procedure" not in page


def test_without_a_time_hours_are_counted_from_the_procedure(in_tmp: Path) -> None:
    code, output, page = _html("--date", "2026-11-22", "--yes", "-o", "out.html")
    assert code == 0, output
    assert "For 4 hours after your procedure:" in page


def test_time_needs_a_date(in_tmp: Path) -> None:
    code, output, _ = _html("--time", "14:30", "-o", "out.html")
    assert code == 2
    assert "--time needs --date" in output
    assert not Path("out.html").exists()


def test_a_bad_time_is_a_user_error(in_tmp: Path) -> None:
    code, output, _ = _html("--date", "2026-11-22", "--yes", "--time", "25:00", "-o", "out.html")
    assert code == 1
    assert "--time: '25:00' is not a time of day" in output
    assert "Traceback" not in output
    assert not Path("out.html").exists()
