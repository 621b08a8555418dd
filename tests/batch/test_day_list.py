"""A day's export from a booking system, run whole: handouts, plain-words summary, manifest."""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime as dt
import io
import sqlite3
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from handouts import service
from handouts.batch.outcome import RowStatus
from handouts.cli import main
from handouts.content.store import ContentStore
from tests.cups_fixture import CupsQueue, unique_marker
from tests.pdfcheck import pdf_text
from tests.support.content import seed_root
from tests.support.smtp import Mailbox, smtp_env

EXPORTS = Path(__file__).parent / "exports"
NAMES = ("Ana Silva", "Bo Chen", "Cy Dee", "Di Eve", "Ed Fay", "Flo Gee", "Silva", "Zoë")


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled clinics and profiles with the two seed protocols (see test_exports)."""
    return seed_root(tmp_path_factory.mktemp("seed"))


def run(root: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    command = ["--root", str(root), "batch", *args, "--workers", "1"]
    return CliRunner().invoke(main, command, env=env)


def manifest(out: Path) -> dict[int, dict[str, str]]:
    text = (out / "manifest.csv").read_text(encoding="utf-8")
    return {int(r["row"]): r for r in csv.DictReader(io.StringIO(text, newline=""))}


def test_a_day_export_read_with_no_edits_names_every_row_without_a_handout(
    tmp_path: Path,
    root: Path,
) -> None:
    out = tmp_path / "out"
    result = run(root, str(EXPORTS / "report-with-titles.csv"), "-o", str(out))
    assert result.exit_code == 0, result.output  # no handout for Botox is not an error
    lines = result.stdout.splitlines()
    assert lines[0].startswith("2 handouts made (in ")
    assert "No handout for: Botox (2), Consultation (1) (no protocol for these services;" in (
        result.stdout
    )
    assert "Left out: Cancelled (1)." in lines
    assert "handouts/s" not in result.output
    for name in NAMES:  # names are health data: never on the terminal
        assert name not in result.output

    rows = manifest(out)
    assert list(rows[5])[:5] == ["row", "patient", "reference", "service", "status"]
    assert {
        n: (r["patient"], r["reference"], r["service"], r["status"]) for n, r in rows.items()
    } == {
        5: ("Ana Silva", "R-501", "Micro-Needling", "made"),
        6: ("Bo Chen", "R-502", "Botox", "no handout"),
        7: ("Cy Dee", "R-503", "Micropenning", "made"),
        8: ("Di Eve", "R-504", "Consultation", "no handout"),
        9: ("Ed Fay", "R-505", "Micropenning", "left out"),
        10: ("Flo Gee", "R-506", "Botox", "no handout"),
    }
    assert rows[5]["output"] == "magnolia_microneedling_2026-11-23_ana-silva.pdf"
    assert rows[7]["output"] == "harbourside_micropenning_2026-11-23_cy-dee.pdf"
    assert sorted(p.name for p in out.glob("*.pdf")) == sorted(
        [rows[5]["output"], rows[7]["output"]]
    )


def test_a_row_that_should_have_a_handout_and_cannot_is_exit_status_1(
    tmp_path: Path, root: Path
) -> None:
    out = tmp_path / "out"
    result = run(root, str(EXPORTS / "excel-european.csv"), "-o", str(out))
    assert result.exit_code == 1
    assert "2 handouts made, 1 row failed" in result.stdout
    assert "Row 4 failed: date: '31/11/2026' is not a real calendar date" in result.stdout
    assert manifest(out)[2]["patient"] == "Zoë Ünal"


def test_an_export_that_needs_a_profile_says_so_and_works_with_it(
    tmp_path: Path, root: Path
) -> None:
    out = tmp_path / "out"
    without = run(root, str(EXPORTS / "acuity.csv"), "-o", str(out))
    assert without.exit_code == 1
    assert "which column holds the service" in without.output and "--profile" in without.output
    assert not out.exists()
    unknown = run(root, str(EXPORTS / "acuity.csv"), "-o", str(out), "--profile", "acuitty")
    assert unknown.exit_code == 1
    assert "Unknown import profile 'acuitty'. Did you mean 'acuity'?" in unknown.output
    with_profile = run(root, str(EXPORTS / "acuity.csv"), "-o", str(out), "--profile", "acuity")
    assert with_profile.exit_code == 0, with_profile.output
    assert "2 handouts made" in with_profile.stdout
    assert "No handout for: Botox (1), Consultation (1)" in with_profile.stdout


def test_a_date_years_away_is_a_warning_in_the_summary(
    tmp_path: Path, content: ContentStore
) -> None:
    export = tmp_path / "day.csv"
    export.write_text(
        "Client,Date,Service\nAna Silva,2062-11-23,Micropenning\nBo Chen,2026-11-24,Micropenning\n",
        encoding="utf-8",
    )
    request = service.BatchRequest(export, tmp_path / "out", workers=1, today=dt.date(2026, 11, 23))
    with pytest.raises(service.DatesToConfirm) as refused:
        service.run_batch(content, request)  # nothing made before a person confirms
    assert not (tmp_path / "out").exists()
    assert [job.row for job in refused.value.plan.to_confirm] == [2]
    confirmed = dataclasses.replace(request, dates_ok=True)
    summary = service.run_batch(content, confirmed)
    assert summary.count(RowStatus.MADE) == 2 and summary.ok
    assert summary.warnings == [
        "row 2: the date Thursday 23 November 2062 is more than a year from today and is far "
        "from the list's other dates (Tuesday 24 November 2026)"
    ]
    assert "Warning: row 2: the date Thursday 23 November 2062" in summary.lines()[-1]


def test_print_unemailed_prints_rows_without_an_address_once(
    smtp_server, cups_queue: CupsQueue, tmp_path: Path, root: Path, data_folder: Path
) -> None:
    mailbox = Mailbox()
    env = smtp_env(smtp_server(mailbox, auth_require_tls=False))
    marker = unique_marker("Unemailed ")
    export = tmp_path / "day.csv"
    export.write_text(
        "Patient Name,Appointment Date,Service,Email Address\n"
        "Ana Silva,2026-11-23,Micropenning,ana@example.com\n"
        f"{marker},2026-11-23,Micro-Needling,---\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    args = [str(export), "-o", str(out), "--email", "--print-unemailed"]
    args += ["--printer", cups_queue.name]
    since = time.time() - 1
    result = run(root, *args, env=env)
    assert result.exit_code == 0, result.output
    cups_queue.wait_for_pdf(marker, since=since)
    rows = manifest(out)
    assert (rows[2]["delivered"], rows[3]["delivered"]) == ("emailed", "printed")
    assert [m.rcpt_tos for m in mailbox.received] == [["ana@example.com"]]
    first = delivery_records(data_folder)
    assert sorted((channel, result) for channel, result, _ in first) == [
        ("emailed", "emailed"),
        ("printed", "printed"),
    ]
    # Again: nobody is emailed or printed for twice; the records are not touched.
    again = run(root, *args, env=env)
    assert again.exit_code == 0, again.output
    assert len(mailbox.received) == 1
    assert manifest(out)[3]["delivered"] == "printed"
    assert delivery_records(data_folder) == first


def delivery_records(data: Path) -> list[tuple[str, str, str]]:
    """(channel, result, time) of every email and print the data folder's ledger holds."""
    with contextlib.closing(sqlite3.connect(data / "records.sqlite3")) as db:
        return sorted(db.execute("SELECT channel, result, at FROM deliveries"))


