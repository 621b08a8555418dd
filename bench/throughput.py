#!/usr/bin/env python3
"""Throughput and memory of `batch` against a naive WeasyPrint loop.

    PYTHONPATH=. python bench/throughput.py [--n 60] [--growth 500]

Each measurement runs in its own fresh process, so none inherits another's
fonts, caches or memory:

- naive: one process, ``HTML(string=..., base_url=...).write_pdf()`` per
  handout on the same HTML the batch renders (stylesheets inlined, as
  ``handout --format html`` writes it); the HTML is made before timing starts;
- batch, 1 and 2 workers: the batch runner on a CSV of the same N rows,
  timed from the start of the run (pool start-up and warm-up included) to the
  manifest being written;
- growth: one worker's code (initializer, then one job after another, in one
  process) for --growth renders; RSS after the 10th render and after the last.

Wall-clock rates on a small VM wander by several percent from one run to the
next, so the three throughput runs are repeated --repeat times, interleaved
(naive, 1 worker, 2 workers, naive, ...) so that a slow spell hits all three
alike, and the table shows each run's median with the lowest and highest.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROTOCOLS = ("microneedling", "micropenning")
MIB = 1024 * 1024


def rows(n: int) -> list[tuple[str, dt.date, str]]:
    """N patients over both protocols and a month of dates, on the default clinic."""
    start = dt.date(2026, 11, 1)
    return [
        (f"Patient Number {i}", start + dt.timedelta(days=i % 30), PROTOCOLS[i % 2])
        for i in range(n)
    ]


def peak_rss_mib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kB on Linux


def measure_naive(n: int) -> dict[str, float]:
    from weasyprint import HTML

    from handouts.content.store import ContentStore
    from handouts.render.page import render_standalone_html, resolve_spec

    content = ContentStore(ROOT)
    pages = []
    for patient, date, protocol in rows(n):
        request = resolve_spec(content, protocol, None, patient, date)
        pages.append((render_standalone_html(request), request.clinic_dir.resolve().as_uri() + "/"))
    started = time.perf_counter()
    cpu_started = time.process_time()
    for html, base_url in pages:
        HTML(string=html, base_url=base_url).write_pdf()
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    return {"seconds": elapsed, "cpu": cpu, "peak_rss": peak_rss_mib(resource.RUSAGE_SELF)}


def measure_batch(n: int, workers: int) -> dict[str, float]:
    from handouts.batch.outcome import RowStatus
    from handouts.batch.plan import plan_rows
    from handouts.batch.rows import read_rows
    from handouts.batch.run import run_rows
    from handouts.content.store import CachedContentStore as CachedContent
    from handouts.records import Ledger

    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        csv_path = Path(folder) / "patients.csv"
        lines = ["patient,date,protocol"]
        lines += [f"{p},{d.isoformat()},{pr}" for p, d, pr in rows(n)]
        csv_path.write_text("\n".join(lines) + "\n")
        content = CachedContent(ROOT)
        started = time.perf_counter()
        planned, bad = plan_rows(read_rows(csv_path), content)
        summary = run_rows(
            content,
            planned,
            bad,
            Path(folder) / "out",
            ledger=Ledger(Path(folder) / "data"),
            run="bench",
            by="bench",
            source="batch",
            workers=workers,
        )
        elapsed = time.perf_counter() - started
    assert summary.count(RowStatus.MADE) == n, summary.line()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "seconds": elapsed,
        "cpu": children.ru_utime + children.ru_stime,  # the workers' CPU time
        "peak_rss": peak_rss_mib(resource.RUSAGE_CHILDREN),
    }


def measure_growth(renders: int) -> dict[str, float]:
    import psutil

    from handouts.batch import pool
    from handouts.batch.outcome import RowStatus
    from handouts.batch.plan import plan_rows
    from handouts.batch.rows import read_rows
    from handouts.content.store import CachedContentStore as CachedContent

    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        csv_path = Path(folder) / "patients.csv"
        lines = ["patient,date,protocol"]
        lines += [f"{p},{d.isoformat()},{pr}" for p, d, pr in rows(renders)]
        csv_path.write_text("\n".join(lines) + "\n")
        content = CachedContent(ROOT)
        planned, _ = plan_rows(read_rows(csv_path), content)
        temp_root = Path(tempfile.mkdtemp(prefix="handouts-batch-", dir=folder))
        out = Path(folder) / "out"
        # The worker's own code, minus the pool: so this process is the worker,
        # with the private temporary folder the pool gives each of its workers.
        tempfile.tempdir = str(temp_root)
        pool._init_worker(content, out, pool.warm_pairs(planned))
        process = psutil.Process()
        samples = {}
        for number, this in enumerate(planned, start=1):
            assert pool._make_one(this).status is RowStatus.MADE
            if number in (1, 10, renders):
                samples[number] = process.memory_info().rss / MIB
    return {"rss_1": samples[1], "rss_10": samples[10], "rss_last": samples[renders]}


def run_child(*args: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=60, help="handouts per throughput run")
    parser.add_argument("--growth", type=int, default=500, help="renders for the RSS growth")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each throughput case")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, number, *rest = args.child
        if kind == "naive":
            result = measure_naive(int(number))
        elif kind == "batch":
            result = measure_batch(int(number), int(rest[0]))
        else:
            result = measure_growth(int(number))
        print(json.dumps(result))
        return

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    cases = {"naive WeasyPrint loop": ("naive",), "batch, 1 worker": ("batch", "1"),
             "batch, 2 workers": ("batch", "2")}  # fmt: skip
    results: dict[str, list[dict[str, float]]] = {name: [] for name in cases}
    for round_number in range(1, args.repeat + 1):
        print(f"Round {round_number}/{args.repeat}: {args.n} handouts per run ...", file=sys.stderr)
        for name, (kind, *workers) in cases.items():
            results[name].append(run_child(kind, str(args.n), *workers))
    print(f"Measuring RSS over {args.growth} renders in one worker ...", file=sys.stderr)
    growth = run_child("growth", str(args.growth))

    rates = {name: sorted(args.n / r["seconds"] for r in runs) for name, runs in results.items()}
    naive, one, two = (statistics.median(rates[name]) for name in cases)
    print(
        f"{args.n} personalised handouts per run, median of {args.repeat} runs; "
        f"CPUs: {_cpus()}; load average before: {load}"
    )
    print()
    print(
        "| run                   | handouts/s | (lowest-highest) | vs naive | vs 1 worker "
        "| CPU s/handout | peak RSS/process (MiB) |"
    )
    print(
        "|-----------------------|-----------:|-----------------:|---------:|------------:"
        "|--------------:|-----------------------:|"
    )
    for name in cases:
        rate, spread = statistics.median(rates[name]), rates[name]
        cpu = statistics.median(result["cpu"] for result in results[name]) / args.n
        rss = max(result["peak_rss"] for result in results[name])
        print(
            f"| {name:<21} | {rate:10.2f} | {spread[0]:7.2f}-{spread[-1]:<8.2f} "
            f"| {rate / naive:7.2f}x | {rate / one:10.2f}x | {cpu:13.3f} | {rss:22.0f} |"
        )
    grown = growth["rss_last"] - growth["rss_10"]
    print()
    print(
        f"One worker, {args.growth} renders: RSS {growth['rss_1']:.0f} MiB after the 1st, "
        f"{growth['rss_10']:.0f} after the 10th, {growth['rss_last']:.0f} after the last: "
        f"growth {grown:.1f} MiB (target < 10)"
    )
    print(
        f"Targets: batch (2 workers) >= 2.0x naive: {two / naive:.2f}x; "
        f"2 workers >= 1.7x 1 worker: {two / one:.2f}x"
    )


def _cpus() -> int:
    from handouts.batch.pool import default_workers

    return default_workers()


if __name__ == "__main__":
    main()
