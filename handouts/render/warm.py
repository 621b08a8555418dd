"""Worker processes that keep PDF renderers warm for a server making one handout at a time.

Starting WeasyPrint, loading a clinic's fonts and parsing its stylesheets cost
more than laying out a handout, so a server cannot do them per request. These
workers do them once, at start, and then render whatever spec they are sent,
keeping one ``PdfRenderer`` per clinic as the batch workers do (so a handout is
byte-identical to the command line's). Workers use ``forkserver``: the server
has threads by the time a worker is (re)started, and forking a threaded process
can copy a lock that is held.
"""

from __future__ import annotations

import contextlib
import gc
import io
import multiprocessing
import multiprocessing.util
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

import jinja2

from ..content.store import ContentStore
from ..errors import HandoutError
from .page import HandoutSpec, render_html, resolve_spec
from .pdf import PdfRenderer, collect_garbage_after

# Pages shown in a preview are drawn at this many pixels per PDF point (72/inch):
# 1.25 is 90 dpi, sharp enough to read on a screen, fast to draw and small to send.
PREVIEW_SCALE = 1.25

T = TypeVar("T")

_renderers: dict[str, PdfRenderer] = {}


def _renderer(spec: HandoutSpec) -> PdfRenderer:
    key = str(spec.clinic_dir)
    if key not in _renderers:
        renderer = PdfRenderer()
        # Workers leave through multiprocessing, which runs these finalizers but not atexit.
        multiprocessing.util.Finalize(None, renderer.close, exitpriority=10)
        _renderers[key] = renderer
    return _renderers[key]


def _watch_parent() -> None:
    # A server killed outright would otherwise leave its workers behind. (The
    # forkserver, not the server, is a worker's OS parent, so getppid() cannot tell.)
    parent = multiprocessing.parent_process()
    if parent is not None:
        parent.join()
        os._exit(0)


def _init_worker(store: ContentStore, warm: list[tuple[str, str]], temp_root: str) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server decides when to stop
    # WeasyPrint keeps each renderer's fonts in a temporary folder that a killed
    # worker cannot remove; inside the server's own folder, the server removes it.
    tempfile.tempdir = tempfile.mkdtemp(prefix="worker-", dir=temp_root)
    os.environ["TMPDIR"] = tempfile.tempdir
    threading.Thread(target=_watch_parent, daemon=True).start()
    for clinic_id, protocol_id in warm:
        # Broken content or templates are reported per request, not by a server that cannot start.
        with contextlib.suppress(HandoutError, jinja2.TemplateError):
            spec = resolve_spec(store, protocol_id, clinic_id)
            render_html(spec)
            _renderer(spec).render(spec)  # fonts, stylesheets and the layout code paths
    gc.collect()
    gc.freeze()  # what is alive now lives as long as the worker (see batch/pool.py)


def _ready() -> int:
    return os.getpid()


def _render(spec: HandoutSpec, variant: str | None) -> tuple[bytes, int]:
    with collect_garbage_after():  # one collection after the render, as batch workers do
        return _renderer(spec).render(spec, variant)


def _preview(spec: HandoutSpec, scale: float) -> list[bytes]:
    import pypdfium2

    with collect_garbage_after():
        data, _ = _renderer(spec).render(spec, tagged=False)
    document = pypdfium2.PdfDocument(data)
    pages = []
    try:
        for page in document:
            image = page.render(scale=scale).to_pil()
            out = io.BytesIO()
            # Low compression: sending 30% more bytes over a LAN beats 3x the CPU.
            image.save(out, "PNG", compress_level=1)
            pages.append(out.getvalue())
    finally:
        document.close()
    return pages


class WarmRenderers:
    """A fixed set of warm worker processes; calls block until a worker has rendered.

    A worker that dies (killed, out of memory) breaks the whole pool; the next
    call then starts a fresh one and tries once more, so one bad moment does
    not leave the server unable to render until it is restarted.
    """

    def __init__(self, store: ContentStore, workers: int, warm: list[tuple[str, str]]) -> None:
        self.workers = workers
        self._store = store
        self._warm = warm
        self._lock = threading.Lock()
        self._temp_root = tempfile.mkdtemp(prefix="handouts-warm-")
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            self.workers,
            mp_context=multiprocessing.get_context("forkserver"),
            initializer=_init_worker,
            initargs=(self._store, self._warm, self._temp_root),
        )

    def start(self) -> None:
        """Start every worker now, so the first previews do not pay for it."""
        futures: list[Future[int]] = [self._pool.submit(_ready) for _ in range(self.workers)]
        wait(futures)
        for future in futures:
            future.result()

    def _call(self, function: Callable[..., T], *args: object) -> T:
        pool = self._pool
        try:
            return pool.submit(function, *args).result()
        except BrokenProcessPool:
            with self._lock:
                if self._pool is pool:  # the first caller to notice replaces it
                    pool.shutdown(wait=False, cancel_futures=True)
                    self._pool = self._new_pool()
            return self._pool.submit(function, *args).result()

    def render(self, spec: HandoutSpec, variant: str | None = None) -> tuple[bytes, int]:
        return self._call(_render, spec, variant)

    def preview(self, spec: HandoutSpec, scale: float = PREVIEW_SCALE) -> list[bytes]:
        return self._call(_preview, spec, scale)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(self._temp_root, ignore_errors=True)
