"""One batch run: lock the folder, skip what is done, render the rest, deliver, record.

The run is entered in the ledger first. The parent decides which rows are
already made (an earlier run into this folder made the file from the same
inputs, and it is unchanged), hands the rest to the worker pool, and records
every row in the ledger as its outcome arrives, bad rows included; at the
end ``manifest.csv`` is exported from those records. SIGTERM and SIGINT make
it stop handing out work, wait for the rows in flight (under a second each)
and export the manifest. Progress goes to a callback, so this library never
prints.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType

from ..content.store import CachedContentStore
from ..errors import InputError
from ..private_files import TEMP_PREFIX, TEMP_SUFFIX, make_private_dirs
from ..records import Ledger
from .manifest import MANIFEST_NAME, already_made, export_run, run_row, write_manifest
from .outcome import Outcome, RowStatus, Summary
from .plan import BadRow, PlannedRow
from .pool import default_workers, run_pool

# Called once per row as its outcome is known: (outcome, rows done, rows in all).
ProgressCallback = Callable[[Outcome, int, int], None]
# Records, emails and/or prints a made row's handout; returns the outcome with what it did.
Deliverer = Callable[[PlannedRow, Outcome], Outcome]


@contextlib.contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    """Only one batch at a time may write into a folder (no lock file to leave behind)."""
    handle = os.open(folder, os.O_RDONLY)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError(f"{folder}: another batch is writing to this folder") from None
        yield
    finally:
        os.close(handle)


def _remove_stale_parts(out_dir: Path) -> None:
    # Only a write cut short by SIGKILL leaves these; under the lock no batch is writing.
    for part in out_dir.rglob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}"):
        with contextlib.suppress(OSError):
            part.unlink()


class StopFlag(threading.Event):
    """Set by SIGTERM or SIGINT; remembers which one, for the exit status."""

    signum: int | None = None


@contextlib.contextmanager
def _stop_on_signals(stop: StopFlag) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.signum = signum
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def run_rows(
    content: CachedContentStore,
    planned: list[PlannedRow],
    bad_rows: list[BadRow],
    out_dir: Path,
    *,
    ledger: Ledger,
    run: str,
    by: str,
    source: str,
    workers: int | None = None,
    force: bool = False,
    on_progress: ProgressCallback | None = None,
    start_method: str = "fork",
    deliver: Deliverer | None = None,
) -> Summary:
    """Make every planned row not already made; return what happened to every row.

    ``run`` is the run's id in ``ledger``, where every row is recorded as its
    outcome arrives. ``deliver``, if given, runs in this process for each made
    or skipped row (recording its handout, emailing or printing it) and
    returns the outcome with what it did.
    """
    started = time.perf_counter()
    make_private_dirs(out_dir)
    stop = StopFlag()
    summary = Summary()
    summary.warnings = [f"row {p.row}: {p.warning}" for p in planned if p.warning]
    total = len(planned) + len(bad_rows)

    def record(outcome: Outcome) -> None:
        summary.outcomes.append(outcome)
        ledger.record_run_row(run, run_row(outcome))
        if on_progress is not None:
            on_progress(outcome, len(summary.outcomes), total)

    with _folder_lock(out_dir), _stop_on_signals(stop):
        _remove_stale_parts(out_dir)
        ledger.start_run(run, by, source, out_dir)
        # The export of a run that has recorded nothing yet: a run killed outright
        # leaves no older run's manifest claiming to be this one.
        write_manifest(out_dir / MANIFEST_NAME, [])
        try:
            for bad in bad_rows:
                record(bad.outcome())
            todo = []
            for this in planned:
                skipped = None if force else already_made(ledger, this, out_dir)
                if skipped is None:
                    todo.append(this)
                    continue
                if deliver is not None and not stop.is_set():
                    skipped = deliver(this, skipped)
                record(skipped)
            if todo:
                count = max(1, min(workers or default_workers(), len(todo)))
                for this, outcome in run_pool(
                    content, todo, out_dir, workers=count, stop=stop, start_method=start_method
                ):
                    if deliver is not None and outcome.status is RowStatus.MADE:
                        # Recorded in the ledger; what was delivered before comes
                        # from its delivery keys, by person, not from this file.
                        outcome = deliver(this, outcome)  # noqa: PLW2901
                    record(outcome)
        except BaseException:
            # The manifest still shows what the ledger has of the run; the error goes on.
            with contextlib.suppress(OSError):
                export_run(ledger, run, out_dir)
            raise
        summary.stopped_by = stop.signum
        export_run(ledger, run, out_dir)
    summary.elapsed = time.perf_counter() - started
    return summary