def test_print_unemailed_goes_with_email(tmp_path: Path, root: Path) -> None:
    result = run(root, str(EXPORTS / "report-with-titles.csv"), "--print-unemailed")
    assert result.exit_code == 2
    assert "--print-unemailed goes with --email" in result.output


def test_an_export_time_gives_hour_rules_clock_times_as_handout_time_does(
    tmp_path: Path,
) -> None:
    export = tmp_path / "day.csv"
    export.write_text(
        "Client,Appointment Date,Start Time,Service,Location\n"
        "Ana Silva,11/22/2026,2:30 PM,Botulinum toxin injections,Magnolia\n"
        "Bo Chen,11/22/2026,,Botulinum toxin injections,Magnolia\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    args = ["batch", str(export), "-o", str(out), "--workers", "1", "--allow-draft"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    rows = manifest(out)
    timed = (out / rows[2]["output"]).read_bytes()
    untimed = (out / rows[3]["output"]).read_bytes()
    assert "Until 6:30 pm on Sunday, November 22" in pdf_text(timed)
    assert "For 4 hours after your procedure" in pdf_text(untimed)
    # The same handout as `handout` makes with the date and time typed in.
    single = tmp_path / "single.pdf"
    typed = ["handout", "Botulinum toxin injections", "--clinic", "magnolia"]
    typed += ["--patient", "Ana Silva", "--date", "11/22/2026 2:30 PM", "--yes", "-o", str(single)]
    typed += ["--allow-draft"]
    assert CliRunner().invoke(main, typed).exit_code == 0
    assert single.read_bytes() == timed
