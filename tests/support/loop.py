"""Run a coroutine to the end on a fresh event loop of its own.

The browser tests' Playwright session keeps an event loop running in the main
thread for the rest of the test session, and ``asyncio.run`` refuses to start
inside a thread that has one. A worker thread has none, so tests that drive an
ASGI app or a coroutine directly pass whatever ran before them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_alone(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coroutine)`` in a new thread; its result, or its exception raised here."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
