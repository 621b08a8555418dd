#!/usr/bin/env python3
"""One user's previews while another floods the server, against the same user alone.

    PYTHONPATH=. python bench/web_flood.py [--requests 20] [--workers 2]

Starts a real ``handouts serve`` on 127.0.0.1. A normal user asks for a preview,
waits for it, pauses as someone typing does (0.4 s), and asks again; first alone,
then while a second user (another session) sends 60 previews at once, again and
again, half of them with names at the length limit in CJK (the slowest to lay
out). Throughout, a third client fetches /static/app.css. Prints the normal
user's p50 and p95 in both phases, their ratio, and the stylesheet's p95.
Targets: p95 under the flood at most 3x p95 alone; app.css p95 under 100 ms.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event as EventType
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from handouts.inputs.limits import NAME  # noqa: E402
from tools.live_server import STAFF, Server, add_user, csrf_token, start_server, stop_server  # noqa: E402

FLOOD = 60
PAUSE = 0.4  # the page's typing pause


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def form(token: str, name: str) -> dict[str, str]:
    return {
        "csrf_token": token,
        "clinic": "magnolia",
        "protocol": "micropenning",
        "patient": name,
        "date": "2026-11-22",
    }


def normal_user(server: Server, count: int, tag: str) -> list[float]:
    client = server.signed_in(timeout=600)
    token = csrf_token(client.get("/").text)
    latencies = []
    for i in range(count):
        started = time.perf_counter()
        answer = client.post("/preview", data=form(token, f"Normal Patient {tag}-{i}"))
        latencies.append(time.perf_counter() - started)
        if answer.status_code != 200:
            raise RuntimeError(f"normal preview failed: {answer.status_code}")
        time.sleep(PAUSE)  # the person typing
    return latencies


def flooder(server: Server, stop: threading.Event) -> None:
    client = server.signed_in(timeout=600)
    token = csrf_token(client.get("/").text)
    round_ = 0
    with ThreadPoolExecutor(FLOOD) as pool:
        while not stop.is_set():
            round_ += 1
            names = ["张" * NAME if i % 2 else f"Flood {round_}-{i}" for i in range(FLOOD)]
            list(pool.map(lambda n: client.post("/preview", data=form(token, n)), names))


def stylesheet(url: str, stop: EventType, answer: Connection) -> None:
    """Fetch the stylesheet every 0.1 s until ``stop``; send back the latencies.

    A process of its own: in the bench's process, the flood's 60 threads would hold
    the interpreter lock and the wait measured would be the bench's, not the server's.
    """
    latencies: list[float] = []
    with httpx.Client(base_url=url) as client:
        while not stop.is_set():
            started = time.perf_counter()
            client.get("/static/app.css")
            latencies.append(time.perf_counter() - started)
            time.sleep(0.1)
    answer.send(latencies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=20, help="normal previews per phase")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    with tempfile.TemporaryDirectory(prefix="handouts-bench-flood-") as folder:
        data = Path(folder) / "data"
        add_user(data, STAFF)
        server = start_server(data, Path(folder) / "server.log", {}, workers=args.workers)
        done = multiprocessing.Event()
        theirs, ours = multiprocessing.Pipe(duplex=False)
        watcher = multiprocessing.Process(target=stylesheet, args=(server.url, done, ours))
        css: list[float] = []
        try:
            watcher.start()
            normal_user(server, 2, "warm")
            alone = normal_user(server, args.requests, "alone")
            stop = threading.Event()
            flood = threading.Thread(target=flooder, args=(server, stop))
            flood.start()
            time.sleep(1.0)  # let the first burst arrive
            flooded = normal_user(server, args.requests, "flood")
            stop.set()
            flood.join()
        finally:
            done.set()
            css = theirs.recv()
            watcher.join()
            stop_server(server)
    print(f"flood bench, --workers {args.workers}, load average before: {load}")
    print()
    print("| phase | previews | p50 ms | p95 ms |")
    print("|-------|---------:|-------:|-------:|")
    for phase, values in (("alone", alone), ("under flood", flooded)):
        print(
            f"| {phase} | {len(values)} | {statistics.median(values) * 1000:.0f} "
            f"| {p95(values) * 1000:.0f} |"
        )
    ratio = p95(flooded) / p95(alone)
    print()
    print(f"p95 under flood / p95 alone: {ratio:.2f}x (target <= 3x)")
    print(f"/static/app.css p95 throughout: {p95(css) * 1000:.0f} ms (target < 100 ms)")


if __name__ == "__main__":
    main()
