"""The batch command end to end: handouts, manifest, resume, --force, temp files."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from pypdf import PdfReader

from handouts.cli import main
from handouts.content.bundled import BUNDLED_ROOT as PROJECT_ROOT
from tests.support.content import copy_content

# What a spreadsheet in a decimal-comma locale exports: BOM, semicolons, CRLF,
# columns in its own order and case, extra columns, a padding row at the end.
SPREADSHEET = (
    "\ufeffDate;Patient;PROTOCOL;Clinic;E-mail;Email;Notes\r\n"
    "2026-11-22;Jane Doe;microneedling;;x;jane@example.org;first\r\n"
    "2026-11-22;Jane Doe;microneedling;;;;same name, same day\r\n"
    "2026-11-23;Zoë Ünal-Øster;micropenning;magnolia;;;\r\n"
    "11/22/2026;Bad Date;microneedling;;;;\r\n"
    "2026-11-24;李小龍;microneedling;;;;\r\n"
    "2026-11-25;Bad Protocol;microneeding;;;;\r\n"
    '2026-11-26;"Doe; John";micropenning;harbourside;;;\r\n'
    "2026-11-27;.hidden/../name;microneedling;magnolia;;;\r\n"
    ";;;;;;\r\n"
)
GOOD_ROWS = [2, 3, 4, 6, 8, 9]
BAD_ROWS = {5: "not a date written day/month/year", 7: "Unknown protocol 'microneeding'"}
NAMES = ["Jane Doe", "Zoë", "Bad Date", "李小龍", "Bad Protocol", "John", "hidden"]


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The system temp dir for this test, so leftovers are ours to see."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def manifest(out: Path) -> dict[int, dict[str, str]]:
    text = (out / "manifest.csv").read_text(encoding="utf-8")
    return {int(r["row"]): r for r in csv.DictReader(io.StringIO(text, newline=""))}


def write_spreadsheet(path: Path) -> Path:
    path.write_bytes(SPREADSHEET.encode("utf-8"))
    return path


def test_spreadsheet_export_makes_good_rows_and_reports_bad_ones(
    tmp_path: Path, private_tmp: Path
) -> None:
    patients = write_spreadsheet(tmp_path / "patients.csv")
    out = tmp_path / "out"
    result = run("batch", str(patients), "-o", str(out), "--workers", "2")

    assert result.exit_code == 1
    assert "6 handouts made, 2 rows failed" in result.stdout
    assert "Row 5 failed: date: '11/22/2026' is not a date written day/month/year" in result.stdout
    assert "row 5: failed: date: '11/22/2026'" in result.stderr
    assert "row 7: failed: protocol: Unknown protocol 'microneeding'" in result.stderr
    # Health data stays out of the terminal at default verbosity.
    for name in NAMES:
        assert name not in result.output

    rows = manifest(out)
    assert sorted(rows) == sorted(GOOD_ROWS + list(BAD_ROWS))
    for number, reason in BAD_ROWS.items():
        assert rows[number]["status"] == "failed"
        assert reason in rows[number]["error"]
        assert rows[number]["output"] == ""
    pdfs = sorted(p.name for p in out.glob("*.pdf"))
    assert pdfs == sorted(rows[n]["output"] for n in GOOD_ROWS)
    assert rows[2]["output"] == "harbourside_microneedling_2026-11-22_jane-doe.pdf"
    assert rows[3]["output"] == "harbourside_microneedling_2026-11-22_jane-doe-2.pdf"
    # The ASCII form drops accents, so a hash of the exact name keeps it apart from others.
    assert re.fullmatch(
        r"magnolia_micropenning_2026-11-23_zoe-unal-oster-[0-9a-f]{8}\.pdf", rows[4]["output"]
    )
    assert re.fullmatch(
        r"magnolia_microneedling_2026-11-27_hidden-name-[0-9a-f]{8}\.pdf", rows[9]["output"]
    )
    for number in GOOD_ROWS:
        row = rows[number]
        path = out / row["output"]
        data = path.read_bytes()
        assert row["status"] == "made"
        assert row["error"] == ""
        assert int(row["bytes"]) == len(data)
        assert row["sha256"] == hashlib.sha256(data).hexdigest()
        assert int(row["pages"]) == len(PdfReader(path).pages) >= 1
        assert path.stat().st_mode & 0o777 == 0o600
    assert (out / "manifest.csv").stat().st_mode & 0o777 == 0o600
    assert out.stat().st_mode & 0o777 == 0o700
    assert not list(out.glob(".*")), "temporary files left in the output folder"
    assert not list(private_tmp.iterdir()), "temporary files or folders left in the temp dir"

    # Again: nothing new, nothing touched, the same manifest lines.
    stamps = {p.name: p.stat().st_mtime_ns for p in out.glob("*.pdf")}
    again = run("batch", str(patients), "-o", str(out))
    assert again.exit_code == 1
    assert "0 handouts made, 6 already made and unchanged, 2 rows failed" in again.stdout
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.pdf")} == stamps
    rerun_rows = manifest(out)
    for number in GOOD_ROWS:
        assert rerun_rows[number]["status"] == "skipped"
        for column in ("output", "pages", "bytes", "sha256", "inputs_sha256"):
            assert rerun_rows[number][column] == rows[number][column]

    forced = run("batch", str(patients), "-o", str(out), "--force")
    assert "6 handouts made, 2 rows failed" in forced.stdout
    assert {r["sha256"] for r in manifest(out).values()} == {r["sha256"] for r in rows.values()}
    assert not list(private_tmp.iterdir())


def test_batch_handouts_are_byte_identical_to_handout(tmp_path: Path) -> None:
    patients = write_spreadsheet(tmp_path / "patients.csv")
    out = tmp_path / "out"
    run("batch", str(patients), "-o", str(out))
    rows = manifest(out)
    singles = {
        2: ["microneedling", "--patient", "Jane Doe"],
        4: ["micropenning", "--clinic", "magnolia", "--patient", "Zoë Ünal-Øster"],
        6: ["microneedling", "--patient", "李小龍"],
        8: ["micropenning", "--clinic", "harbourside", "--patient", "Doe; John"],
    }
    dates = {2: "2026-11-22", 4: "2026-11-23", 6: "2026-11-24", 8: "2026-11-26"}
    for number, options in singles.items():
        args = [*options, "--date", dates[number]]
        single = tmp_path / f"single-{number}.pdf"
        assert run("handout", *args, "-o", str(single)).exit_code == 0
        assert (out / rows[number]["output"]).read_bytes() == single.read_bytes(), number


def test_rerun_remakes_what_changed(tmp_path: Path) -> None:
    root = copy_content(tmp_path / "content")
    patients = tmp_path / "p.csv"
    patients.write_text(
        "patient,date,protocol\nAnn Lee,2026-11-22,microneedling\nBo Ma,2026-11-22,micropenning\n"
    )
    out = tmp_path / "out"
    batch = ("--root", str(root), "batch", str(patients), "-o", str(out))
    assert "2 handouts made (" in run(*batch).stdout
    assert "0 handouts made, 2 already made and unchanged" in run(*batch).stdout

    # An edited protocol remakes only the handouts made from it.
    protocol = root / "protocols" / "microneedling.yaml"
    protocol.write_text(protocol.read_text(encoding="utf-8") + "\n# reviewed\n", encoding="utf-8")
    assert "1 handout made, 1 already made and unchanged" in run(*batch).stdout

    # So does a template override added to the root's templates/, for everything.
    partial = root / "templates" / "partials" / "footer.html"
    partial.parent.mkdir(parents=True)
    builtin = (PROJECT_ROOT / "templates" / "partials" / "footer.html").read_text(encoding="utf-8")
    partial.write_text(builtin + "\n", encoding="utf-8")
    assert "2 handouts made (" in run(*batch).stdout

    # A handout changed or removed since is made again: the record has its sha256.
    rows = manifest(out)
    (out / rows[2]["output"]).write_bytes(b"not the handout we made")
    (out / rows[3]["output"]).unlink()
    assert "2 handouts made (" in run(*batch).stdout

    # The manifest is only an export: without it the record still vouches for the
    # unchanged files, and the run exports it again.
    (out / "manifest.csv").unlink()
    assert "0 handouts made, 2 already made and unchanged" in run(*batch).stdout
    assert {r["status"] for r in manifest(out).values()} == {"skipped"}

    # A different patient in the same row makes a new file; the old one stays.
    patients.write_text("patient,date,protocol\nAnn Leigh,2026-11-22,microneedling\n")
    assert "1 handout made (" in run(*batch).stdout


def test_unknown_clinic_option_is_one_error(tmp_path: Path) -> None:
    patients = write_spreadsheet(tmp_path / "patients.csv")
    result = CliRunner().invoke(main, ["batch", str(patients), "--clinic", "magnola"])
    assert result.exit_code == 1
    assert "Unknown clinic 'magnola'. Did you mean 'magnolia'?" in result.output
