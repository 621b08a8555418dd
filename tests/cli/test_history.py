"""`handouts history list/copy/purge` over a real ledger in the test's data folder."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from click.testing import CliRunner

from handouts.cli import main
from handouts.records import Ledger, NewHandout
from handouts.request import HandoutRequest

NOW = dt.datetime.now(dt.UTC)


def _record(ledger: Ledger, patient: str, made_at: dt.datetime, pdf: bytes) -> int:
    ledger.clock = lambda: made_at
    sha = ledger.archive.put(pdf)
    request = HandoutRequest(
        "micropenning",
        "magnolia",
        patient,
        dt.date(2026, 11, 23),
        language="en",
        email=f"{patient.split(maxsplit=1)[0].lower()}@example.com",
    )
    return ledger.record_handout(NewHandout(request, "amira", "web", sha, "v" * 64, "reviewed"))


def run(*args: str, **env: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["history", *args], env=env)
    return result.exit_code, result.output


def test_list_finds_by_patient_and_by_day(data_folder: Path) -> None:
    ledger = Ledger(data_folder)
    assert run("list") == (0, "No handouts recorded that match.\n")
    _record(ledger, "Ana Silva", NOW - dt.timedelta(days=3), b"%PDF ana")
    sam = _record(ledger, "Sam Lee", NOW, b"%PDF sam")
    code, output = run("list", "--patient", "SAM")
    assert code == 0 and "Sam Lee" in output and "Ana Silva" not in output
    code, output = run("list", "--json", "--since", NOW.astimezone().date().isoformat())
    (listed,) = json.loads(output)
    assert listed["id"] == sam and listed["email"] == "sam@example.com"
    assert listed["review_status"] == "reviewed" and listed["deliveries"] == []
    until = (NOW - dt.timedelta(days=2)).astimezone().date().isoformat()
    code, output = run("list", "--until", until)
    assert "Ana Silva" in output and "Sam Lee" not in output
    assert run("list", "--since", "22/11/2026")[0] == 2  # one unambiguous way to write a day


def test_copy_writes_the_archived_bytes(data_folder: Path, tmp_path: Path) -> None:
    handout = _record(Ledger(data_folder), "Ana Silva", NOW, b"%PDF-1.7 exactly these bytes")
    target = tmp_path / "copy.pdf"
    code, output = run("copy", str(handout), "-o", str(target))
    assert code == 0, output
    assert target.read_bytes() == b"%PDF-1.7 exactly these bytes"
    assert target.stat().st_mode & 0o777 == 0o600
    code, output = run("copy", "999", "-o", str(target))
    assert code == 1 and "no handout 999" in output


def test_purge_removes_only_records_older_than_the_limit(data_folder: Path) -> None:
    ledger = Ledger(data_folder)
    old = _record(ledger, "Old Person", NOW - dt.timedelta(days=40), b"%PDF old")
    new = _record(ledger, "New Person", NOW - dt.timedelta(days=20), b"%PDF new")
    upload = data_folder / "uploads" / "list.csv"
    upload.parent.mkdir()
    upload.write_text("patient\nOld Person\n", encoding="utf-8")
    forty_days_ago = (NOW - dt.timedelta(days=40)).timestamp()
    os.utime(upload, (forty_days_ago, forty_days_ago))
    old_day = data_folder / "batches" / (NOW - dt.timedelta(days=40)).date().isoformat()
    new_day = data_folder / "batches" / (NOW - dt.timedelta(days=20)).date().isoformat()
    for folder in (old_day, new_day):
        folder.mkdir(parents=True)
        (folder / "manifest.csv").write_text("row\n", encoding="utf-8")
    recent = upload.with_name("recent.csv")
    recent.write_text("patient\nNew Person\n", encoding="utf-8")
    assert run("purge")[0] == 2  # no limit given or set
    code, output = run("purge", "--older-than", "30")
    assert code == 0, output
    assert "1 handout records and 0 delivery records" in output
    assert "1 archived PDFs" in output and "1 uploaded lists" in output
    assert not upload.exists() and recent.exists()
    assert "1 day's list folders" in output
    assert not old_day.exists() and new_day.exists()
    assert ledger.handout(old) is None and ledger.handout(new) is not None
    code, output = run("purge", HANDOUTS_KEEP_DAYS="10")
    assert code == 0 and "made more than 10 days ago" in output
    assert ledger.handout(new) is None
