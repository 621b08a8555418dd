"""Warm renderer workers: the same bytes as a cold render, previews as images, and recovery."""

from __future__ import annotations

import datetime as dt
import os
import signal
from collections.abc import Iterator

import psutil
import pytest

from handouts import service
from handouts.content.store import ContentStore

REQUEST = service.HandoutRequest("micropenning", "magnolia", "Warm Patient", dt.date(2026, 11, 22))
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def warm(content: ContentStore) -> Iterator[service.WarmHandouts]:
    handouts = service.WarmHandouts(content, workers=1)
    handouts.start()
    try:
        yield handouts
    finally:
        handouts.close()


def workers() -> list[psutil.Process]:
    """This process's warm workers: the children of its multiprocessing fork server."""
    found = []
    for child in psutil.Process().children():
        if "forkserver" in " ".join(child.cmdline()):
            found += child.children()
    return found


def test_a_warm_handout_is_the_cold_one_byte_for_byte(
    warm: service.WarmHandouts, content: ContentStore
) -> None:
    made = warm.make(REQUEST)
    cold = service.make_handout(content, REQUEST)
    assert made.data == cold.data
    assert (made.pages, made.filename) == (cold.pages, cold.filename)


def test_a_preview_is_one_png_per_page(warm: service.WarmHandouts) -> None:
    pages = warm.preview(REQUEST)
    assert len(pages) == warm.make(REQUEST).pages
    assert all(page.startswith(PNG) for page in pages)
    assert warm.preview(REQUEST) is pages  # the same request again comes from the cache


def test_a_killed_worker_is_replaced(warm: service.WarmHandouts) -> None:
    before = warm.make(REQUEST).data
    victims = workers()
    assert victims, "no warm worker found"
    for victim in victims:
        os.kill(victim.pid, signal.SIGKILL)
    psutil.wait_procs(victims, timeout=10)
    assert warm.make(REQUEST).data == before
    assert {p.pid for p in workers()}.isdisjoint({v.pid for v in victims})
