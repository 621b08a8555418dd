#!/usr/bin/env python3
"""Does a burst of sign-ins hold up the rest of the server?

    PYTHONPATH=. python bench/signin.py [--burst 30] [--rounds 3] [--failing-burst]

Starts a real ``handouts serve`` on 127.0.0.1 (a free port, a throwaway data
folder, the default argon2 cost), then:

- quiet: fetches ``/static/app.css`` one request after another and times each;
- burst: sends --burst sign-ins at once (wrong passwords, each from its own
  forwarded address so none is turned away by the throttle: every one costs a
  real argon2 check), while the same static fetches go on, and while one
  member of staff signs in with the right password from another address.

With --failing-burst, each burst address has sent one wrong password just
before (untimed): a guesser's later tries, which wait in the server's lane for
failing addresses, behind the member of staff's clear address.

Reports the static file's p50/p95/max in both phases, how long the burst's
sign-ins took and how they were answered (401 checked, 429 turned away), and
how long the member of staff waited. Nothing is sent anywhere but 127.0.0.1.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere: the live server is in tools/

from tools.live_server import (  # noqa: E402
    PASSWORD,
    STAFF,
    Server,
    add_user,
    csrf_token,
    start_server,
    stop_server,
)


def quantiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[math.ceil(len(ordered) * 0.95) - 1]
    return (
        f"n={len(ordered):4d}  p50 {statistics.median(ordered) * 1000:7.1f} ms  "
        f"p95 {p95 * 1000:7.1f} ms  max {ordered[-1] * 1000:7.1f} ms"
    )


def fetch_static(server: Server, until: threading.Event, latencies: list[float]) -> None:
    with server.client() as client:
        while not until.is_set():
            started = time.perf_counter()
            response = client.get("/static/app.css")
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise RuntimeError(f"static file: {response.status_code}")


def sign_in(server: Server, name: str, password: str, address: str) -> tuple[int, float]:
    with server.client(headers={"x-forwarded-for": address}) as client:
        token = csrf_token(client.get("/signin").text)
        started = time.perf_counter()
        response = client.post(
            "/signin", data={"csrf_token": token, "name": name, "password": password}
        )
        return response.status_code, time.perf_counter() - started


def one_round(
    server: Server, burst: int, round_number: int, failing: bool
) -> dict[str, list[float]]:
    if failing:  # every burst address gets one wrong password on record first
        earlier = [
            threading.Thread(
                target=sign_in,
                args=(server, f"guess{n}", "wrong-password", f"198.18.{round_number}.{n + 1}"),
            )
            for n in range(burst)
        ]
        for thread in earlier:
            thread.start()
        for thread in earlier:
            thread.join()
    quiet: list[float] = []
    stop = threading.Event()
    sampler = threading.Thread(target=fetch_static, args=(server, stop, quiet))
    sampler.start()
    time.sleep(2.0)  # the quiet phase's length, not a wait for the server
    stop.set()
    sampler.join()

    during: list[float] = []
    burst_times: list[float] = []
    turned_away: list[float] = []  # 429: refused at once, not checked
    staff: list[float] = []
    stop = threading.Event()
    sampler = threading.Thread(target=fetch_static, args=(server, stop, during))

    def guess(n: int) -> None:
        address = f"198.18.{round_number}.{n + 1}"
        status, seconds = sign_in(server, f"guess{n}", "wrong-password", address)
        if status == 429:
            turned_away.append(seconds)
        elif status == 401:
            burst_times.append(seconds)
        else:
            raise RuntimeError(f"a wrong password answered {status}")

    def member_of_staff() -> None:
        status, seconds = sign_in(server, STAFF, PASSWORD, f"192.0.2.{round_number + 1}")
        if status != 303:
            raise RuntimeError(f"the right password answered {status}")
        staff.append(seconds)

    guessers = [threading.Thread(target=guess, args=(n,)) for n in range(burst)]
    sampler.start()
    started = time.perf_counter()
    for thread in guessers:
        thread.start()
    staff_thread = threading.Thread(target=member_of_staff)
    staff_thread.start()
    for thread in [*guessers, staff_thread]:
        thread.join()
    burst_total = time.perf_counter() - started
    stop.set()
    sampler.join()
    return {
        "quiet": quiet,
        "during": during,
        "burst": burst_times,
        "turned_away": turned_away,
        "burst_total": [burst_total],
        "staff": staff,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--burst", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--failing-burst",
        action="store_true",
        help="the burst comes from addresses that have each sent a wrong password before",
    )
    args = parser.parse_args()
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        add_user(base / "data", STAFF)
        server = start_server(
            base / "data",
            base / "server.log",
            {"HANDOUTS_TRUSTED_PROXY": "127.0.0.1"},
            workers=1,
        )
        try:
            httpx.get(server.url + "/static/app.css")
            results: dict[str, list[float]] = {}
            for number in range(args.rounds):
                round_results = one_round(server, args.burst, number, args.failing_burst)
                for key, values in round_results.items():
                    results.setdefault(key, []).extend(values)
        finally:
            stop_server(server)
    kind = "addresses with a wrong password before" if args.failing_burst else "fresh addresses"
    print(
        f"handouts serve, {args.burst} sign-ins at once from {kind}, "
        f"{args.rounds} rounds, 127.0.0.1, load average {load}"
    )
    print(f"/static/app.css, quiet        {quantiles(results['quiet'])}")
    print(f"/static/app.css, during burst {quantiles(results['during'])}")
    print(f"each wrong sign-in, checked   {quantiles(results['burst'])}")
    if results["turned_away"]:
        print(f"each turned away (429)        {quantiles(results['turned_away'])}")
    print(f"a right sign-in in the burst  {quantiles(results['staff'])}")
    totals = ", ".join(f"{t:.2f}" for t in results["burst_total"])
    print(f"whole burst (s)               {totals}")


if __name__ == "__main__":
    main()
