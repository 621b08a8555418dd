"""What batch workers do: render and write handouts, one job at a time, in the shared pool.

The processes are the shared pool's (``render/workers.py``: private temp
folders, SIGINT ignored, a deadline per job, a stalled worker replaced);
this module says what a batch worker loads and how it makes a row. Each
outcome is built from its row's plan and carries its request.
Workers render and write their own PDFs, so PDF bytes never cross a pipe.
Safety, because a batch can be stopped at any moment:
- each PDF is written to a temporary file in its folder and renamed into place;
- workers finish the file they are writing before obeying SIGTERM, which the
  pool also sends them when the parent is killed outright;
- WeasyPrint keeps fonts in a ``weasyprint-*`` folder that it removes only
  when its FontConfiguration is garbage-collected, which never happens in a
  worker that is torn down; each worker's private temp folder is removed by
  the worker on SIGTERM, or by the pool.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import logging
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from pathlib import Path
from types import FrameType

from ..content.store import CachedContentStore
from ..errors import HandoutError
from ..inputs.limits import RENDER_DEADLINE
from ..private_files import write_atomic
from ..render.made import spec_for_request
from ..render.page import render_html, resolve_spec
from ..render.pdf import PdfRenderer, collect_garbage_after
from ..render.workers import PoolClosed, RenderTimeout, WorkerFailed, WorkerPool
from .outcome import Outcome, RowStatus
from .plan import PlannedRow

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


def _init_worker(content: CachedContentStore, out_dir: Path, warm: list[tuple[str, str]]) -> None:
    global _worker  # noqa: PLW0603 (per-process state is the point)
    _worker = _Worker(content, out_dir, Path(tempfile.gettempdir()))  # the pool's private folder
    signal.signal(signal.SIGTERM, _on_worker_sigterm)
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


def _make_one(planned: PlannedRow) -> Outcome:
    worker = _worker
    assert worker is not None
    try:
        spec = spec_for_request(worker.content, planned.request)
        with collect_garbage_after():
            data, pages = worker.renderer(spec.clinic_dir).render(spec)
    except HandoutError as error:
        return planned.outcome(RowStatus.FAILED, error=str(error))
    except Exception as error:  # a bug on one row must not sink the whole batch
        detail = f"{type(error).__name__}: {error}"
        if _quotes_name(detail, planned.request.patient):
            # A library's message may quote page text; the name must not reach the log.
            detail = f"{type(error).__name__} (its message quoted the patient's name)"
            log.debug("row %d failed: %s", planned.row, detail)
        else:
            log.debug("row %d failed", planned.row, exc_info=True)
        return planned.outcome(RowStatus.FAILED, error=detail)
    worker.writing = True
    try:
        write_atomic(worker.out_dir / planned.output, data)
    except (OSError, HandoutError) as error:
        return planned.outcome(RowStatus.FAILED, error=f"cannot write: {error}")
    finally:
        worker.writing = False
        if worker.exit_after_write:
            worker.exit()
    return planned.outcome(
        RowStatus.MADE, pages=pages, size=len(data), sha256=hashlib.sha256(data).hexdigest()
    )


def warm_pairs(planned: list[PlannedRow]) -> list[tuple[str, str]]:
    """One (clinic, protocol) per clinic used, to load that clinic's fonts early."""
    pairs: dict[str, str] = {}
    for this in planned:
        pairs.setdefault(this.request.clinic or "", this.request.protocol)
    return list(pairs.items())


def run_pool(
    content: CachedContentStore,
    todo: list[PlannedRow],
    out_dir: Path,
    *,
    workers: int,
    stop: threading.Event,
    start_method: str,
) -> Iterator[tuple[PlannedRow, Outcome]]:
    """Each row with its outcome, in completion order; after ``stop``, the rest as interrupted."""
    pool = WorkerPool(
        workers,
        _init_worker,
        (content, out_dir.resolve(), warm_pairs(todo)),
        deadline=RENDER_DEADLINE,
        start_method=start_method,
    )
    # One row per task: a handout takes ~0.4 s, so the round trip (~0.1 ms)
    # is noise, and single rows balance the load and keep the bar smooth.
    # Two in flight per worker keep every worker busy without queueing work
    # that a stop would have to wait for.
    pending = iter(todo)
    in_flight: dict[Future[Outcome], PlannedRow] = {}
    cancelled: list[PlannedRow] = []
    try:
        while True:
            while not stop.is_set() and len(in_flight) < 2 * workers:
                planned = next(pending, None)
                if planned is None:
                    break
                try:
                    in_flight[pool.submit(_make_one, planned)] = planned
                except PoolClosed:
                    stop.set()
                    break
            if not in_flight:
                break
            done, _ = wait(in_flight, timeout=0.25, return_when=FIRST_COMPLETED)
            for future in done:
                planned = in_flight.pop(future)
                yield planned, _result(future, planned)
            if stop.is_set():
                for future in list(in_flight):
                    if future.cancel():
                        cancelled.append(in_flight.pop(future))
    finally:
        pool.close()
    # What was cancelled before it started, or never handed out.
    for planned in [*cancelled, *pending]:
        yield planned, planned.outcome(RowStatus.INTERRUPTED, error=INTERRUPTED)


def _result(future: Future[Outcome], planned: PlannedRow) -> Outcome:
    try:
        return future.result()
    except RenderTimeout as error:
        # Never retried: what stalled one worker would stall the next.
        return planned.outcome(RowStatus.FAILED, error=str(error))
    except WorkerFailed:
        reason = "a worker process stopped; " + INTERRUPTED
        return planned.outcome(RowStatus.INTERRUPTED, error=reason)
