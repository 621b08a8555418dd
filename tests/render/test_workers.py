"""The shared worker pool: a deadline ends its worker, the task is never resent, one preview,
fair turns between sessions."""

from __future__ import annotations

import dataclasses
import itertools
import os
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from handouts.content.store import ContentStore
from handouts.render.page import resolve_spec
from handouts.render.warm import WarmRenderers
from handouts.render.workers import RenderTimeout, WorkerPool

_gate: Any = None
_entered: Any = None


def _keep_gate(gate: Any, entered: Any) -> None:
    global _gate, _entered
    _gate, _entered = gate, entered


def wait_for_gate() -> int:
    """A task that stalls until the test opens the gate: a render that never ends."""
    _entered.set()
    _gate.wait()
    return os.getpid()


def stall_forever() -> None:
    """A render that never ends (a local event: a killed waiter must not break a shared one)."""
    threading.Event().wait()


def echo(value: int) -> tuple[int, int]:
    return value, os.getpid()


_started = itertools.count()  # in the worker: how many tasks it began before this one


def numbered(value: int) -> tuple[int, int]:
    """``value`` and the order in which the (only) worker ran it."""
    return value, next(_started)


@pytest.fixture
def pool() -> Iterator[tuple[WorkerPool, Any, Any]]:
    import multiprocessing

    context = multiprocessing.get_context("fork")
    gate, entered = context.Event(), context.Event()
    workers = WorkerPool(1, _keep_gate, (gate, entered), deadline=60, start_method="fork")
    workers.start()
    try:
        yield workers, gate, entered
    finally:
        gate.set()
        workers.close()


def test_a_task_past_its_deadline_ends_its_worker_and_is_not_resent(
    pool: tuple[WorkerPool, Any, Any],
) -> None:
    workers, _, _ = pool
    first = workers.stats.pids[0]
    stalled = workers.submit(stall_forever, deadline=0.3)
    with pytest.raises(RenderTimeout, match=r"took longer than 0\.3 seconds"):
        stalled.result()
    value, pid = workers.submit(echo, 7).result()
    assert value == 7
    assert pid != first  # a fresh worker
    assert (workers.stats.timed_out, workers.stats.replaced) == (1, 1)
    assert workers.stats.started == 2  # the stalled task ran once, never on the new worker


def test_a_sessions_newer_preview_replaces_its_waiting_one(
    pool: tuple[WorkerPool, Any, Any],
) -> None:
    workers, gate, entered = pool
    busy = workers.submit(wait_for_gate)
    assert entered.wait(60)  # the only worker is taken
    older = workers.submit(echo, 1, slot="session-a", replace=True)
    download = workers.submit(echo, 4, slot="session-a")  # not a preview: never replaced
    other = workers.submit(echo, 2, slot="session-b", replace=True)
    newer = workers.submit(echo, 3, slot="session-a", replace=True)
    assert older.cancelled()
    assert not other.cancelled() and not newer.cancelled() and not download.cancelled()
    assert workers.queued() == 3
    gate.set()
    busy.result()
    assert other.result()[0] == 2
    assert newer.result()[0] == 3
    assert download.result()[0] == 4
    assert workers.stats.started == 4  # the replaced preview never ran


def test_a_second_session_s_task_runs_before_the_first_session_s_queued_ones(
    pool: tuple[WorkerPool, Any, Any],
) -> None:
    workers, gate, entered = pool
    busy = workers.submit(wait_for_gate, slot="flood")
    assert entered.wait(60)  # the only worker is the flood's
    flood = [workers.submit(numbered, n, slot="flood") for n in range(5)]
    desk = workers.submit(numbered, 100, slot="desk")  # asked for after all five
    gate.set()
    busy.result()
    desk_turn = desk.result()[1]
    flood_turns = [future.result()[1] for future in flood]
    assert flood_turns == sorted(flood_turns), "one session's tasks keep their order"
    assert desk_turn < min(flood_turns), "the desk waited behind the flood's queue"


def test_a_cancelled_waiting_task_never_runs(pool: tuple[WorkerPool, Any, Any]) -> None:
    workers, gate, entered = pool
    busy = workers.submit(wait_for_gate)
    assert entered.wait(60)
    waiting = workers.submit(echo, 1)
    assert waiting.cancel()
    gate.set()
    busy.result()
    assert workers.submit(echo, 2).result()[0] == 2
    assert workers.stats.started == 2


def test_a_long_cjk_name_past_the_deadline_is_answered_not_retried(content: ContentStore) -> None:
    spec = resolve_spec(content, "micropenning", "magnolia", "Short Name")
    # Past the input limit on purpose: the deadline must hold even without it.
    stalling = dataclasses.replace(spec, patient_name="张" * 4000)
    renderers = WarmRenderers(content, 1, [], deadline=1.0)
    try:
        renderers.start()
        with pytest.raises(RenderTimeout):
            renderers.render(stalling)
        assert renderers.pool.stats.timed_out == 1
        data, pages = renderers.pool.submit(_render_normal, spec, deadline=120).result()
        assert data.startswith(b"%PDF") and pages >= 1
        assert renderers.pool.stats.started == 2
    finally:
        renderers.close()


def _render_normal(spec: Any) -> tuple[bytes, int]:
    from handouts.render import warm

    return warm._render(spec, None)


def test_a_session_has_one_render_running_and_the_other_worker_stays_free() -> None:
    import multiprocessing

    context = multiprocessing.get_context("fork")
    gate, entered = context.Event(), context.Event()
    workers = WorkerPool(
        2, _keep_gate, (gate, entered), deadline=60, start_method="fork", running_per_slot=1
    )
    try:
        workers.start()
        first = workers.submit(wait_for_gate, slot="flood")
        assert entered.wait(60)
        second = workers.submit(wait_for_gate, slot="flood")  # would hold the other worker
        desk = workers.submit(echo, 1, slot="desk")
        # Answered while the gate is shut: the flood's second never took the free worker.
        assert desk.result(timeout=60)[0] == 1
        assert not second.running() and not second.done()
        gate.set()
        assert first.result() and second.result()
    finally:
        gate.set()
        workers.close()
