"""Making many handouts at once: worker processes, progress, manifest, resume.

Shape of a run: the parent decides which jobs are already done (same inputs,
file unchanged since), hands the rest to worker processes one job at a time,
writes a manifest line as each result arrives, and rewrites the manifest in
row order at the end. Workers render and write their own PDFs, so PDF bytes
never cross a pipe.

Safety, because a batch can be stopped at any moment:
- each PDF is written to a temporary file in its folder and renamed into place;
- SIGTERM/SIGINT make the parent stop handing out work, wait for the jobs in
  flight (under a second each) and write the manifest; workers ignore both
  signals themselves, so a Ctrl-C on a terminal cannot cut one short;
- if the parent is killed outright, each worker notices, finishes the file it
  is writing, removes its temporary folder and exits;
- WeasyPrint keeps fonts in a ``weasyprint-*`` folder that it removes only
  when its FontConfiguration is garbage-collected, which never happens in a
  worker that is torn down; each worker therefore gets a private temp folder
  inside one per-batch folder, and the parent removes it at the end.
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import gc
import hashlib
import io
import logging
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import FrameType
from typing import IO, Literal

import click

from .batch import BadRow, CachedContent, Job
from .errors import HandoutError, InputError
from .output import FILE_MODE, TEMP_PREFIX, TEMP_SUFFIX, make_private_dirs, write_atomic
from .pdf import PdfMaker
from .rendering import make_request, render_html

log = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.csv"
MANIFEST_COLUMNS = (
    "row",
    "status",
    "output",
    "pages",
    "bytes",
    "sha256",
    "error",
    "delivered",
    "inputs_sha256",
)
Status = Literal["made", "skipped", "failed"]
INTERRUPTED = "interrupted before this row was made; run the batch again"


@dataclass(frozen=True)
class Outcome:
    row: int
    status: Status
    output: str = ""
    pages: int | None = None
    size: int | None = None
    sha256: str = ""
    error: str = ""
    inputs_hash: str = ""
    delivered: str = ""  # "emailed", "printed" or both, joined by "+"

    @property
    def delivery_failed(self) -> bool:
        """Made (or already there) but an email or print for it failed."""
        return self.status != "failed" and bool(self.error)

    def manifest_line(self) -> list[str]:
        return [
            str(self.row),
            self.status,
            self.output,
            "" if self.pages is None else str(self.pages),
            "" if self.size is None else str(self.size),
            self.sha256,
            self.error,
            self.delivered,
            self.inputs_hash,
        ]


@dataclass
class Summary:
    outcomes: list[Outcome] = field(default_factory=list)
    elapsed: float = 0.0
    stopped_by: int | None = None  # the signal that stopped the run early, if any

    def count(self, status: Status) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def rate(self) -> float:
        return self.count("made") / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def delivery_failures(self) -> int:
        return sum(1 for outcome in self.outcomes if outcome.delivery_failed)

    def line(self) -> str:
        undelivered = self.delivery_failures
        return (
            f"made {self.count('made')}, skipped {self.count('skipped')}, "
            f"failed {self.count('failed')}"
            + (f", not delivered {undelivered}" if undelivered else "")
            + f" in {self.elapsed:.1f} s ({self.rate:.2f} handouts/s)"
        )


def default_workers() -> int:
    """The CPUs this process may run on (fewer than os.cpu_count() in a container)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# --- manifest -------------------------------------------------------------------


