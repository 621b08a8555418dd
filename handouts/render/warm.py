"""Warm renderers for a server: one handout or preview at a time, each within a deadline.

The workers are the shared pool's (``workers.py``); this module says what they
load at start and how they render: one ``PdfRenderer`` per clinic, as the
batch keeps (so a handout is byte-identical to the command line's). The pool
starts them with ``forkserver``: the server has threads by the time a worker is
(re)started, and forking a threaded process can copy a lock that is held.
"""

from __future__ import annotations

import contextlib
import gc
import io
import multiprocessing.util
from collections.abc import Hashable
from concurrent.futures import Future

import jinja2

from ..content.store import ContentStore
from ..errors import HandoutError
from ..inputs.limits import QUEUED_PREVIEWS_PER_SESSION, RENDER_DEADLINE, RUNNING_PER_SESSION
from .page import HandoutSpec, render_html, resolve_spec
from .pdf import PdfRenderer, collect_garbage_after
from .workers import WorkerPool

# Added to the server's workers' nice value (0-19: higher yields the CPU to others).
RENDER_NICENESS = 10

# Pages shown in a preview are drawn at this many pixels per PDF point (72/inch):
# 1.25 is 90 dpi, sharp enough to read on a screen, fast to draw and small to send.
PREVIEW_SCALE = 1.25

_renderers: dict[str, PdfRenderer] = {}


def _renderer(spec: HandoutSpec) -> PdfRenderer:
    key = str(spec.clinic_dir)
    if key not in _renderers:
        renderer = PdfRenderer()
        # Workers leave through multiprocessing, which runs these finalizers but not atexit.
        multiprocessing.util.Finalize(None, renderer.close, exitpriority=10)
        _renderers[key] = renderer
    return _renderers[key]


def _init_worker(store: ContentStore, warm: list[tuple[str, str]]) -> None:
    for clinic_id, protocol_id in warm:
        # Broken content or templates are reported per request, not by a server that cannot start.
        with contextlib.suppress(HandoutError, jinja2.TemplateError):
            spec = resolve_spec(store, protocol_id, clinic_id)
            render_html(spec)
            _renderer(spec).render(spec)  # fonts, stylesheets and the layout code paths
    gc.collect()
    gc.freeze()  # what is alive now lives as long as the worker (see batch/pool.py)


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
    """A fixed set of warm workers; each call waits for a worker, within the deadline.

    A render that outlives ``deadline`` seconds ends its worker, which is
    replaced, and raises ``RenderTimeout``; the same render is never tried
    again. Previews go through ``preview_later``, which the server can cancel
    and which replaces a session's older waiting previews.
    """

    def __init__(
        self,
        store: ContentStore,
        workers: int,
        warm: list[tuple[str, str]],
        deadline: float = RENDER_DEADLINE,
    ) -> None:
        self.workers = workers
        self.pool = WorkerPool(
            workers,
            _init_worker,
            (store, warm),
            deadline=deadline,
            start_method="forkserver",
            per_slot=QUEUED_PREVIEWS_PER_SESSION,
            # One render running per session: one session's flood never holds a
            # second worker, which stays free for whoever asks next.
            running_per_slot=RUNNING_PER_SESSION,
            # Renders are the slow part of any request; the server's event loop, which
            # answers every page, stylesheet and sign-in, goes first on a busy CPU.
            niceness=RENDER_NICENESS,
        )

    def start(self) -> None:
        """Wait for every worker to be warm, so the first previews do not pay for it."""
        self.pool.start()

    def render(self, spec: HandoutSpec, variant: str | None = None) -> tuple[bytes, int]:
        result: tuple[bytes, int] = self.render_later(spec, variant).result()
        return result

    def render_later(
        self, spec: HandoutSpec, variant: str | None = None, slot: Hashable | None = None
    ) -> Future[tuple[bytes, int]]:
        """A queued render, in ``slot``'s turns; never replaced by a newer one."""
        return self.pool.submit(_render, spec, variant, slot=slot)

    def preview(self, spec: HandoutSpec, scale: float = PREVIEW_SCALE) -> list[bytes]:
        pages: list[bytes] = self.preview_later(spec, scale=scale).result()
        return pages

    def preview_later(
        self, spec: HandoutSpec, slot: Hashable | None = None, scale: float = PREVIEW_SCALE
    ) -> Future[list[bytes]]:
        """A queued preview, in ``slot``'s turns; cancel the future to drop it while it waits.

        The slot's newer preview replaces it while it waits."""
        return self.pool.submit(_preview, spec, scale, slot=slot, replace=True)

    def close(self) -> None:
        self.pool.close()
