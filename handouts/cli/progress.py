"""A batch's progress on the terminal: a bar, or plain lines in a log; never a name."""

from __future__ import annotations

import sys
import time
from typing import IO

import click

from ..service import Outcome, RowStatus


class TerminalProgress:
    """The ``on_progress`` callback of a batch run, for a terminal or a log file."""

    def __init__(self, stream: IO[str] | None = None, interval: float = 2.0) -> None:
        self.stream = stream or sys.stderr
        self.interval = interval
        self._bar = None
        self._last_line: float | None = None

    def __call__(self, outcome: Outcome, done: int, total: int) -> None:
        if self._bar is None and self.stream.isatty():
            self._bar = click.progressbar(
                length=total, label="Making handouts", file=self.stream, show_pos=True
            )
            self._bar.__enter__()
        if outcome.status is RowStatus.FAILED:
            self.say(f"row {outcome.row}: failed: {outcome.error}")
        elif outcome.delivery_problems and not outcome.no_email_address:
            # Rows without an address are listed together in the summary.
            self.say(f"row {outcome.row}: made, but {'; '.join(outcome.delivery_problems)}")
        if self._bar is not None:
            self._bar.update(1)
            return
        now = time.monotonic()
        due = self._last_line is None or now - self._last_line >= self.interval
        if done == total or due:
            self._last_line = now
            click.echo(f"{done}/{total} rows done", file=self.stream)

    def say(self, message: str) -> None:
        if self._bar is not None:
            # Start a fresh line so the message does not run into the bar.
            click.echo("\r\033[K" + message, file=self.stream)
        else:
            click.echo(message, file=self.stream)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
