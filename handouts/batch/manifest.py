"""``manifest.csv``: a batch run's rows in the ledger, exported for a spreadsheet.

The ledger keeps every row of a run as it happens (``records.runs``), the
rows that failed before anything was made included; this module only writes
them out, through ``cells.safe_cell`` so that no cell runs as a formula. It
decides nothing: what is emailed or printed is the ledger's delivery keys,
and what a re-run skips is the ledger's record of what was made into the
folder (``already_made``), never this file. The export is written when the
run starts (the header, so a run killed outright leaves a manifest that
claims nothing), and again, atomically, when it ends or is stopped.
"""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

from ..cells import safe_cell
from ..private_files import write_atomic
from ..records import Ledger, RunRow
from .outcome import Outcome, RowStatus, channels_text
from .plan import PlannedRow

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
# A row whose file a re-run may keep, in the words the ledger stores.
_HAS_FILE = (RowStatus.MADE.value, RowStatus.SKIPPED.value)


def manifest_line(row: RunRow) -> list[str]:
    return [
        str(row.row),
        row.patient,
        row.reference,
        row.service,
        row.status,
        row.output,
        "" if row.pages is None else str(row.pages),
        "" if row.size is None else str(row.size),
        row.sha256,
        row.error,
        channels_text(row.delivered),
        "; ".join(row.problems),
        row.inputs_hash,
    ]


def _csv_line(values: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(map(safe_cell, values))
    return buffer.getvalue()


def write_manifest(path: Path, rows: list[RunRow]) -> None:
    """The export, atomically and owner-only (never through a link planted in the folder)."""
    lines = [_csv_line(list(MANIFEST_COLUMNS))]
    lines += [_csv_line(manifest_line(row)) for row in sorted(rows, key=lambda r: r.row)]
    write_atomic(path, "".join(lines).encode("utf-8"))


def export_run(ledger: Ledger, run: str, out_dir: Path) -> Path:
    """Write ``out_dir/manifest.csv`` from the ledger's rows of ``run``."""
    path = out_dir / MANIFEST_NAME
    write_manifest(path, ledger.run_rows(run))
    return path


def run_row(outcome: Outcome, holders: tuple[int, ...] = ()) -> RunRow:
    """What the ledger keeps of one row's outcome."""
    return RunRow(
        row=outcome.row,
        status=outcome.status.value,
        handout_id=outcome.handout_id,
        patient=outcome.patient,
        reference=outcome.reference,
        service=outcome.service,
        output=outcome.output,
        pages=outcome.pages,
        size=outcome.size,
        sha256=outcome.sha256,
        inputs_hash=outcome.inputs_hash,
        error=outcome.error,
        holders=holders or outcome.holders,
        problems=outcome.delivery_problems,
    )


def _file_sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def already_made(ledger: Ledger, planned: PlannedRow, out_dir: Path) -> Outcome | None:
    """A 'skipped' outcome if an earlier run into this folder made the file from
    identical inputs, and it is still there unchanged."""
    earlier = ledger.last_made(out_dir, planned.output, _HAS_FILE)
    if earlier is None or earlier.inputs_hash != planned.inputs_hash or len(earlier.sha256) != 64:
        return None
    target = out_dir / planned.output
    if _file_sha256(target) != earlier.sha256:
        return None  # missing, or changed since we made it
    return planned.outcome(
        RowStatus.SKIPPED,
        pages=earlier.pages,
        size=target.stat().st_size,
        sha256=earlier.sha256,
    )
