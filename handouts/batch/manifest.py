"""``manifest.csv``: one line per row of the last run, readable in a spreadsheet.

An export: what each row's handout is, and (from the ledger's delivery keys)
to whom it was delivered; it never decides what is emailed or printed. A
re-run reads it only to skip handouts already made from identical inputs, so
it is appended to as results arrive (a killed batch keeps what it made) and
rewritten atomically in row order at the end.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
from pathlib import Path
from typing import IO

from ..cells import safe_cell
from ..private_files import open_private, write_atomic
from .outcome import Outcome, RowStatus, channels_text
from .plan import Job

MANIFEST_NAME = "manifest.csv"  # the service names it too, for front ends
MANIFEST_COLUMNS = (
    "row",
    "patient",
    "reference",
    "service",
    "status",
    "output",
    "pages",
    "bytes",
    "sha256",
    "error",
    "delivered",
    "delivery_problems",
    "inputs_sha256",
)


def manifest_line(outcome: Outcome) -> list[str]:
    return [
        str(outcome.row),
        outcome.patient,
        outcome.reference,
        outcome.service,
        outcome.status.value,
        outcome.output,
        "" if outcome.pages is None else str(outcome.pages),
        "" if outcome.size is None else str(outcome.size),
        outcome.sha256,
        outcome.error,
        channels_text(outcome.delivered),
        "; ".join(outcome.delivery_problems),
        outcome.inputs_hash,
    ]


def read_manifest(path: Path) -> dict[str, dict[str, str]]:
    """Previous results by output path; unreadable lines are ignored.

    A batch killed with SIGKILL can leave a last line cut short; such a line
    only means that row is made again.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    previous = {}
    made = (RowStatus.MADE.value, RowStatus.SKIPPED.value)
    for record in csv.DictReader(io.StringIO(text, newline="")):
        hashes = (record.get("inputs_sha256") or "", record.get("sha256") or "")
        complete = all(len(value) == 64 for value in hashes)
        if complete and record.get("status") in made and record.get("output"):
            previous[record["output"]] = record
    return previous


def _csv_line(values: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(map(safe_cell, values))
    return buffer.getvalue()


class ManifestWriter:
    """Appends a line per result as it arrives, then rewrites all in row order.

    The running file keeps what a killed batch had made (and the input hashes
    needed to skip it next time); the final rewrite is atomic.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        # Never through a link planted in the folder, never onto a device.
        handle = open_private(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        self._stream: IO[str] = os.fdopen(handle, "w", encoding="utf-8", newline="")
        self._stream.write(_csv_line(list(MANIFEST_COLUMNS)))
        self._stream.flush()

    def add(self, outcome: Outcome) -> None:
        self._stream.write(_csv_line(manifest_line(outcome)))
        self._stream.flush()

    def finish(self, outcomes: list[Outcome]) -> None:
        self._stream.close()
        lines = [_csv_line(list(MANIFEST_COLUMNS))]
        lines += [_csv_line(manifest_line(o)) for o in sorted(outcomes, key=lambda o: o.row)]
        write_atomic(self.path, "".join(lines).encode("utf-8"))

    def close(self) -> None:
        self._stream.close()


def _file_sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def already_made(job: Job, out_dir: Path, previous: dict[str, dict[str, str]]) -> Outcome | None:
    """A 'skipped' outcome if the file exists, unchanged, from identical inputs."""
    record = previous.get(job.output)
    if record is None or record["inputs_sha256"] != job.inputs_hash:
        return None
    target = out_dir / job.output
    if _file_sha256(target) != record["sha256"]:
        return None  # missing, or changed since we made it
    return Outcome(
        job.row,
        RowStatus.SKIPPED,
        job.output,
        pages=int(record["pages"]) if record.get("pages", "").isdigit() else None,
        size=target.stat().st_size,
        sha256=record["sha256"],
        inputs_hash=job.inputs_hash,
    )
