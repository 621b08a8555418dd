"""Two lanes to the password checks, so nobody's failures delay a right password.

argon2 takes a CPU for a few tenths of a second, so only ``at_once`` checks run
at a time and the rest wait (without a thread). In one line, a burst of wrong
passwords from many addresses would sit ahead of a member of staff signing in
from the clinic's own address. So sign-ins wait in two lanes:

- *clear*: from an address with no recent wrong password. Served first, and may
  use every place;
- *failing*: from an address with a recent wrong password. Served only when
  nobody waits in the clear lane, on at most ``failing_at_once`` places (so a
  clear sign-in finds a place free even while failing ones run), and with at
  most ``failing_waiting`` waiting: one more is refused at once (``LaneFull``)
  rather than queued.

What this cannot do: tell a guesser's *first* try from a new address apart from
a real user's; those share the clear lane. A guesser pays with a fresh address
for every try there (after one wrong password an address is failing for the
throttle's forgetting time).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
from collections.abc import AsyncIterator


class LaneFull(Exception):
    """Too many sign-ins from failing addresses are waiting already."""


class PasswordLanes:
    def __init__(self, at_once: int, failing_at_once: int, failing_waiting: int) -> None:
        self.at_once = at_once
        self.failing_at_once = failing_at_once
        self.failing_waiting = failing_waiting
        self._running = 0
        self._running_failing = 0
        self._clear: collections.deque[asyncio.Future[None]] = collections.deque()
        self._failing: collections.deque[asyncio.Future[None]] = collections.deque()

    def waiting(self, *, failing: bool) -> int:
        lane = self._failing if failing else self._clear
        return sum(1 for waiter in lane if not waiter.done())

    @contextlib.asynccontextmanager
    async def turn(self, *, failing: bool) -> AsyncIterator[None]:
        """A place to check one password; raises ``LaneFull`` at once if the lane is."""
        lane = self._failing if failing else self._clear
        if failing and self.waiting(failing=True) >= self.failing_waiting:
            raise LaneFull
        if not self.waiting(failing=failing) and self._may_start(failing=failing):
            self._start(failing=failing)
        else:
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            lane.append(waiter)
            try:
                await waiter
            except asyncio.CancelledError:  # the client went away
                if waiter.done() and not waiter.cancelled():
                    self._finish(failing=failing)  # given a place just now: pass it on
                with contextlib.suppress(ValueError):
                    lane.remove(waiter)
                raise
        try:
            yield
        finally:
            self._finish(failing=failing)

    def _may_start(self, *, failing: bool) -> bool:
        if self._running >= self.at_once:
            return False
        if not failing:
            return True
        return self._running_failing < self.failing_at_once and not self.waiting(failing=False)

    def _start(self, *, failing: bool) -> None:
        self._running += 1
        self._running_failing += failing

    def _finish(self, *, failing: bool) -> None:
        self._running -= 1
        self._running_failing -= failing
        self._wake()

    def _wake(self) -> None:
        for failing, lane in ((False, self._clear), (True, self._failing)):
            while lane and self._may_start(failing=failing):
                waiter = lane.popleft()
                if not waiter.done():  # a cancelled one (client gone) is skipped
                    self._start(failing=failing)
                    waiter.set_result(None)
