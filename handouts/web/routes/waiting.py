"""Waiting for a worker's answer without a thread, and giving up when the client leaves."""

from __future__ import annotations

import asyncio
from concurrent.futures import Future
from typing import Any, TypeVar

from starlette.requests import Request

T = TypeVar("T")


class PreviewDropped(Exception):
    """Not made: a newer preview from the same page replaced it, or the client left."""


async def _client_left(request: Request) -> None:
    # The body has been read, so the next message is the disconnect, whenever it comes.
    while (await request.receive())["type"] != "http.disconnect":
        pass


async def unless_client_leaves(request: Request, queued: Future[T], what: str = "preview") -> T:
    """``queued``'s result; cancels it (if still waiting) when the client disconnects first.

    A result that comes after the client left is dropped too: nobody would see it.
    """
    answer = asyncio.wrap_future(queued)
    gone = asyncio.ensure_future(_client_left(request))
    try:
        either: list[asyncio.Future[Any]] = [answer, gone]  # one result type per future
        await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
    finally:
        gone.cancel()
    if not answer.done():
        queued.cancel()  # a worker that already started finishes; a waiting one never starts
        answer.cancel()
        raise PreviewDropped(f"The page was closed before the {what} was made.")
    if answer.cancelled():
        if what == "preview":
            raise PreviewDropped("A newer preview from this page replaced this one.")
        raise PreviewDropped(f"The {what} was not made: the server is stopping.")
    return answer.result()
