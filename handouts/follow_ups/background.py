"""``handouts serve`` sends due follow-ups itself, every minute, while it runs.

Each round is the same claim-then-send as ``handouts follow-ups send``, in a
worker thread, so a cron job or timer running beside the server is harmless:
whichever claims a message first sends it, the other skips it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, Mapping
from pathlib import Path

from ..content.store import ContentStore
from ..errors import HandoutError

log = logging.getLogger("handouts.follow_ups")

INTERVAL = 60.0  # seconds between rounds
Clock = Callable[[], dt.datetime]


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def send_round(
    folder: Path, store: ContentStore, environ: Mapping[str, str], clock: Clock = _utc_now
) -> int:
    """One round; how many were sent. Problems are logged by row id, never by name."""
    from ..deliver.mail import SmtpSettings
    from .outbox import Outbox
    from .sender import send_due

    settings = SmtpSettings.from_env(environ)
    with Outbox(folder) as outbox:
        report = send_due(
            outbox, store, settings, clock(), public_url=environ.get("HANDOUTS_PUBLIC_URL")
        )
    if report.sent or report.uncertain or report.retry_later:
        log.info("follow-ups: %s", report.summary())
    return report.sent


async def send_forever(
    folder: Path,
    store: ContentStore,
    environ: Mapping[str, str],
    interval: float = INTERVAL,
    clock: Clock = _utc_now,
) -> None:
    """Rounds until cancelled; a round that fails is logged and the next one tries again."""
    while True:
        try:
            await asyncio.to_thread(send_round, folder, store, environ, clock)
        except HandoutError as error:
            log.warning("follow-ups not sent this round: %s", error)
        await asyncio.sleep(interval)
