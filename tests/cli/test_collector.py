"""The cycle collector is off for a short command, and back on for one that keeps running."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator

import pytest

from handouts.cli.main import run


@pytest.fixture(autouse=True)
def collector_as_it_was() -> Iterator[None]:
    was_on = gc.isenabled()
    yield
    gc.unfreeze()
    if was_on:
        gc.enable()
    else:
        gc.disable()


def run_command(monkeypatch: pytest.MonkeyPatch, *argv: str) -> None:
    monkeypatch.setattr(sys, "argv", ["handouts", *argv])
    with pytest.raises(SystemExit) as ended:
        run()
    assert ended.value.code in (0, None)


@pytest.mark.parametrize("command", ["list", "validate", "schema"])
def test_a_short_command_runs_without_the_collector(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    gc.enable()
    run_command(monkeypatch, command)
    assert not gc.isenabled()
    assert gc.get_freeze_count() == 0


@pytest.mark.parametrize("command", ["batch", "serve", "variants"])
def test_a_command_that_keeps_running_collects_again_past_what_start_up_made(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    run_command(monkeypatch, command, "--help")
    assert gc.isenabled()
    assert gc.get_freeze_count() > 0  # start-up objects are never walked again
