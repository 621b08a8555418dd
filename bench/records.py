"""What keeping the record costs: a batch with and without the ledger, and searching a large one.

1. A day's list of N rows (default 200) made twice in one run, alternately
   with the ledger recording every handout (archived PDF, content version,
   record) and with recording switched off, each in a fresh output and data
   folder; the table gives the median of each and their ratio (target: the
   ledger adds at most 5%). Both keep the run and its rows in the ledger
   (the manifest is their export, and re-runs skip by them), so the ratio is
   the cost of archiving and recording the handouts themselves.
2. A ledger of M synthetic records (default 1,000,000; names, addresses,
   dates over five years, three clinics, four procedures), searched the way a
   manager does: part of a name or address, a date range, a clinic and
   procedure, and those together; p50 and p95 per kind (target: p95 under
   100 ms).
3. The content version recorded with every web handout (a hash of the
   protocol, translation, branding and template files): read and hashed
   every time, against kept and checked by each file's stamp; median per
   handout for each clinic.

    .venv/bin/python bench/records.py
    .venv/bin/python bench/records.py --rows 50 --records 100000 --repeat 1
    .venv/bin/python bench/records.py --rows 0 --records 0 --versions 200
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from handouts import service
from handouts.content.bundled import BUNDLED_ROOT
from handouts.content.store import CachedContentStore
from handouts.records import Ledger, Search

FIRST = [
    "Ana", "Bo", "Cy", "Dana", "Eli", "Farah", "Gus", "Hana", "Ivo", "Jun", "Kim", "Lea",
    "Mo", "Nia", "Oto", "Pia", "Quin", "Rae", "Sam", "Tao", "Uma", "Vic", "Wen", "Xia",
    "Yara", "Zoe", "Amira", "José", "Zoë", "Siobhán",
]  # fmt: skip
SYLLABLES = [
    "an", "bel", "cor", "da", "el", "fen", "gar", "hol", "is", "jor", "kel", "lin", "mar",
    "nor", "ol", "pen", "quo", "ros", "sil", "tor", "ul", "ven", "wes", "xan", "yor", "zel",
    "ber", "cha", "dun", "fal", "gri", "hav", "lo", "mu", "ne", "pi", "ra", "so", "ti", "vu",
]  # fmt: skip
CLINICS = ["harbourside", "magnolia", "northgate"]
PROTOCOLS = ["micropenning", "microneedling", "light-chemical-peel", "laser-resurfacing"]


def _surname(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize()


# -- 1. a batch with and without the ledger --------------------------------


def _batch_seconds(rows: int, folder: Path, record: bool, workers: int | None) -> float:
    csv_path = folder / "day.csv"
    rng = random.Random(7)
    lines = [
        f"{rng.choice(FIRST)} {_surname(rng)},2026-11-23,{PROTOCOLS[i % 2]},p{i}@example.com"
        for i in range(rows)
    ]
    csv_path.write_text("patient,date,protocol,email\n" + "\n".join(lines) + "\n", "utf-8")
    store = CachedContentStore(BUNDLED_ROOT)
    ledger = Ledger(folder / "data") if record else None
    request = service.BatchRequest(
        csv_path, folder / "out", workers=workers, record=record, today=dt.date(2026, 11, 21)
    )
    started = time.perf_counter()
    summary = service.run_batch(store, request, ledger=ledger)
    elapsed = time.perf_counter() - started
    assert summary.count(service.RowStatus.MADE) == rows, summary.lines()
    if ledger is not None:
        assert len(ledger.search(Search(per_page=rows + 1)).records) == rows
    return elapsed


def batch_table(rows: int, repeat: int, workers: int | None) -> tuple[list[str], float]:
    timings: dict[bool, list[float]] = {False: [], True: []}
    for turn in range(repeat):
        # Alternate which goes first, so a machine warming up favours neither.
        for record in (False, True) if turn % 2 == 0 else (True, False):
            with tempfile.TemporaryDirectory(prefix="bench-records-") as folder:
                timings[record].append(_batch_seconds(rows, Path(folder), record, workers))
    off, on = (statistics.median(timings[r]) for r in (False, True))
    return [
        f"| {rows}-row batch, recording off | {off:.2f} s | |",
        f"| {rows}-row batch, with the ledger | {on:.2f} s | {on / off:.3f}x "
        f"({(on / off - 1) * 100:+.1f}%) |",
    ], off


def recording_table(rows: int, batch_off: float) -> list[str]:
    """What the batch's recording step itself costs per row, timed alone.

    The batch's recorder runs in the parent for every made row: it reads the
    PDF, archives it, records it and looks up its delivery keys. Timed here
    on real PDFs without the renderer beside it, so a busy machine's noise in
    rendering does not hide it.
    """
    from handouts.batch.delivery import BatchGiver
    from handouts.batch.outcome import RowStatus

    with tempfile.TemporaryDirectory(prefix="bench-records-") as name:
        folder = Path(name)
        store = CachedContentStore(BUNDLED_ROOT)
        csv_path = folder / "day.csv"
        rng = random.Random(5)
        lines = [
            f"{rng.choice(FIRST)} {_surname(rng)},2026-11-23,{PROTOCOLS[i % 2]},p{i}@example.com"
            for i in range(rows)
        ]
        csv_path.write_text("patient,date,protocol,email\n" + "\n".join(lines) + "\n", "utf-8")
        request = service.BatchRequest(csv_path, folder / "out", today=dt.date(2026, 11, 21))
        plan = service.plan_batch(store, request)
        pdf = service.make_handout(store, plan.planned[0].request).data
        for planned in plan.planned:  # each row its own bytes, so each is archived
            target = folder / "out" / planned.output
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(pdf + planned.output.encode())
        giver = BatchGiver(
            store, Ledger(folder / "data"), folder / "out", by="bench", source="batch", run="r"
        )
        started = time.perf_counter()
        for planned in plan.planned:
            giver(planned, planned.outcome(RowStatus.MADE, pages=2))
        per_row = (time.perf_counter() - started) / len(plan.planned)
    share = per_row * rows / batch_off * 100
    return [
        f"| recording one row (archive, record, delivery keys), timed alone | "
        f"{per_row * 1000:.1f} ms | {rows} rows: {share:.1f}% of the batch without it |"
    ]


# -- 2. searching a large ledger -------------------------------------------


def fill(ledger: Ledger, records: int, rng: random.Random) -> list[tuple[str, str]]:
    """M synthetic handouts, written straight into the tables; returns (name, email) samples."""
    start = dt.datetime(2022, 1, 1, tzinfo=dt.UTC)
    span = 5 * 365 * 86400
    samples: list[tuple[str, str]] = []
    # One long transaction, not a million small ones.
    db = sqlite3.connect(ledger.path, isolation_level=None)
    db.execute("BEGIN")
    moments = sorted(rng.randrange(span) for _ in range(records))
    batch_size = 50_000
    for first in range(0, records, batch_size):
        handouts, texts = [], []
        for i in range(first, min(first + batch_size, records)):
            first_name, surname = rng.choice(FIRST), _surname(rng)
            name = f"{first_name} {surname}"
            email = f"{first_name.lower()}.{surname.lower()}{i % 97}@example.org"
            at = (start + dt.timedelta(seconds=moments[i])).isoformat(timespec="microseconds")
            handouts.append(
                (i + 1, at, "front", "web", rng.choice(CLINICS), rng.choice(PROTOCOLS), "en",
                 "2026-11-23", name, email, f"{i:064x}", "v", "reviewed")
            )  # fmt: skip
            texts.append((i + 1, name, email))
            if i % (records // 200 or 1) == 0:
                samples.append((name, email))
        db.executemany(
            "INSERT INTO handouts (id, made_at, made_by, source, clinic, protocol, language,"
            " procedure_date, patient, email, pdf_sha256, content_version, review_status)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            handouts,
        )
        db.executemany("INSERT INTO handout_text (rowid, patient, email) VALUES (?,?,?)", texts)
    db.execute("COMMIT")
    db.execute("ANALYZE")
    db.close()
    return samples


def _percentiles(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def search_table(records: int, queries: int) -> list[str]:
    rng = random.Random(11)
    lines = []
    with tempfile.TemporaryDirectory(prefix="bench-records-") as folder:
        ledger = Ledger(Path(folder))
        started = time.perf_counter()
        samples = fill(ledger, records, rng)
        lines.append(f"| fill {records:,} records | {time.perf_counter() - started:.0f} s | |")

        def day(year: int) -> dt.date:
            return dt.date(year, rng.randint(1, 12), rng.randint(1, 28))

        def month(since: dt.date) -> Search:
            return Search(since=since, until=since + dt.timedelta(days=30))

        kinds: dict[str, Callable[[], Search]] = {
            "whole name": lambda: Search(patient=rng.choice(samples)[0]),
            "part of a surname": lambda: Search(patient=rng.choice(samples)[0].split()[1][:5]),
            "part of an address": lambda: Search(patient=rng.choice(samples)[1].split("@")[0]),
            "date range (a month)": lambda: month(day(rng.randint(2022, 2026))),
            "clinic + procedure": lambda: Search(
                clinic=rng.choice(CLINICS), protocol=rng.choice(PROTOCOLS)
            ),
            "name + clinic + year": lambda: Search(
                patient=rng.choice(samples)[0].split()[1],
                clinic=rng.choice(CLINICS),
                since=dt.date(2024, 1, 1),
                until=dt.date(2024, 12, 31),
            ),
            "first name, page 3": lambda: Search(patient=rng.choice(FIRST) + " ", page=3),
        }
        for kind, make in kinds.items():
            times = []
            for _ in range(queries):
                search = make()
                started = time.perf_counter()
                ledger.search(search)
                times.append(time.perf_counter() - started)
            p50, p95 = _percentiles(times)
            verdict = "ok" if p95 < 100 else "OVER 100 ms"
            lines.append(f"| search: {kind} | p50 {p50:.1f} ms | p95 {p95:.1f} ms {verdict} |")
    return lines


# -- 3. the content version of each handout ---------------------------------


def versions_table(times: int) -> list[str]:
    from handouts.content.versions import content_fingerprint, uncached_fingerprint

    store = CachedContentStore(BUNDLED_ROOT)
    lines = []
    for clinic in store.clinic_ids():
        medians = []
        for version in (uncached_fingerprint, content_fingerprint):
            version(store, clinic, "micropenning")  # warm: imports, the kept version
            timings = []
            for _ in range(times):
                started = time.perf_counter()
                version(store, clinic, "micropenning")
                timings.append(time.perf_counter() - started)
            medians.append(statistics.median(timings) * 1000)
        read, kept = medians
        lines.append(f"| content version, {clinic}: every file read | {read:.2f} ms | |")
        lines.append(
            f"| content version, {clinic}: kept, files' stamps checked | {kept:.2f} ms "
            f"| {read / kept:.1f}x faster |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=200, help="rows in the batch (0: skip)")
    parser.add_argument("--repeat", type=int, default=2, help="batch runs of each kind")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument(
        "--records", type=int, default=1_000_000, help="records to search (0: skip)"
    )
    parser.add_argument("--queries", type=int, default=200, help="searches of each kind")
    parser.add_argument(
        "--versions", type=int, default=200, help="content versions timed (0: skip)"
    )
    args = parser.parse_args()
    print("| what | time | compared |")
    print("|---|---|---|")
    if args.rows:
        lines, off = batch_table(args.rows, args.repeat, args.workers)
        for line in [*lines, *recording_table(args.rows, off)]:
            print(line, flush=True)
    if args.records:
        for line in search_table(args.records, args.queries):
            print(line, flush=True)
    if args.versions:
        for line in versions_table(args.versions):
            print(line, flush=True)


if __name__ == "__main__":
    main()
