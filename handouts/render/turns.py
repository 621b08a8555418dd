"""Fair turns at the workers: each owner's tasks wait in their own line.

One queue in arrival order lets a browser session that sends sixty previews
keep every worker busy while another session's one preview waits behind them.
So tasks wait per *owner* (a browser session; tasks without one share a line),
and a free worker takes from the owner with the fewest tasks running, and among
those from the one whose turn came longest ago (an owner with nothing waiting or
running is forgotten, and comes back as new). So while another owner waits,
nobody gets a second worker; and when nobody else waits, a busy owner may use
every worker (no worker idles while work waits) unless ``most_running`` caps
each owner: the server caps a session at one, so a second worker stays free for
the next session that asks.

Only the choosing lives here, without threads or processes, so its rules can
be tested one step at a time; ``workers.py`` calls it under its own lock.
"""

from __future__ import annotations

import collections
import itertools
from collections.abc import Callable, Hashable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")
Owner = Hashable | None


class Turns(Generic[T]):
    """Waiting items by owner; ``live(item)`` is False for one to skip (cancelled)."""

    def __init__(self, live: Callable[[T], bool], most_running: int | None = None) -> None:
        self._live = live
        self.most_running = most_running  # per owner (not for items without one)
        self._lines: dict[Owner, collections.deque[T]] = {}  # owners with something waiting
        self._running: collections.Counter[Owner] = collections.Counter()
        # When each owner last had a turn, kept while it has anything waiting or running:
        # an owner whose line ran empty while its task ran must not count as new.
        self._last_turn: dict[Owner, int] = {}
        self._turns = itertools.count()

    def put(self, owner: Owner, item: T) -> None:
        self._lines.setdefault(owner, collections.deque()).append(item)

    def take(self) -> tuple[Owner, T] | None:
        """The next item to run and its owner (now counted as running), or None.

        None also when every waiting item's owner has ``most_running`` running.
        """
        self._drop_dead()
        ready = [who for who in self._lines if not self._at_most(who)]
        if not ready:
            return None
        # Fewest running first; among those, the owner whose turn came longest ago
        # (one that never had a turn first of all, then in order of arrival).
        owner = min(ready, key=lambda who: (self._running[who], self._last_turn.get(who, -1)))
        line = self._lines[owner]
        item = line.popleft()
        if not line:
            del self._lines[owner]
        self._running[owner] += 1
        self._last_turn[owner] = next(self._turns)
        return owner, item

    def _at_most(self, owner: Owner) -> bool:
        limit = self.most_running
        return owner is not None and limit is not None and self._running[owner] >= limit

    def done(self, owner: Owner) -> None:
        """An item of ``owner``'s taken earlier has finished (or was never started)."""
        self._running[owner] -= 1
        if self._running[owner] <= 0:
            del self._running[owner]
            if owner not in self._lines:
                self._last_turn.pop(owner, None)  # nothing of it left: forget it

    def waiting(self, owner: Owner) -> list[T]:
        """``owner``'s live waiting items, oldest first."""
        return [item for item in self._lines.get(owner, ()) if self._live(item)]

    def running(self, owner: Owner) -> int:
        return self._running[owner]

    def clear(self) -> list[T]:
        """Every waiting item, taken out of its line."""
        items = list(self)
        self._lines.clear()
        return items

    def __iter__(self) -> Iterator[T]:
        for line in self._lines.values():
            yield from line

    def __len__(self) -> int:
        return sum(1 for item in self if self._live(item))

    def _drop_dead(self) -> None:
        for owner in list(self._lines):
            line = collections.deque(item for item in self._lines[owner] if self._live(item))
            if line:
                self._lines[owner] = line
            else:
                del self._lines[owner]
                if not self._running[owner]:
                    self._last_turn.pop(owner, None)
