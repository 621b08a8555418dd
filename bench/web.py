#!/usr/bin/env python3
"""Preview latency of ``handouts serve`` with 1 and with 4 people typing at once.

    PYTHONPATH=. python bench/web.py [--requests 40] [--workers 2]

Starts a real ``handouts serve`` on 127.0.0.1 (a free port, a throwaway data
folder), signs in as many browsers as there are users, and has each user post
preview requests one after another. Two ways of asking:

- typing: the next preview 0.4 s after the last answer, as the page's script
  does while someone keeps typing (it waits for 0.4 s without a keystroke);
- flat out: the next preview as soon as the last answer is in, which no
  person does; it shows how the server degrades when overloaded.

Every request has a different patient name, so the server's
preview cache never answers: each is a real render of the handout to PDF and
then to page images. Latency is measured at the client, from sending the
form to having the whole answer. --requests is the total per scenario, split
between the users; nothing is sent anywhere but 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.live_server import (  # noqa: E402
    STAFF,
    Server,
    add_user,
    csrf_token,
    start_server,
    stop_server,
)

TARGET_P50 = 0.400
TARGET_P95 = 1.200
WARMUP_PER_USER = 2
DEBOUNCE = 0.4  # handouts/web/static/preview.js WAIT_MS


def user_loop(server: Server, user: int, count: int, pause: float, latencies: list[float]) -> None:
    client = server.signed_in(STAFF, timeout=600)
    token = csrf_token(client.get("/").text)
    for i in range(WARMUP_PER_USER + count):
        form = {
            "csrf_token": token,
            "clinic": "magnolia" if i % 2 else "harbourside",
            "protocol": "micropenning" if i % 3 else "microneedling",
            "patient": f"Bench Patient {user}-{i}",
            "date": "2026-11-22",
        }
        started = time.perf_counter()
        response = client.post("/preview", data=form)
        elapsed = time.perf_counter() - started
        if response.status_code != 200 or b"<img" not in response.content:
            raise RuntimeError(f"preview failed: {response.status_code}")
        if i >= WARMUP_PER_USER:  # a new connection's first answers are not a user's typing
            latencies.append(elapsed)
        time.sleep(pause)  # the person typing, not a wait for the server


def scenario(server: Server, users: int, total: int, pause: float) -> dict[str, float]:
    latencies: list[float] = []
    per_user = max(1, total // users)
    threads = [
        threading.Thread(target=user_loop, args=(server, u, per_user, pause, latencies))
        for u in range(users)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "how": "typing" if pause else "flat out",
        "users": users,
        "requests": len(ordered),
        "p50": statistics.median(ordered),
        "p95": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
        "max": ordered[-1],
        "rate": len(ordered) / wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=40, help="previews per scenario")
    parser.add_argument("--workers", type=int, default=2, help="the server's warm renderers")
    args = parser.parse_args()
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    with tempfile.TemporaryDirectory(prefix="handouts-bench-web-") as folder:
        data = Path(folder) / "data"
        add_user(data, STAFF)
        server = start_server(
            data, Path(folder) / "server.log", {"PYTHONPATH": str(ROOT)}, workers=args.workers
        )
        try:
            scenario(server, 2, 8, 0.0)  # every worker through every clinic and protocol once
            results = [
                scenario(server, users, args.requests, pause)
                for pause in (DEBOUNCE, 0.0)
                for users in (1, 4)
            ]
        finally:
            stop_server(server)
    cpus = len(os.sched_getaffinity(0))
    print(
        f"preview latency, handouts serve --workers {args.workers}, {cpus} CPUs, 127.0.0.1; "
        f"load average before: {load}"
    )
    print()
    print(
        "| users | asking | previews | p50 ms | p95 ms | max ms | per s | p50 vs 1 user | targets |"
    )
    print(
        "|------:|--------|---------:|-------:|-------:|-------:|------:|--------------:|---------|"
    )
    for r in results:
        single = next(o["p50"] for o in results if o["how"] == r["how"] and o["users"] == 1)
        met = r["p50"] <= TARGET_P50 and r["p95"] <= TARGET_P95
        print(
            f"| {r['users']} | {r['how']} | {r['requests']} | {r['p50'] * 1000:.0f} "
            f"| {r['p95'] * 1000:.0f} | {r['max'] * 1000:.0f} | {r['rate']:.1f} "
            f"| {r['p50'] / single:.2f}x | {'met' if met else 'missed'} |"
        )
    print()
    print(f"targets: p50 <= {TARGET_P50 * 1000:.0f} ms and p95 <= {TARGET_P95 * 1000:.0f} ms")
    print()
    print(
        f"server: {subprocess.list2cmdline(['handouts', 'serve', '--workers', str(args.workers)])}"
    )


if __name__ == "__main__":
    main()