def read_manifest(path: Path) -> dict[str, dict[str, str]]:
    """Previous results by output path; unreadable lines are ignored.

    A batch killed with SIGKILL can leave a last line cut short; such a line
    only means that row is made again.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    previous = {}
    for record in csv.DictReader(io.StringIO(text, newline="")):
        hashes = (record.get("inputs_sha256") or "", record.get("sha256") or "")
        complete = all(len(value) == 64 for value in hashes)
        if complete and record.get("status") in ("made", "skipped") and record.get("output"):
            previous[record["output"]] = record
    return previous


def _csv_line(values: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue()


class ManifestWriter:
    """Appends a line per result as it arrives, then rewrites all in row order.

    The running file keeps what a killed batch had made (and the input hashes
    needed to skip it next time); the final rewrite is atomic.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        os.fchmod(handle, FILE_MODE)
        self._stream: IO[str] = os.fdopen(handle, "w", encoding="utf-8", newline="")
        self._stream.write(_csv_line(list(MANIFEST_COLUMNS)))
        self._stream.flush()

    def add(self, outcome: Outcome) -> None:
        self._stream.write(_csv_line(outcome.manifest_line()))
        self._stream.flush()

    def finish(self, outcomes: list[Outcome]) -> None:
        self._stream.close()
        lines = [_csv_line(list(MANIFEST_COLUMNS))]
        lines += [_csv_line(o.manifest_line()) for o in sorted(outcomes, key=lambda o: o.row)]
        write_atomic(self.path, "".join(lines).encode("utf-8"))

    def close(self) -> None:
        self._stream.close()


def _file_sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def already_made(job: Job, out_dir: Path, previous: dict[str, dict[str, str]]) -> Outcome | None:
    """A 'skipped' outcome if the file exists, unchanged, from identical inputs."""
    record = previous.get(job.output)
    if record is None or record["inputs_sha256"] != job.inputs_hash:
        return None
    target = out_dir / job.output
    if _file_sha256(target) != record["sha256"]:
        return None  # missing, or changed since we made it
    return Outcome(
        job.row,
        "skipped",
        job.output,
        pages=int(record["pages"]) if record.get("pages", "").isdigit() else None,
        size=target.stat().st_size,
        sha256=record["sha256"],
        inputs_hash=job.inputs_hash,
        delivered=record.get("delivered") or "",
    )


# --- worker processes -------------------------------------------------------------


class _Worker:
    """Per-process state: content, one PdfMaker per clinic, and exit handling."""

    def __init__(self, content: CachedContent, out_dir: Path, temp_dir: Path) -> None:
        self.content = content
        self.out_dir = out_dir
        self.temp_dir = temp_dir
        # One maker (so one FontConfiguration) per clinic, as in a `handout`
        # run: a fallback glyph must never come from another clinic's fonts,
        # or a batch handout could differ from the single one.
        self.makers: dict[Path, PdfMaker] = {}
        self.writing = False
        self.exit_after_write = False

    def maker(self, clinic_dir: Path) -> PdfMaker:
        if clinic_dir not in self.makers:
            self.makers[clinic_dir] = PdfMaker()
        return self.makers[clinic_dir]

    def exit(self) -> None:
        shutil.rmtree(self.temp_dir, ignore_errors=True)
        # If the parent was killed, the last worker out removes the batch's folder.
        with contextlib.suppress(OSError):
            self.temp_dir.parent.rmdir()
        os._exit(0)


_worker: _Worker | None = None


def _on_worker_sigterm(signum: int, frame: FrameType | None) -> None:
    assert _worker is not None
    if _worker.writing:
        _worker.exit_after_write = True  # never leave a .part file behind
    else:
        _worker.exit()


def _watch_parent(parent: int) -> None:
    # If the parent is killed outright, nobody would ever stop this worker.
    while os.getppid() == parent:
        time.sleep(0.2)
    os.kill(os.getpid(), signal.SIGTERM)


def _init_worker(
    content: CachedContent, out_dir: Path, temp_root: Path, warm: list[tuple[str, str]]
) -> None:
    global _worker  # noqa: PLW0603 (per-process state is the point)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    temp_dir = Path(tempfile.mkdtemp(prefix="worker-", dir=temp_root))
    tempfile.tempdir = str(temp_dir)
    os.environ["TMPDIR"] = str(temp_dir)
    _worker = _Worker(content, out_dir, temp_dir)
    signal.signal(signal.SIGTERM, _on_worker_sigterm)
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    for clinic_id, protocol_id in warm:
        # Broken content is reported per row by the job itself; warming up is optional.
        with contextlib.suppress(HandoutError):
            request = make_request(content, protocol_id, clinic_id)
            render_html(request)  # compiles the templates
            _worker.maker(request.clinic_dir).prepare(request)  # parses CSS, loads fonts
    # Everything alive now lives as long as the process: keep the collector
    # from walking it again on every full collection (~10% less CPU per
    # handout, measured). Raising the thresholds too saved a little more but
    # let cyclic garbage pile up: +28 MiB RSS over 300 renders instead of +4.
    gc.collect()
    gc.freeze()


