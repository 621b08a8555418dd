"""One batch run: lock the folder, skip what is done, render the rest, deliver, record.

The parent decides which jobs are already done (same inputs, file unchanged
since), hands the rest to the worker pool, writes a manifest line as each
result arrives, and rewrites the manifest in row order at the end. SIGTERM and
SIGINT make it stop handing out work, wait for the jobs in flight (under a
second each) and write the manifest. Progress goes to a callback, so this
library never prints.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from types import FrameType

from ..content.store import CachedContentStore
from ..deliver.files import TEMP_PREFIX, TEMP_SUFFIX, make_private_dirs
from ..errors import InputError
from ..request import HandoutRequest
from .manifest import MANIFEST_NAME, ManifestWriter, already_made, read_manifest
from .outcome import Outcome, RowStatus, Summary
from .plan import BadRow, Job
from .pool import default_workers, run_pool

# Called once per row as its outcome is known: (outcome, rows done, rows in all).
ProgressCallback = Callable[[Outcome, int, int], None]
# Records, emails and/or prints a made row's handout; returns the outcome with what it did.
Deliverer = Callable[[Job, Outcome], Outcome]


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


def run_jobs(
    content: CachedContentStore,
    jobs: list[Job],
    bad_rows: list[BadRow],
    out_dir: Path,
    *,
    workers: int | None = None,
    force: bool = False,
    on_progress: ProgressCallback | None = None,
    start_method: str = "fork",
    deliver: Deliverer | None = None,
) -> Summary:
    """Make every job not already made; return what happened to every row.

    ``deliver``, if given, runs in this process for each made or skipped row
    (recording it, emailing or printing it) and returns the outcome with what it did.
    """
    started = time.perf_counter()
    make_private_dirs(out_dir)
    stop = StopFlag()
    summary = Summary()
    summary.warnings = [f"row {job.row}: {job.warning}" for job in jobs if job.warning]
    total = len(jobs) + len(bad_rows)

    rows: dict[int, tuple[str, str, str, HandoutRequest | None]] = {
        job.row: (job.patient or "", job.reference, job.service, job.request) for job in jobs
    }
    rows.update({bad.row: (bad.patient, bad.reference, bad.service, None) for bad in bad_rows})

    def record(outcome: Outcome) -> None:
        # The worker knows the file; the row's own words and request come from the plan.
        patient, reference, service, request = rows.get(outcome.row, ("", "", "", None))
        outcome = replace(
            outcome, patient=patient, reference=reference, service=service, request=request
        )
        summary.outcomes.append(outcome)
        manifest.add(outcome)
        if on_progress is not None:
            on_progress(outcome, len(summary.outcomes), total)

    with _folder_lock(out_dir), _stop_on_signals(stop):
        _remove_stale_parts(out_dir)
        history = read_manifest(out_dir / MANIFEST_NAME)
        previous = {} if force else history
        manifest = ManifestWriter(out_dir / MANIFEST_NAME)
        try:
            for bad in bad_rows:
                record(Outcome(bad.row, bad.status, error=bad.reason))
            by_row = {job.row: job for job in jobs}
            todo = []
            for job in jobs:
                skipped = already_made(job, out_dir, previous)
                if skipped is None:
                    todo.append(job)
                    continue
                if deliver is not None and not stop.is_set():
                    skipped = deliver(job, skipped)
                record(skipped)
            if todo:
                count = max(1, min(workers or default_workers(), len(todo)))
                for outcome in run_pool(
                    content, todo, out_dir, workers=count, stop=stop, start_method=start_method
                ):
                    if deliver is not None and outcome.status is RowStatus.MADE:
                        # Recorded in the ledger; what was delivered before comes
                        # from its delivery keys, by person, not from this file.
                        outcome = deliver(by_row[outcome.row], outcome)  # noqa: PLW2901
                    record(outcome)
        except BaseException:
            manifest.close()
            raise
        summary.stopped_by = stop.signum
        manifest.finish(summary.outcomes)
    summary.elapsed = time.perf_counter() - started
    return summary
