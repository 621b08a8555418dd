"""How long reading and planning a day's export takes, next to making its handouts.

Writes an export of N rows (names, dates with times, services with and
without a protocol, cancelled rows) in three layouts, reads and plans each
several times, and prints a table. No handout is rendered: the point is that
recognising columns, names and dates costs little beside the ~0.15 s a
handout takes to render (see bench/throughput.py).

    .venv/bin/python bench/reading.py --rows 2000 --repeat 5
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from handouts.batch.plan import plan_rows
from handouts.batch.rows import read_rows
from handouts.content.bundled import BUNDLED_ROOT
from handouts.content.store import CachedContentStore

SERVICES = ["Micro-Needling", "Botox", "micropenning", "Collagen Induction Therapy", "Consultation"]
LAYOUTS = {
    "plain ids, ISO dates": (
        "patient,date,protocol,clinic\n",
        lambda i, d, s: f"Patient {i},{d:%Y-%m-%d},{s},magnolia\n",
    ),
    "booking export, US date+time": (
        "Appointments report\n\nClient Name,Appointment ID,Date & Time,Service,Location,Status\n",
        lambda i, d, s: (
            f"Patient {i},A-{i},{d:%m/%d/%Y} 9:30 AM,{s},Magnolia Dermatology & Laser,"
            f"{'Cancelled' if i % 17 == 0 else 'Booked'}\n"
        ),
    ),
    "European Excel, names apart": (
        "\ufeffFirst Name;Last Name;Centre;Service;Date;Time\r\n",
        lambda i, d, s: f"Pat;Ient {i};Harbourside Skin Clinic;{s};{d:%d/%m/%Y};14:00\r\n",
    ),
}


def write(folder: Path, name: str, rows: int) -> Path:
    header, line = LAYOUTS[name]
    day = dt.date(2026, 11, 23)
    text = header + "".join(line(i, day, SERVICES[i % len(SERVICES)]) for i in range(rows))
    path = folder / f"{abs(hash(name))}.csv"
    path.write_text(text, encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"{args.rows} rows per export, median of {args.repeat} runs\n")
    print(
        "| export                        | read ms | plan ms | rows/s (read+plan) "
        "| vs plain ids | jobs |"
    )
    print(
        "|-------------------------------|--------:|--------:|-------------------:"
        "|-------------:|-----:|"
    )
    baseline: float | None = None
    with tempfile.TemporaryDirectory() as tmp:
        for name in LAYOUTS:
            path = write(Path(tmp), name, args.rows)
            reads, plans, jobs = [], [], 0
            for _ in range(args.repeat):
                content = CachedContentStore(BUNDLED_ROOT)  # a fresh cache, as each batch has
                started = time.perf_counter()
                rows = read_rows(path)
                read_done = time.perf_counter()
                planned, _ = plan_rows(rows, content, today=dt.date(2026, 11, 23))
                reads.append(read_done - started)
                plans.append(time.perf_counter() - read_done)
                jobs = len(planned)
            read_ms, plan_ms = statistics.median(reads) * 1e3, statistics.median(plans) * 1e3
            rate = args.rows / ((read_ms + plan_ms) / 1e3)
            baseline = baseline or rate  # the first layout: plain ids, ISO dates
            print(
                f"| {name:<29} | {read_ms:7.1f} | {plan_ms:7.1f} | {rate:18.0f} "
                f"| {rate / baseline:11.2f}x | {jobs:4d} |"
            )


if __name__ == "__main__":
    main()