@contextlib.contextmanager
def _collect_after() -> Iterator[None]:
    """Collect cyclic garbage once after a render instead of many times during it.

    A render allocates a few hundred thousand boxes and styles that all stay
    alive until the PDF is written, so the collector's runs during a render
    walk them again and again and free almost nothing. Switching it off for
    the render and collecting once afterwards took ~3% off the CPU time per
    handout and ~10 MiB off the peak RSS (bench/throughput.py).
    """
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect()


def _make_one(job: Job) -> Outcome:
    worker = _worker
    assert worker is not None
    try:
        request = make_request(
            worker.content, job.protocol_id, job.clinic_id, job.patient, job.procedure_date
        )
        with _collect_after():
            data, pages = worker.maker(request.clinic_dir).render_counted(request)
    except HandoutError as error:
        return Outcome(job.row, "failed", job.output, error=str(error))
    except Exception as error:  # a bug on one row must not sink the whole batch
        log.debug("row %d failed", job.row, exc_info=True)
        return Outcome(job.row, "failed", job.output, error=f"{type(error).__name__}: {error}")
    worker.writing = True
    try:
        write_atomic(worker.out_dir / job.output, data)
    except OSError as error:
        return Outcome(job.row, "failed", job.output, error=f"cannot write: {error}")
    finally:
        worker.writing = False
        if worker.exit_after_write:
            worker.exit()
    return Outcome(
        job.row,
        "made",
        job.output,
        pages=pages,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        inputs_hash=job.inputs_hash,
    )


# --- progress -----------------------------------------------------------------


