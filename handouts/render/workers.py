"""One pool of warm worker processes, used by the server's previews and by the batch.

Starting WeasyPrint and loading a clinic's fonts cost more than laying out a
handout, so both front ends keep processes that do those once and then render
whatever they are sent. This module owns everything about those processes
that does not depend on what they render:

- each worker has a private temporary folder (WeasyPrint's font files land
  there, and a killed worker cannot remove its own), removed by the parent;
- workers ignore SIGINT (the parent decides when to stop) and end themselves
  with SIGTERM when the parent is gone, so a handler can finish a file first;
- every task has a deadline: a worker still busy when it passes is killed
  and replaced, and the task is answered with ``RenderTimeout``. A task is
  never sent to a second worker: what stalled one would stall the next;
- a task may carry a *slot* (a browser session). Slots take fair turns
  (``turns.py``): a free worker serves the slot with the fewest tasks running,
  the one served longest ago first, so one session's sixty previews cannot sit
  ahead of another's one, nor hold a second worker while another waits.
  With ``running_per_slot`` a slot never has more running (the server: one,
  so a session's second render waits and a worker stays free for the next
  session). Tasks without a slot (the batch's) share one line, in order;
- a task submitted with ``replace=True`` (a preview) keeps at most
  ``per_slot`` such tasks of its slot waiting: a newer one cancels the oldest.
  A waiting task can be cancelled through its future (a client that went away).

Each worker is driven by one thread of the parent over a pipe, so a deadline
is one ``poll`` with a timeout, and killing one worker leaves the others and
their tasks alone (a ``ProcessPoolExecutor`` would break as a whole).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from dataclasses import dataclass, field
from multiprocessing.context import ForkContext, ForkServerContext, SpawnContext
from multiprocessing.process import BaseProcess
from typing import Any

from ..errors import HandoutError
from .turns import Turns


class WorkerFailed(HandoutError):
    """A task whose worker stopped before answering; nothing was made."""


class RenderTimeout(WorkerFailed):
    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"Making this handout took longer than {seconds:g} seconds, so it was stopped. "
            "Nothing was made. Check the patient's name and the clinic's templates; "
            "if it happens again, tell whoever runs this server."
        )


class PoolClosed(WorkerFailed):
    pass


Initializer = Callable[..., None]


def _watch_parent() -> None:
    # The forkserver, not the parent, may be a worker's OS parent, so getppid()
    # cannot tell; the parent process object can. SIGTERM lets a worker's own
    # handler finish a file it is writing.
    parent = multiprocessing.parent_process()
    if parent is not None:
        parent.join()
        os.kill(os.getpid(), signal.SIGTERM)


def _worker_main(
    connection: multiprocessing.connection.Connection,
    temp_dir: str,
    initializer: Initializer,
    initargs: tuple[Any, ...],
    niceness: int = 0,
) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if niceness:
        os.nice(niceness)
    tempfile.tempdir = temp_dir
    os.environ["TMPDIR"] = temp_dir
    threading.Thread(target=_watch_parent, daemon=True).start()
    initializer(*initargs)
    connection.send(("ready", os.getpid()))
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):  # the parent closed the pipe
            break
        if message is None:
            break
        function, args = message
        try:
            reply: tuple[str, object] = ("ok", function(*args))
        except Exception as error:  # the task's own failure goes back to its caller
            reply = ("error", error)
        try:
            connection.send(reply)
        except Exception:  # an exception that cannot be pickled: its type still can
            connection.send(("error", WorkerFailed(f"{type(reply[1]).__name__} in a worker")))
    # Returning lets multiprocessing run the worker's finalizers (renderers' clean-up).


def _context(start_method: str) -> ForkContext | SpawnContext | ForkServerContext:
    """The start method's context, typed as one that can start processes."""
    context = multiprocessing.get_context(start_method)
    if isinstance(context, ForkContext | SpawnContext | ForkServerContext):
        return context
    raise ValueError(f"unknown start method {start_method!r}")  # get_context refuses first


