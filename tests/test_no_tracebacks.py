"""Inputs that once gave a traceback: each is now exit 1 (2 for usage) and one clear message.

Run as a real process, so what a user sees on stderr is what is checked.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SEED = "protocols/micropenning.yaml"


def handouts(*args: str | bytes, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "handouts", *args], capture_output=True, cwd=cwd, check=False
    )


def edit_seed(root: Path, old: str, new: str) -> None:
    path = root / SEED
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


@pytest.mark.parametrize(
    ("edit", "says"),
    [
        (("interval: {months: 1}", "interval: {months: 200000}"), b"must be 120 or less"),
        (("from_day: 8", "from_day: 3000000"), b"must be 3650 or less"),
        (("title: ", "title: " + "[" * 2000), b"nest"),
    ],
)
@pytest.mark.parametrize("command", ["validate", "handout"])
def test_protocol_values_out_of_range(
    root: Path, tmp_path: Path, edit: tuple[str, str], says: bytes, command: str
) -> None:
    edit_seed(root, *edit)
    args = (
        ["validate"]
        if command == "validate"
        else ["handout", "micropenning", "--date", "2026-11-22", "--yes"]
    )
    result = handouts("--root", str(root), *args, cwd=tmp_path)
    assert result.returncode == 1
    assert says in result.stderr + result.stdout
    assert b"Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("date", "says"),
    [("9999-12-31", b"outside the years"), ("", b"is not a date in the form YYYY-MM-DD")],
)
def test_procedure_dates(tmp_path: Path, date: str, says: bytes) -> None:
    result = handouts("handout", "micropenning", "--patient", "Ana", "--date", date, cwd=tmp_path)
    assert result.returncode == 1
    assert says in result.stderr
    assert b"Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_name_that_is_not_utf8(tmp_path: Path) -> None:
    result = handouts(
        "handout",
        "micropenning",
        "--patient",
        b"\xff\xfe",
        "--date",
        "2026-11-22",
        "--yes",
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert b"not valid UTF-8" in result.stderr and b"Traceback" not in result.stderr


def test_a_csv_cell_over_128_kib(tmp_path: Path) -> None:
    patients = tmp_path / "day.csv"
    patients.write_text(
        f"patient,date,protocol\nAna,2026-11-22,micropenning\n{'x' * 140_000},2026-11-22,x\n",
        encoding="utf-8",
    )
    result = handouts("batch", str(patients), "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 1
    assert b"row 3: cannot be read" in result.stderr
    assert b"Traceback" not in result.stderr
