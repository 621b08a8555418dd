"""A real batch, stopped by a real signal, leaves only whole PDFs and no temp files."""

from __future__ import annotations

import csv
import io
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from pypdf import PdfReader

from handouts.content.bundled import BUNDLED_ROOT as PROJECT_ROOT
from handouts.records import Ledger

ROWS = 30


def start_batch(tmp_path: Path) -> tuple[subprocess.Popen[bytes], Path, Path]:
    patients = tmp_path / "patients.csv"
    lines = ["patient,date,protocol"]
    lines += [f"Patient {i},2026-11-{i % 28 + 1:02d},microneedling" for i in range(ROWS)]
    patients.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out"
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "TMPDIR": str(temp)}
    command = [
        sys.executable,
        str(PROJECT_ROOT / "generate.py"),
        "batch",
        str(patients),
        "--dates-ok",
    ]
    process = subprocess.Popen(
        [*command, "-o", str(out), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 90
    while not list(out.glob("*.pdf")):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "no handout appeared"
        time.sleep(0.02)
    return process, out, temp


def paused(process: subprocess.Popen[bytes]) -> psutil.Process:
    """Stop the batch's parent, so it hands out no more work until it is sent SIGCONT.

    The workers finish at most the jobs already handed to them (two each), so
    with 30 rows a signal sent now always lands with most rows still to make,
    however fast this machine renders.
    """
    parent = psutil.Process(process.pid)
    parent.suspend()
    return parent


def assert_only_whole_pdfs(out: Path, temp: Path) -> list[Path]:
    leftovers = [p for p in out.rglob("*") if p.suffix != ".pdf" and p.name != "manifest.csv"]
    assert leftovers == []
    pdfs = sorted(out.glob("*.pdf"))
    for pdf in pdfs:
        reader = PdfReader(pdf, strict=True)
        assert len(reader.pages) >= 1
        assert "Patient" in "".join(page.extract_text() for page in reader.pages)
    assert list(temp.iterdir()) == [], "temporary files or folders left behind"
    return pdfs


def manifest_rows(out: Path) -> list[dict[str, str]]:
    text = (out / "manifest.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_sigterm_stops_cleanly(tmp_path: Path) -> None:
    process, out, temp = start_batch(tmp_path)
    parent = paused(process)
    workers = parent.children()
    process.send_signal(signal.SIGTERM)  # waits, pending, until the parent runs again
    parent.resume()
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM, stderr
    assert b"stopped by SIGTERM" in stderr
    psutil.wait_procs(workers, timeout=10)
    assert not any(w.is_running() for w in workers)

    pdfs = assert_only_whole_pdfs(out, temp)
    assert 0 < len(pdfs) < ROWS, "the batch was not stopped midway"
    rows = manifest_rows(out)
    assert [int(r["row"]) for r in rows] == list(range(2, ROWS + 2))  # complete, in row order
    made = {r["output"] for r in rows if r["status"] == "made"}
    assert made == {p.name for p in pdfs}
    assert {r["status"] for r in rows} == {"made", "interrupted"}
    assert all("run the batch again" in r["error"] for r in rows if r["status"] == "interrupted")


def test_sigkill_leaves_whole_pdfs_and_a_rerun_finishes(tmp_path: Path, data_folder: Path) -> None:
    process, out, temp = start_batch(tmp_path)
    workers = paused(process).children()
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    # Orphaned workers finish the file they are writing, clean up and leave.
    _, alive = psutil.wait_procs(workers, timeout=15)
    assert alive == []

    pdfs = assert_only_whole_pdfs(out, temp)
    assert len(pdfs) < ROWS, "the batch was not stopped midway"
    # Killed outright, the run's manifest claims nothing; the record keeps each row it
    # finished, as it finished it, and the re-run trusts that.
    assert manifest_rows(out) == []
    ledger = Ledger(data_folder)
    killed = ledger.latest_run(out)
    assert killed is not None
    recorded = {r.output for r in ledger.run_rows(killed) if r.status == "made"}
    assert recorded <= {p.name for p in pdfs}

    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "TMPDIR": str(temp)}
    again = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "generate.py"), *process.args[2:]],  # type: ignore[index]
        env=env,
        capture_output=True,
        check=False,
        timeout=300,
    )
    assert again.returncode == 0, again.stderr
    # The kill may land before the parent has recorded any row; the rerun then
    # makes every row again and mentions nothing already made.
    summary = again.stdout.decode()
    assert re.match(rf"{ROWS - len(recorded)} handouts? made", summary), summary
    if recorded:
        assert f" made, {len(recorded)} already made and unchanged (" in summary
    else:
        assert "already made" not in summary
    assert b"failed" not in again.stdout
    assert_only_whole_pdfs(out, temp)
    rows = manifest_rows(out)
    assert len(rows) == ROWS and all(r["status"] in ("made", "skipped") for r in rows)
    assert len(list(out.glob("*.pdf"))) == ROWS


@pytest.mark.parametrize("signum", [signal.SIGINT])
def test_ctrl_c_to_the_whole_group_stops_cleanly(tmp_path: Path, signum: int) -> None:
    """A terminal's Ctrl-C reaches the parent and every worker at once."""
    process, out, temp = start_batch(tmp_path)
    parent = paused(process)
    workers = parent.children()
    for each in [parent, *workers]:
        each.send_signal(signum)
    parent.resume()
    process.communicate(timeout=60)
    assert process.returncode == 128 + signum
    psutil.wait_procs(workers, timeout=10)
    assert_only_whole_pdfs(out, temp)