@dataclass(eq=False)
class _Task:
    function: Callable[..., Any]
    args: tuple[Any, ...]
    future: Future[Any]
    deadline: float
    slot: Hashable | None = None
    replace: bool = False  # a newer one of its slot cancels it while it waits


def _live(task: _Task) -> bool:
    return not task.future.cancelled()


@dataclass(eq=False)
class _Worker:
    index: int
    process: BaseProcess
    connection: multiprocessing.connection.Connection
    temp_dir: str
    pid: int = 0


@dataclass
class PoolStats:
    started: int = 0  # tasks sent to a worker
    timed_out: int = 0
    replaced: int = 0  # workers started again after one was killed or died
    pids: list[int] = field(default_factory=list)


class WorkerPool:
    """``workers`` warm processes, each set up by ``initializer(*initargs)``."""

    def __init__(
        self,
        workers: int,
        initializer: Initializer,
        initargs: tuple[Any, ...] = (),
        *,
        deadline: float,
        start_method: str = "forkserver",
        per_slot: int = 1,
        running_per_slot: int | None = None,
        niceness: int = 0,
    ) -> None:
        self.workers = workers
        # How much lower the workers' CPU priority is than the caller's: a server's
        # own work (pages, sign-in, static files) then never waits for a render.
        self.niceness = niceness
        self.deadline = deadline
        self.per_slot = per_slot
        self.stats = PoolStats()
        self._initializer = initializer
        self._initargs = initargs
        self._context = _context(start_method)
        self._temp_root = tempfile.mkdtemp(prefix="handouts-workers-")
        self._turns: Turns[_Task] = Turns(_live, running_per_slot)
        self._ready = threading.Condition()
        self._closing = False
        self._slots: list[_Worker | None] = [None] * workers
        self._warm = [threading.Event() for _ in range(workers)]
        # Processes are started here, one after the other, from the caller's
        # thread: forking from several threads at once can copy a lock that
        # another thread holds into a child, which then waits forever.
        launched = [self._launch(index) for index in range(workers)]
        self._threads = [
            threading.Thread(
                target=self._run, args=(index, launched[index]), daemon=True, name=f"worker-{index}"
            )
            for index in range(workers)
        ]
        for thread in self._threads:
            thread.start()

    # -- the caller's side -------------------------------------------------

    def start(self) -> None:
        """Wait until every worker has started and warmed up (tasks may be queued before)."""
        for ready in self._warm:
            ready.wait()

    def submit(
        self,
        function: Callable[..., Any],
        *args: Any,
        slot: Hashable | None = None,
        replace: bool = False,
        deadline: float | None = None,
    ) -> Future[Any]:
        """Queue ``function(*args)`` for ``slot``'s next turn; its answer comes in the future.

        With ``replace`` (a preview: only the newest matters), the slot's older
        waiting tasks submitted with ``replace`` beyond ``per_slot`` are cancelled.
        """
        future: Future[Any] = Future()
        task = _Task(function, args, future, deadline or self.deadline, slot, replace)
        with self._ready:
            if self._closing:
                raise PoolClosed("the renderers are shutting down")
            if replace and slot is not None:
                waiting = [t for t in self._turns.waiting(slot) if t.replace]
                for old in waiting[: max(0, len(waiting) - self.per_slot + 1)]:
                    old.future.cancel()  # the newer request replaces it
            self._turns.put(slot, task)
            self._ready.notify()
        return future

    def queued(self) -> int:
        with self._ready:
            return len(self._turns)

    def close(self, *, cancel: bool = True) -> None:
        """Stop taking tasks, let running ones finish, stop the workers, remove their files."""
        with self._ready:
            self._closing = True
            if cancel:
                for task in self._turns.clear():
                    task.future.cancel()
            self._ready.notify_all()
        for thread in self._threads:
            thread.join()
        shutil.rmtree(self._temp_root, ignore_errors=True)

    # -- each worker's thread ----------------------------------------------

    def _run(self, index: int, launched: _Worker) -> None:
        worker = self._until_ready(launched)
        self._warm[index].set()
        while True:
            task = self._next_task()
            if task is None:
                break
            try:
                worker, sent = self._run_task(index, worker, task)
            finally:
                with self._ready:
                    self._turns.done(task.slot)  # the slot's turn is over
                    self._ready.notify_all()  # its next task may run now
            if sent and worker is None and not self._closing:
                worker = self._start_worker(index)  # warm again before the next task comes
        if worker is not None:
            self._stop_worker(worker)

    def _run_task(
        self, index: int, worker: _Worker | None, task: _Task
    ) -> tuple[_Worker | None, bool]:
        """Run ``task`` unless it was cancelled: the worker to use next, and whether it was sent."""
        if not task.future.set_running_or_notify_cancel():
            return worker, False  # cancelled while it waited
        if worker is not None and not self._alive(worker):
            self._replace(index, worker)  # died while idle (killed, out of memory)
            worker = None
        if worker is None:
            worker = self._start_worker(index)
            if worker is None:
                task.future.set_exception(WorkerFailed("a renderer could not be started"))
                return None, False
        return self._send(index, worker, task), True

    def _next_task(self) -> _Task | None:
        with self._ready:
            while True:
                taken = self._turns.take()
                if taken is not None:
                    return taken[1]
                if self._closing:
                    return None
                self._ready.wait()

    def _start_worker(self, index: int) -> _Worker | None:
        return self._until_ready(self._launch(index))

    def _launch(self, index: int) -> _Worker:
        temp_dir = tempfile.mkdtemp(prefix="worker-", dir=self._temp_root)
        ours, theirs = self._context.Pipe()
        process = self._context.Process(
            target=_worker_main,
            args=(theirs, temp_dir, self._initializer, self._initargs, self.niceness),
            daemon=True,
            name=f"handouts-renderer-{index}",
        )
        process.start()
        theirs.close()
        return _Worker(index, process, ours, temp_dir)

    def _until_ready(self, worker: _Worker) -> _Worker | None:
        try:
            _kind, pid = worker.connection.recv()  # set-up (warming up) has no deadline
        except (EOFError, OSError):
            self._stop_worker(worker, kill=True)
            return None
        worker.pid = pid
        self.stats.pids.append(pid)
        self._slots[worker.index] = worker
        return worker

    @staticmethod
    def _alive(worker: _Worker) -> bool:
        # An idle worker has nothing to say: anything readable is the end of its pipe.
        return worker.process.is_alive() and not worker.connection.poll()

    def _send(self, index: int, worker: _Worker, task: _Task) -> _Worker | None:
        """Run ``task`` on ``worker``; the worker to use next (None: start a new one)."""
        self.stats.started += 1
        try:
            worker.connection.send((task.function, task.args))
            answered = worker.connection.poll(task.deadline)
            reply = worker.connection.recv() if answered else None
        except (EOFError, OSError):
            task.future.set_exception(WorkerFailed("the renderer stopped; nothing was made"))
            self._replace(index, worker)
            return None
        if reply is None:
            self.stats.timed_out += 1
            task.future.set_exception(RenderTimeout(task.deadline))
            self._replace(index, worker)
            return None
        kind, value = reply
        if kind == "ok":
            task.future.set_result(value)
        else:
            task.future.set_exception(value)
        return worker

    def _replace(self, index: int, worker: _Worker) -> None:
        # The next task starts a fresh worker; this one's task is never resent.
        self._stop_worker(worker, kill=True)
        self._slots[index] = None
        self.stats.replaced += 1

    def _stop_worker(self, worker: _Worker, *, kill: bool = False) -> None:
        if kill:
            worker.process.kill()
        else:
            with contextlib.suppress(OSError):
                worker.connection.send(None)
        worker.process.join(None if kill else 30)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()
        worker.connection.close()
        shutil.rmtree(worker.temp_dir, ignore_errors=True)
