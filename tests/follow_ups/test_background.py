"""`handouts serve`'s own sender: rounds on a clock the test sets, into a real SMTP server."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from handouts.content.store import ContentStore
from handouts.follow_ups.background import send_forever, send_round
from handouts.follow_ups.schedule import schedule_for_handout
from handouts.render.page import resolve_spec
from tests.support.dates import FIXED_DATE
from tests.support.inbox import Smtp
from tests.support.loop import run_alone

DAY_ONE = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)


def test_rounds_send_what_is_due_and_stop_when_cancelled(
    content: ContentStore, tmp_path: Path, smtp: Smtp
) -> None:
    spec = resolve_spec(content, "microneedling", "harbourside", "Pat Doe", FIXED_DATE)
    scheduled_at = dt.datetime(2026, 11, 22, 15, tzinfo=dt.UTC)
    schedule_for_handout(spec, "pat@example.org", tmp_path, scheduled_at, "test")

    async def serve_a_while() -> None:
        task = asyncio.create_task(
            send_forever(tmp_path, content, smtp.environ, interval=0.05, clock=lambda: DAY_ONE)
        )
        for _ in range(200):
            await asyncio.sleep(0.05)
            if smtp.inbox.received:
                break
        await asyncio.sleep(0.3)  # a few more rounds: they must send nothing more
        task.cancel()

    run_alone(serve_a_while())
    assert len(smtp.inbox.received) == 1
    assert send_round(tmp_path, content, smtp.environ, clock=lambda: DAY_ONE) == 0
