"""Writes never follow a link or replace anything but a regular file, nor leave half a file."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from handouts.cli import main
from handouts.content.file_names import default_filename
from handouts.errors import InputError
from handouts.private_files import write_atomic
from handouts.records.ledger import Ledger

HANDOUT = ["handout", "micropenning", "--patient", "Ana Silva", "--date", "2026-11-22", "--yes"]


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    path = tmp_path / "victim.txt"
    path.write_text("keep me", "utf-8")
    path.chmod(0o644)
    return path


def assert_untouched(victim: Path) -> None:
    assert victim.read_text("utf-8") == "keep me"
    assert victim.stat().st_mode & 0o777 == 0o644


def test_output_onto_a_symlink_is_refused(tmp_path: Path, victim: Path) -> None:
    link = tmp_path / "handout.pdf"
    link.symlink_to(victim)
    result = CliRunner().invoke(main, [*HANDOUT, "-o", str(link)])
    assert result.exit_code == 1
    assert "symbolic link" in result.output and "Traceback" not in result.output
    assert link.is_symlink()
    assert_untouched(victim)


@pytest.mark.parametrize("target", ["/dev/null", "folder"])
def test_output_onto_a_device_or_folder_is_refused(tmp_path: Path, target: str) -> None:
    path = Path(target) if target.startswith("/") else tmp_path / target
    if not path.is_absolute() or not path.exists():
        path.mkdir()
    before = path.stat()
    result = CliRunner().invoke(main, [*HANDOUT, "-o", str(path)])
    assert result.exit_code in (1, 2)  # click itself refuses a folder as a usage error
    assert "Traceback" not in result.output
    after = path.stat()
    assert (after.st_ino, after.st_mode) == (before.st_ino, before.st_mode)


def test_write_atomic_refuses_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        write_atomic(fifo, b"data")


def test_a_manifest_planted_as_a_symlink_is_refused(tmp_path: Path, victim: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.csv").symlink_to(victim)
    patients = tmp_path / "day.csv"
    patients.write_text("patient,date,protocol\nAna Silva,2026-11-22,micropenning\n", "utf-8")
    result = CliRunner().invoke(main, ["batch", str(patients), "-o", str(out), "--workers", "1"])
    assert result.exit_code == 1
    assert "manifest.csv: is a symbolic link" in result.output
    assert_untouched(victim)


def test_eml_onto_the_pdf_is_a_usage_error(tmp_path: Path) -> None:
    pdf = tmp_path / "a.pdf"
    args = [*HANDOUT, "-o", str(pdf), "--email", "ana@example.com", "--eml", str(pdf)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "same file" in result.output
    assert not pdf.exists()


def test_eml_onto_the_default_pdf_name_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    eml = Path("out") / default_filename(
        "harbourside", "micropenning", __import__("datetime").date(2026, 11, 22), "Ana Silva", "pdf"
    )
    result = CliRunner().invoke(main, [*HANDOUT, "--email", "ana@example.com", "--eml", str(eml)])
    assert result.exit_code == 2
    assert not eml.exists()


def small_files() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))


def test_a_file_too_large_for_the_disk_names_the_file(tmp_path: Path) -> None:
    """RLIMIT_FSIZE makes the write fail as a full disk would (EFBIG instead of ENOSPC)."""
    target = tmp_path / "big.pdf"
    code = (
        "from pathlib import Path; from handouts.private_files import write_atomic; "
        f"write_atomic(Path({str(target)!r}), b'x' * 100_000)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        preexec_fn=small_files,
        check=False,
    )
    assert result.returncode != 0
    assert str(target) in result.stderr and "File too large" in result.stderr
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind


def ledger_sized_files() -> None:
    # Room for the ledger's write-ahead log and its 32 KiB shared-memory index,
    # not for the fonts the renderer writes to its temporary folder.
    resource.setrlimit(resource.RLIMIT_FSIZE, (128 * 1024, 128 * 1024))


def test_a_full_temporary_folder_names_it(tmp_path: Path, data_folder: Path) -> None:
    # The ledger already exists (as after a clinic's first handout), so the first
    # write to fail is the renderer's temporary files, not the ledger's creation.
    Ledger(data_folder).close()
    result = subprocess.run(
        [sys.executable, "-m", "handouts", *HANDOUT, "-o", str(tmp_path / "a.pdf")],
        capture_output=True,
        text=True,
        preexec_fn=ledger_sized_files,
        check=False,
    )
    assert result.returncode == 1
    assert "temporary files for the PDF): File too large" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_full_disk_under_a_new_ledger_names_it(tmp_path: Path, data_folder: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "handouts", *HANDOUT, "-o", str(tmp_path / "a.pdf")],
        capture_output=True,
        text=True,
        preexec_fn=small_files,
        check=False,
    )
    assert result.returncode == 1
    ledger = data_folder / "records.sqlite3"
    assert f"{ledger}: cannot be written (" in result.stderr
    assert f"the disk holding {data_folder} may be full" in result.stderr
    assert "restored" not in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "a.pdf").exists()


@pytest.fixture
def full_disk(tmp_path: Path):
    """A 64 KiB tmpfs: too small for a handout. Needs the right to mount."""
    folder = tmp_path / "small"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here")
    yield folder
    subprocess.run(["umount", str(folder)], check=True)


def test_a_full_disk_is_one_line_naming_the_file(full_disk: Path) -> None:
    target = full_disk / "a.pdf"
    (full_disk / "filler").write_bytes(b"x" * 40_000)
    result = subprocess.run(
        [sys.executable, "-m", "handouts", *HANDOUT, "-o", str(target)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert f"Error: {target}: No space left on device" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in full_disk.iterdir()) == ["filler"]
