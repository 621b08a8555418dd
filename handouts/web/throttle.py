"""Slowing down password guessers without letting them lock anyone else out.

Wrong passwords are counted per (user, address) and per address, never per
user alone: a stranger's guesses at ``boss2`` from nine addresses make those
nine addresses wait, and ``boss2`` signing in from the clinic's own address
waits for nothing. The per-address count also catches one address guessing
at many names. (The price: guesses spread over many addresses each get a few
free tries; long passwords and argon2 are the defence there.)

An attempt is counted *before* the password is checked and taken back when
it was right, in one transaction with the check of the wait, so a hundred
guesses sent at once cannot all slip in before the first one is counted.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from .data import DataFolder

# Wrong passwords allowed before each further try has to wait, and the longest wait.
FREE_FAILURES = 3
MAX_WAIT_SECONDS = 300
# Wrong passwords older than this are forgotten, so a desk's occasional typos
# over a day never add up to a lock-out for everyone behind one address.
FORGET_AFTER_SECONDS = 15 * 60


class MustWait(Exception):
    def __init__(self, seconds: int) -> None:
        super().__init__(f"wait {seconds} s")
        self.seconds = seconds


def wait_after(failures: int) -> int:
    """Seconds to wait after ``failures`` wrong passwords in a row: 0, then doubling."""
    if failures < FREE_FAILURES:
        return 0
    return min(MAX_WAIT_SECONDS, 1 << (failures - FREE_FAILURES + 1))


def _keys(user: str, address: str) -> tuple[str, str]:
    return f"pair:{user.casefold()}@{address}", f"address:{address}"


class Throttle:
    def __init__(self, data: DataFolder, clock: Callable[[], float] = time.time) -> None:
        self.data = data
        self.clock = clock

    def begin(self, user: str, address: str) -> bool:
        """Count one try by ``user`` from ``address``, or raise ``MustWait`` first.

        Returns whether ``address`` is failing: it has wrong passwords (or tries
        still being checked) within the forgetting time, before this one.
        """
        now = self.clock()
        keys = _keys(user, address)
        failing = False
        with self.data.connect() as db:
            db.execute("BEGIN IMMEDIATE")  # the check and the count are one step
            # Forgotten counts go, so guesses at made-up names cannot grow the table for ever.
            db.execute("DELETE FROM failures WHERE last <= ?", (now - FORGET_AFTER_SECONDS,))
            longest = 0.0
            for key in keys:
                row = db.execute(
                    "SELECT count, last FROM failures WHERE key = ?", (key,)
                ).fetchone()
                if row and now - row["last"] < FORGET_AFTER_SECONDS:
                    longest = max(longest, row["last"] + wait_after(row["count"]) - now)
                    failing = failing or row["count"] > 0
            if longest > 0:
                raise MustWait(math.ceil(longest))
            for key in keys:
                db.execute(
                    "INSERT INTO failures (key, count, last) VALUES (?, 1, ?) "
                    "ON CONFLICT(key) DO UPDATE SET last = excluded.last, count = CASE "
                    "WHEN excluded.last - last < ? THEN count + 1 ELSE 1 END",
                    (key, now, FORGET_AFTER_SECONDS),
                )
        return failing

    def take_back(self, user: str, address: str) -> None:
        """Uncount a try that was refused before its password was checked."""
        with self.data.connect() as db:
            for key in _keys(user, address):
                db.execute("UPDATE failures SET count = count - 1 WHERE key = ?", (key,))
                db.execute("DELETE FROM failures WHERE key = ? AND count <= 0", (key,))

    def succeeded(self, user: str, address: str) -> None:
        """The password was right: forget the pair's tries, take back this one try."""
        pair, by_address = _keys(user, address)
        with self.data.connect() as db:
            db.execute("DELETE FROM failures WHERE key = ?", (pair,))
            # The address keeps its earlier failures: one right password must not
            # hide a guesser's tries at other names from the same address.
            db.execute("UPDATE failures SET count = count - 1 WHERE key = ?", (by_address,))
            db.execute("DELETE FROM failures WHERE key = ? AND count <= 0", (by_address,))
