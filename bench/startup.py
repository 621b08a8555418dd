#!/usr/bin/env python3
"""How long a command takes to start and finish, as whole processes, against WeasyPrint's own.

Front-desk staff run one command per patient, so a cold process is the real
cost. Each case runs ``--repeat`` times, the cases interleaved so that a busy
spell on the machine hits them alike; the table gives each case's median wall
time and its ratio to the case it is compared with (the targets are on wall
time; the CPU time beside it moves less when the machine is busy):

- ``handouts list`` against ``python -c "import weasyprint"`` (target: at most
  0.35x; listing content must not load the PDF engine at all);
- ``handouts handout`` (one personalised PDF) against the ``weasyprint`` command
  on the same page as standalone HTML (target: at most 1.15x).

Usage: .venv/bin/python bench/startup.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
HANDOUT_ARGS = ["handout", "micropenning", "--patient", "Sam Lee", "--date", "2026-11-22"]
TARGETS = {"handouts list": 0.35, "handouts handout": 1.15}


def cases(folder: Path) -> dict[str, list[str]]:
    handouts = str(BIN / "handouts")
    html = folder / "page.html"
    subprocess.run(
        [handouts, *HANDOUT_ARGS, "--format", "html", "-o", str(html)],
        check=True,
        capture_output=True,
    )
    return {
        "handouts list": [handouts, "list"],
        "import weasyprint": [sys.executable, "-c", "import weasyprint"],
        "handouts handout": [handouts, *HANDOUT_ARGS, "-o", str(folder / "ours.pdf")],
        "weasyprint command": [str(BIN / "weasyprint"), str(html), str(folder / "theirs.pdf")],
    }


def timed(argv: list[str]) -> tuple[float, float]:
    """Wall time, and the CPU time (user + system) the process and its children used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs per case (median taken)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as name:
        folder = Path(name)
        commands = cases(folder)
        times: dict[str, list[float]] = {case: [] for case in commands}
        cpu: dict[str, list[float]] = {case: [] for case in commands}
        for argv in commands.values():
            # Once unmeasured, so every case starts with warm file caches (and
            # the compiled templates kept, as after a clinic's first handout).
            timed(argv)
        for _ in range(args.repeat):
            for case, argv in commands.items():
                wall, used = timed(argv)
                times[case].append(wall)
                cpu[case].append(used)
    median = {case: statistics.median(values) for case, values in times.items()}
    cpu_median = {case: statistics.median(values) for case, values in cpu.items()}
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(
        f"Whole-process wall time, median of {args.repeat} interleaved runs; CPUs: "
        f"{os.cpu_count()}; load average after: {load}\n"
    )
    print(
        "| command              | median (s) | (lowest-highest) | ratio | target   "
        "| CPU (s) | CPU ratio |"
    )
    print(
        "|----------------------|-----------:|-----------------:|------:|---------:"
        "|--------:|----------:|"
    )
    pairs = {"handouts list": "import weasyprint", "handouts handout": "weasyprint command"}
    for case, values in times.items():
        ratio = target = cpu_ratio = ""
        if case in pairs:
            ratio = f"{median[case] / median[pairs[case]]:.2f}x"
            target = f"<= {TARGETS[case]:.2f}x"
            cpu_ratio = f"{cpu_median[case] / cpu_median[pairs[case]]:.2f}x"
        spread = f"{min(values):.2f}-{max(values):.2f}"
        print(
            f"| {case:<20} | {median[case]:>10.3f} | {spread:>16} | {ratio:>5} | {target:>8} "
            f"| {cpu_median[case]:>7.3f} | {cpu_ratio:>9} |"
        )
    print()
    for case, other in pairs.items():
        ratio = median[case] / median[other]
        verdict = "met" if ratio <= TARGETS[case] else "NOT met"
        print(f"{case} vs {other}: {ratio:.2f}x (target <= {TARGETS[case]:.2f}x): {verdict}")


if __name__ == "__main__":
    main()
