"""The batch's progress on a terminal (a bar) and in a log (plain lines), never a name."""

from __future__ import annotations

import io

from handouts.batch.outcome import Outcome, RowStatus
from handouts.cli.progress import TerminalProgress


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_on_a_terminal_names_failed_rows() -> None:
    terminal = FakeTerminal()
    bar = TerminalProgress(terminal)
    for done, row in enumerate((2, 3), start=1):
        bar(Outcome(row, RowStatus.MADE, "x.pdf"), done, 3)
    bar(Outcome(4, RowStatus.FAILED, error="date: missing"), 3, 3)
    bar.close()
    assert "Making handouts" in terminal.getvalue()
    assert "3/3" in terminal.getvalue()
    assert "row 4: failed: date: missing" in terminal.getvalue()


def test_plain_lines_in_a_log_first_and_last_always_the_rest_throttled() -> None:
    log = io.StringIO()
    # An interval no test run can reach: only the first and the last line are due.
    lines = TerminalProgress(log, interval=3600)
    for done in range(1, 6):
        lines(Outcome(done + 1, RowStatus.SKIPPED, "y.pdf"), done, 5)
    assert "\r" not in log.getvalue()
    assert log.getvalue().splitlines() == ["1/5 rows done", "5/5 rows done"]


def test_every_line_when_the_interval_is_zero() -> None:
    log = io.StringIO()
    lines = TerminalProgress(log, interval=0)
    for done in range(1, 4):
        lines(Outcome(done + 1, RowStatus.MADE, "y.pdf"), done, 3)
    assert log.getvalue().splitlines() == [f"{n}/3 rows done" for n in range(1, 4)]


def test_a_delivery_problem_is_said_without_the_file_name() -> None:
    log = io.StringIO()
    TerminalProgress(log)(
        Outcome(
            7,
            RowStatus.MADE,
            "clinic_p_2026-11-22_jane-doe.pdf",
            delivery_problems=("email not sent: no address in the email column",),
        ),
        1,
        1,
    )
    assert "row 7: made, but email not sent: no address" in log.getvalue()
    assert "jane" not in log.getvalue()
