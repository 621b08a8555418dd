"""Follow-ups at scale: schedule 10,000, send the due ones to a local SMTP server in one
run, then run again (it must send nothing). Prints a table.

    .venv/bin/python bench/follow_ups.py [--count N]

The SMTP server is aiosmtpd on 127.0.0.1 in this process's own thread; every
message is its own SMTP session (claim, send, mark), as in production.
"""

from __future__ import annotations

import argparse
import datetime as dt
import socket
import sys
import tempfile
import time
from pathlib import Path

from aiosmtpd.controller import Controller

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from handouts.content.bundled import BUNDLED_ROOT
from handouts.content.store import CachedContentStore
from handouts.deliver.mail import SmtpSettings
from handouts.follow_ups.outbox import NewHandout, Outbox
from handouts.follow_ups.plan import PlannedFollowUp
from handouts.follow_ups.sender import send_due

# A Monday morning in London, inside Harbourside's sending hours.
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
PER_HANDOUT = 3


class Counter:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.count += 1
        return "250 OK"


def schedule(folder: Path, count: int) -> float:
    planned = [
        PlannedFollowUp(
            f"day-{n}",
            NOW.date(),
            NOW - dt.timedelta(hours=1) if n < PER_HANDOUT else NOW + dt.timedelta(days=5),
            "How is your skin today?",
            "From today you may clean your face as usual.",
        )
        for n in range(1, PER_HANDOUT + 1)
    ]
    started = time.perf_counter()
    with Outbox(folder) as outbox:
        for n in range(count // PER_HANDOUT + 1):
            items = planned[: min(PER_HANDOUT, count - n * PER_HANDOUT)]
            if not items:
                break
            handout = NewHandout(
                "harbourside", "microneedling", "en", NOW.date() - dt.timedelta(days=1),
                f"Patient {n}", f"patient{n}@example.org", "Micro-Needling aftercare", "bench",
            )  # fmt: skip
            outbox.schedule(handout, items, NOW - dt.timedelta(days=1))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000)
    count = parser.parse_args().count
    counter = Counter()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    settings = SmtpSettings("127.0.0.1", port, security="none", timeout=30)
    store = CachedContentStore(BUNDLED_ROOT)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        seconds = schedule(folder, count)
        rows.append(("schedule", count, seconds))
        for name in ("send (first run)", "send (second run)"):
            started = time.perf_counter()
            with Outbox(folder) as outbox:
                report = send_due(outbox, store, settings, NOW)
            rows.append((name, report.sent, time.perf_counter() - started))
    controller.stop()
    print(f"{'step':<20} {'messages':>9} {'seconds':>9} {'per second':>11}")
    for name, messages, seconds in rows:
        rate = f"{messages / seconds:,.0f}" if messages else "-"
        print(f"{name:<20} {messages:>9,} {seconds:>9.2f} {rate:>11}")
    print(f"SMTP server received {counter.count:,} messages")


if __name__ == "__main__":
    main()