class Progress:
    """A bar on a terminal, plain lines otherwise; never a patient's name."""

    def __init__(self, total: int, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stderr
        self.total = total
        self.done = 0
        self.failed = 0
        self._bar = None
        self._last_line = 0.0
        if total and self.stream.isatty():
            self._bar = click.progressbar(
                length=total, label="Making handouts", file=self.stream, show_pos=True
            )
            self._bar.__enter__()

    def say(self, message: str) -> None:
        if self._bar is not None:
            # Start a fresh line so the message does not run into the bar.
            click.echo("\r\033[K" + message, file=self.stream)
        else:
            click.echo(message, file=self.stream)

    def advance(self, outcome: Outcome) -> None:
        self.done += 1
        if outcome.status == "failed":
            self.failed += 1
            if not outcome.error.endswith(INTERRUPTED):  # the closing summary says that once
                self.say(f"row {outcome.row}: failed: {outcome.error}")
        elif outcome.delivery_failed:
            self.say(f"row {outcome.row}: made, but {outcome.error}")
        if self._bar is not None:
            self._bar.update(1)
            return
        now = time.monotonic()
        if self.done == self.total or now - self._last_line >= 2.0:
            self._last_line = now
            click.echo(f"{self.done}/{self.total} rows done", file=self.stream)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


# --- the run ------------------------------------------------------------------


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


def _warm_pairs(jobs: list[Job]) -> list[tuple[str, str]]:
    """One (clinic, protocol) per clinic used, to load that clinic's fonts early."""
    pairs: dict[str, str] = {}
    for job in jobs:
        pairs.setdefault(job.clinic_id, job.protocol_id)
    return list(pairs.items())


def run_jobs(
    content: CachedContent,
    jobs: list[Job],
    bad_rows: list[BadRow],
    out_dir: Path,
    *,
    workers: int | None = None,
    force: bool = False,
    progress: Callable[[int], Progress] = Progress,
    start_method: str = "fork",
    deliver: Callable[[Job, Outcome], Outcome] | None = None,
) -> Summary:
    """Make every job not already made; return what happened to every row.

    ``deliver``, if given, runs in this process for each made or skipped row
    (emailing or printing it) and returns the outcome with what it did.
    """
    started = time.perf_counter()
    make_private_dirs(out_dir)
    stop = StopFlag()
    summary = Summary()
    with _folder_lock(out_dir), _stop_on_signals(stop):
        _remove_stale_parts(out_dir)
        history = read_manifest(out_dir / MANIFEST_NAME)
        previous = {} if force else history
        manifest = ManifestWriter(out_dir / MANIFEST_NAME)
        reporter = progress(len(jobs) + len(bad_rows))
        try:
            for bad in bad_rows:
                outcome = Outcome(bad.row, "failed", error=bad.reason)
                summary.outcomes.append(outcome)
                manifest.add(outcome)
                reporter.advance(outcome)
            by_row = {job.row: job for job in jobs}
            todo = []
            for job in jobs:
                skipped = already_made(job, out_dir, previous)
                if skipped is None:
                    todo.append(job)
                    continue
                if deliver is not None and not stop.is_set():
                    skipped = deliver(job, skipped)
                summary.outcomes.append(skipped)
                manifest.add(skipped)
                reporter.advance(skipped)
            if todo:
                count = max(1, min(workers or default_workers(), len(todo)))
                for outcome in _run_pool(
                    content, todo, out_dir, workers=count, stop=stop, start_method=start_method
                ):
                    if deliver is not None and outcome.status == "made":
                        # A remade file (new inputs, --force) was still delivered
                        # before: keep the record so no patient gets it twice.
                        earlier = history.get(outcome.output, {}).get("delivered") or ""
                        outcome = deliver(by_row[outcome.row], replace(outcome, delivered=earlier))  # noqa: PLW2901
                    summary.outcomes.append(outcome)
                    manifest.add(outcome)
                    reporter.advance(outcome)
        except BaseException:
            manifest.close()
            raise
        finally:
            reporter.close()
        summary.stopped_by = stop.signum
        manifest.finish(summary.outcomes)
    summary.elapsed = time.perf_counter() - started
    return summary


def _run_pool(
    content: CachedContent,
    todo: list[Job],
    out_dir: Path,
    *,
    workers: int,
    stop: threading.Event,
    start_method: str,
) -> Iterator[Outcome]:
    """Outcomes in completion order; after ``stop``, the rest as interrupted."""
    temp_root = Path(tempfile.mkdtemp(prefix="handouts-batch-"))
    context = multiprocessing.get_context(start_method)
    pool = ProcessPoolExecutor(
        workers,
        mp_context=context,
        initializer=_init_worker,
        initargs=(content, out_dir.resolve(), temp_root, _warm_pairs(todo)),
    )
    # One job per task: a handout takes ~0.4 s, so the round trip (~0.1 ms)
    # is noise, and single jobs balance the load and keep the bar smooth.
    # Two in flight per worker keep every worker busy without queueing work
    # that a stop would have to wait for.
    pending = iter(todo)
    in_flight: dict[Future[Outcome], Job] = {}
    finished: set[int] = set()
    try:
        while True:
            while not stop.is_set() and len(in_flight) < 2 * workers:
                job = next(pending, None)
                if job is None:
                    break
                try:
                    in_flight[pool.submit(_make_one, job)] = job
                except BrokenProcessPool:
                    stop.set()  # a worker died; the rest are reported as interrupted
                    break
            if not in_flight:
                break
            done, _ = wait(in_flight, timeout=0.25, return_when=FIRST_COMPLETED)
            for future in done:
                job = in_flight.pop(future)
                finished.add(job.row)
                yield _result(future, job)
            if stop.is_set():
                for future in list(in_flight):
                    if future.cancel():
                        in_flight.pop(future)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(temp_root, ignore_errors=True)
    for job in todo:
        if job.row not in finished:
            yield Outcome(job.row, "failed", job.output, error=INTERRUPTED)


def _result(future: Future[Outcome], job: Job) -> Outcome:
    try:
        return future.result()
    except BrokenProcessPool:
        reason = "a worker process stopped; " + INTERRUPTED
        return Outcome(job.row, "failed", job.output, error=reason)
