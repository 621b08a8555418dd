"""Worker processes that render and write handouts, one job at a time.

Workers render and write their own PDFs, so PDF bytes never cross a pipe.
Safety, because a batch can be stopped at any moment:
- each PDF is written to a temporary file in its folder and renamed into place;
- workers ignore SIGINT (the parent decides when to stop) and finish the file
  they are writing before obeying SIGTERM;
- if the parent is killed outright, each worker notices, finishes the file it
  is writing, removes its temporary folder and exits;
- WeasyPrint keeps fonts in a ``weasyprint-*`` folder that it removes only
  when its FontConfiguration is garbage-collected, which never happens in a
  worker that is torn down; each worker therefore gets a private temp folder
  inside one per-batch folder, and the parent removes it at the end.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import logging
import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from types import FrameType

from ..content.store import CachedContentStore
from ..errors import HandoutError
from ..private_files import write_atomic
from ..render.page import render_html, resolve_spec
from ..render.pdf import PdfRenderer, collect_garbage_after
from .outcome import Outcome, RowStatus
from .plan import Job, job_spec

log = logging.getLogger(__name__)

INTERRUPTED = "interrupted before this row was made; run the batch again"


def default_workers() -> int:
    """The CPUs this process may run on (fewer than os.cpu_count() in a container)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class _Worker:
    """Per-process state: content, one PdfRenderer per clinic, and exit handling."""

    def __init__(self, content: CachedContentStore, out_dir: Path, temp_dir: Path) -> None:
        self.content = content
        self.out_dir = out_dir
        self.temp_dir = temp_dir
        # One renderer (so one FontConfiguration) per clinic, as in a `handout`
        # run: a fallback glyph must never come from another clinic's fonts,
        # or a batch handout could differ from the single one.
        self.renderers: dict[Path, PdfRenderer] = {}
        self.writing = False
        self.exit_after_write = False

    def renderer(self, clinic_dir: Path) -> PdfRenderer:
        if clinic_dir not in self.renderers:
            self.renderers[clinic_dir] = PdfRenderer()
        return self.renderers[clinic_dir]

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
    content: CachedContentStore, out_dir: Path, temp_root: Path, warm: list[tuple[str, str]]
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
            spec = resolve_spec(content, protocol_id, clinic_id)
            render_html(spec)  # compiles the templates
            _worker.renderer(spec.clinic_dir).prepare(spec)  # parses CSS, loads fonts
    # Everything alive now lives as long as the process: keep the collector
    # from walking it again on every full collection (~10% less CPU per
    # handout, measured). Raising the thresholds too saved a little more but
    # let cyclic garbage pile up: +28 MiB RSS over 300 renders instead of +4.
    gc.collect()
    gc.freeze()


def _quotes_name(text: str, name: str | None) -> bool:
    """Whether ``text`` holds the name or any word of it longer than two letters."""
    if not name:
        return False
    folded = text.casefold()
    return any(part.casefold() in folded for part in [name, *name.split()] if len(part) > 2)


def _make_one(job: Job) -> Outcome:
    worker = _worker
    assert worker is not None
    try:
        spec = job_spec(worker.content, job)
        with collect_garbage_after():
            data, pages = worker.renderer(spec.clinic_dir).render(spec)
    except HandoutError as error:
        return Outcome(job.row, RowStatus.FAILED, job.output, error=str(error))
    except Exception as error:  # a bug on one row must not sink the whole batch
        detail = f"{type(error).__name__}: {error}"
        if _quotes_name(detail, job.patient):
            # A library's message may quote page text; the name must not reach the log.
            detail = f"{type(error).__name__} (its message quoted the patient's name)"
            log.debug("row %d failed: %s", job.row, detail)
        else:
            log.debug("row %d failed", job.row, exc_info=True)
        return Outcome(job.row, RowStatus.FAILED, job.output, error=detail)
    worker.writing = True
    try:
        write_atomic(worker.out_dir / job.output, data)
    except (OSError, HandoutError) as error:
        return Outcome(job.row, RowStatus.FAILED, job.output, error=f"cannot write: {error}")
    finally:
        worker.writing = False
        if worker.exit_after_write:
            worker.exit()
    return Outcome(
        job.row,
        RowStatus.MADE,
        job.output,
        pages=pages,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        inputs_hash=job.inputs_hash,
    )


def warm_pairs(jobs: list[Job]) -> list[tuple[str, str]]:
    """One (clinic, protocol) per clinic used, to load that clinic's fonts early."""
    pairs: dict[str, str] = {}
    for job in jobs:
        pairs.setdefault(job.clinic_id, job.protocol_id)
    return list(pairs.items())


def run_pool(
    content: CachedContentStore,
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
        initargs=(content, out_dir.resolve(), temp_root, warm_pairs(todo)),
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
            yield Outcome(job.row, RowStatus.INTERRUPTED, job.output, error=INTERRUPTED)


def _result(future: Future[Outcome], job: Job) -> Outcome:
    try:
        return future.result()
    except BrokenProcessPool:
        reason = "a worker process stopped; " + INTERRUPTED
        return Outcome(job.row, RowStatus.INTERRUPTED, job.output, error=reason)
