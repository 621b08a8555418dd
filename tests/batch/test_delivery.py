"""`batch --email / --print`: one message or print job per row, failures in the manifest."""

from __future__ import annotations

import csv
import sqlite3
import time
from email import policy
from email.parser import BytesParser
from pathlib import Path

from click.testing import CliRunner

from handouts.cli import main
from tests.cups_fixture import CupsQueue, unique_marker
from tests.support.smtp import Mailbox, smtp_env


def write_csv(path: Path, rows: list[str]) -> Path:
    path.write_text("patient,date,protocol,email\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def manifest(out: Path) -> dict[str, dict[str, str]]:
    with (out / "manifest.csv").open(encoding="utf-8") as stream:
        return {record["row"]: record for record in csv.DictReader(stream)}


def run_batch(patients: Path, out: Path, env: dict[str, str], *extra: str) -> str:
    """One successful batch run with one worker; its output."""
    args = ["batch", str(patients), "-o", str(out), "--workers", "1", *extra]
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 0, result.output
    return result.output


def test_batch_email_sends_once_per_row_and_records_failures(smtp_server, tmp_path: Path) -> None:
    mailbox = Mailbox(refuse_recipients={"gone@example.com"})
    settings = smtp_server(mailbox, auth_require_tls=False)
    patients = write_csv(
        tmp_path / "day.csv",
        [
            "Ana Silva,2026-11-22,micropenning,ana@example.com",
            "Bo Chen,2026-11-22,microneedling,gone@example.com",
            "Cy Doe,2026-11-22,microneedling,",
        ],
    )
    out = tmp_path / "out"
    args = ["batch", str(patients), "-o", str(out), "--workers", "1", "--email"]
    result = CliRunner().invoke(main, args, env=smtp_env(settings))
    assert result.exit_code == 1, result.output
    assert "2 not delivered" in result.output
    # Rows without an address are named together, once, with what to do about them.
    assert "Not emailed, no address: row 4; --print-unemailed prints these" in result.stdout
    assert "row 4: made, but" not in result.stderr
    rows = manifest(out)
    assert [rows[r]["status"] for r in ("2", "3", "4")] == ["made", "made", "made"]
    assert rows["2"]["delivered"] == "emailed" and rows["2"]["delivery_problems"] == ""
    assert rows["3"]["delivered"] == "" and "gone@example.com" in rows["3"]["delivery_problems"]
    assert rows["4"]["delivery_problems"] == "email not sent: no address in the email column"
    # The one delivered message carries that row's own PDF.
    assert len(mailbox.received) == 1
    assert mailbox.received[0].rcpt_tos == ["ana@example.com"]
    message = BytesParser(policy=policy.default).parsebytes(mailbox.received[0].content)
    # The PDF (a calendar file rides along with a dated handout).
    (attachment,) = [
        p for p in message.iter_attachments() if p.get_content_type() == "application/pdf"
    ]
    assert attachment.get_content() == (out / rows["2"]["output"]).read_bytes()

    # Again: nothing is remade, Ana is not emailed twice, the failures are retried.
    mailbox.refuse_recipients.clear()
    result = CliRunner().invoke(main, args, env=smtp_env(settings))
    assert result.exit_code == 1  # row 4 still has no address
    assert [env.rcpt_tos for env in mailbox.received] == [["ana@example.com"], ["gone@example.com"]]
    rows = manifest(out)
    assert [rows[r]["status"] for r in ("2", "3", "4")] == ["skipped"] * 3
    assert rows["3"]["delivered"] == "emailed" and rows["3"]["delivery_problems"] == ""
    assert rows["2"]["delivered"] == "emailed"


def test_batch_email_without_settings_makes_nothing(tmp_path: Path) -> None:
    patients = write_csv(tmp_path / "day.csv", ["Ana Silva,2026-11-22,micropenning,a@example.com"])
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["batch", str(patients), "-o", str(out), "--email"], env={"HANDOUTS_SMTP_HOST": ""}
    )
    assert result.exit_code == 1
    assert "HANDOUTS_SMTP_HOST" in result.output
    assert not out.exists()


def test_batch_print_prints_each_row_once(cups_queue: CupsQueue, tmp_path: Path) -> None:
    markers = [unique_marker("Batchprint ") for _ in range(2)]
    # Different procedures give different job titles: cups-pdf names its files
    # after the title and, as Debian configures it, overwrites a same-named file.
    patients = write_csv(
        tmp_path / "day.csv",
        [
            f"{m},2026-11-22,{p},"
            for m, p in zip(markers, ["micropenning", "microneedling"], strict=True)
        ],
    )

    out = tmp_path / "out"
    since = time.time() - 1
    args = [
        "batch",
        str(patients),
        "-o",
        str(out),
        "--workers",
        "1",
        "--print",
        "--printer",
        cups_queue.name,
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    for marker in markers:
        cups_queue.wait_for_pdf(marker, since=since)
    assert {r["delivered"] for r in manifest(out).values()} == {"printed"}
    # A re-run prints nothing new.
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0
    assert "0 handouts made, 2 already made and unchanged" in result.output


def test_remade_rows_are_not_emailed_again(smtp_server, tmp_path: Path) -> None:
    mailbox = Mailbox()
    settings = smtp_server(mailbox, auth_require_tls=False)
    patients = write_csv(
        tmp_path / "day.csv", ["Ana Silva,2026-11-22,micropenning,ana@example.com"]
    )
    out = tmp_path / "out"
    args = ["batch", str(patients), "-o", str(out), "--workers", "1", "--email"]
    assert CliRunner().invoke(main, args, env=smtp_env(settings)).exit_code == 0
    result = CliRunner().invoke(main, [*args, "--force"], env=smtp_env(settings))
    assert result.exit_code == 0, result.output
    assert "1 handout made" in result.output
    assert len(mailbox.received) == 1
    assert manifest(out)["2"]["delivered"] == "emailed"


def test_a_broken_email_template_fails_the_row_not_the_batch(
    smtp_server, tmp_path: Path, content_copy
) -> None:
    mailbox = Mailbox()
    settings = smtp_server(mailbox, auth_require_tls=False)
    email_dir = content_copy.branding_dir / "magnolia" / "templates" / "email"
    email_dir.mkdir(parents=True)
    (email_dir / "subject.txt").write_text("Hello {{ clinic.name \n", encoding="utf-8")
    patients = tmp_path / "day.csv"
    patients.write_text(
        "patient,date,protocol,clinic,email\n"
        "Ana Silva,2026-11-22,micropenning,magnolia,ana@example.com\n"
        "Bo Chen,2026-11-22,micropenning,harbourside,bo@example.com\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    args = [
        "--root",
        str(content_copy.root),
        "batch",
        str(patients),
        "-o",
        str(out),
        "--workers",
        "1",
        "--email",
    ]
    result = CliRunner().invoke(main, args, env=smtp_env(settings))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    rows = manifest(out)
    assert rows["2"]["status"] == "made" and "email template" in rows["2"]["delivery_problems"]
    assert rows["3"]["delivered"] == "emailed"
    assert [env.rcpt_tos for env in mailbox.received] == [["bo@example.com"]]


def test_another_list_in_the_same_folder_does_not_make_anyone_get_a_second_email(
    smtp_server, tmp_path: Path, data_folder: Path
) -> None:
    mailbox = Mailbox()
    settings = smtp_server(mailbox, auth_require_tls=False)
    monday = write_csv(tmp_path / "mon.csv", ["Ana Silva,2026-11-23,micropenning,ana@example.com"])
    tuesday = write_csv(tmp_path / "tue.csv", ["Bo Chen,2026-11-24,microneedling,bo@example.com"])
    out = tmp_path / "out"
    env = smtp_env(settings)

    run_batch(monday, out, env, "--email")
    run_batch(tuesday, out, env, "--email")  # replaces the manifest: Monday's rows are gone
    assert "ana-silva" not in (out / "manifest.csv").read_text(encoding="utf-8")
    output = run_batch(monday, out, env, "--email")
    assert [env.rcpt_tos for env in mailbox.received] == [["ana@example.com"], ["bo@example.com"]]
    # The manifest is only the last run's export; the record still knows Monday's
    # file, unchanged, so it is kept rather than made again.
    assert "0 handouts made, 1 already made and unchanged" in output
    assert manifest(out)["2"]["delivered"] == "emailed"
    assert (data_folder / "records.sqlite3").stat().st_mode & 0o777 == 0o600


def test_an_unreadable_old_delivery_record_stops_the_batch_before_anything_is_made(
    smtp_server, tmp_path: Path
) -> None:
    settings = smtp_server(Mailbox(), auth_require_tls=False)
    patients = write_csv(tmp_path / "day.csv", ["Ana Silva,2026-11-22,micropenning,a@example.com"])
    out = tmp_path / "out"
    out.mkdir()
    (out / "deliveries.sqlite3").write_bytes(b"not a database at all" * 100)  # an old record
    args = ["batch", str(patients), "-o", str(out), "--email"]
    result = CliRunner().invoke(main, args, env=smtp_env(settings))
    assert result.exit_code == 1
    assert "deliveries.sqlite3: cannot be read" in result.output
    assert "Traceback" not in result.output
    assert not list(out.glob("*.pdf"))


def _old_folder_record(out: Path, state: str) -> None:
    """A folder's deliveries.sqlite3 as earlier versions wrote it."""
    db = sqlite3.connect(out / "deliveries.sqlite3")
    db.execute(
        "CREATE TABLE deliveries (channel TEXT, recipient TEXT, patient TEXT, clinic TEXT,"
        " protocol TEXT, procedure_date TEXT, occurrence INTEGER, state TEXT,"
        " inputs_sha256 TEXT, output TEXT, time TEXT)"
    )
    db.execute(
        "INSERT INTO deliveries VALUES ('emailed', 'ana@example.com', 'Ana Silva',"
        " 'harbourside', 'micropenning', '2026-11-23', 1, ?, '', 'x.pdf',"
        " '2026-11-23T09:00:00+00:00')",
        (state,),
    )
    db.commit()
    db.close()


def test_a_folder_record_from_an_earlier_version_is_carried_over_once(
    smtp_server, tmp_path: Path, data_folder: Path
) -> None:
    mailbox = Mailbox()
    settings = smtp_server(mailbox, auth_require_tls=False)
    monday = write_csv(
        tmp_path / "mon.csv",
        [
            "Ana Silva,2026-11-23,micropenning,ana@example.com",
            "Bo Chen,2026-11-23,micropenning,bo@example.com",
        ],
    )
    out = tmp_path / "out"
    out.mkdir()
    _old_folder_record(out, "done")
    env = smtp_env(settings)

    run_batch(monday, out, env, "--email")
    (out / "deliveries.sqlite3").unlink()  # carried over: the ledger no longer needs it
    run_batch(monday, tmp_path / "elsewhere", env, "--email")

    assert [e.rcpt_tos for e in mailbox.received] == [["bo@example.com"]]
    assert manifest(tmp_path / "elsewhere")["2"]["delivered"] == "emailed"
    db = sqlite3.connect(data_folder / "records.sqlite3")
    assert db.execute("SELECT count(*) FROM imported").fetchone()[0] == 1


def test_again_sends_each_patient_the_handout_first_given_once_more(
    smtp_server, tmp_path: Path, root: Path, data_folder: Path
) -> None:
    mailbox = Mailbox()
    settings = smtp_server(mailbox, auth_require_tls=False)
    patients = write_csv(
        tmp_path / "day.csv",
        [
            "Ana Silva,2026-11-22,micropenning,ana@example.com",
            "Bo Chen,2026-11-22,microneedling,bo@example.com",
        ],
    )
    out = tmp_path / "out"
    env = smtp_env(settings)
    with_root = ("--root", str(root))

    def batch(*extra: str) -> str:
        args = [*with_root, "batch", str(patients), "-o", str(out), "--workers", "1", "--email"]
        result = CliRunner().invoke(main, [*args, *extra], env=env)
        assert result.exit_code == 0, result.output
        return result.output

    batch()
    first = {r["patient"]: (out / r["output"]).read_bytes() for r in manifest(out).values()}
    again_without_asking = batch()  # nothing is sent twice, and the summary says why
    assert sorted(e.rcpt_tos[0] for e in mailbox.received) == ["ana@example.com", "bo@example.com"]
    assert "Emailed before, so not sent twice: rows 2, 3" in again_without_asking

    # The protocol changes; the handout sent again is still the one first given.
    protocol = root / "protocols" / "micropenning.yaml"
    text = protocol.read_text("utf-8").replace("a little care", "some care")
    protocol.write_text(text, "utf-8")
    output = batch("--again")
    assert "Emailed again, as first given: rows 2, 3." in output
    assert "Emailed before" not in output
    assert "1 handout made, 1 already made" in output
    again = mailbox.received[2:]
    assert sorted(e.rcpt_tos[0] for e in again) == ["ana@example.com", "bo@example.com"]
    for envelope in again:
        message = BytesParser(policy=policy.default).parsebytes(envelope.content)
        (pdf,) = [
            p for p in message.iter_attachments() if p.get_content_type() == "application/pdf"
        ]
        name = "Ana Silva" if envelope.rcpt_tos == ["ana@example.com"] else "Bo Chen"
        assert pdf.get_content() == first[name]
    # Ana's handout was remade from the edited protocol; she was sent the one she was given.
    rows = {r["patient"]: r for r in manifest(out).values()}
    assert (out / rows["Ana Silva"]["output"]).read_bytes() != first["Ana Silva"]
    assert {r["delivered"] for r in rows.values()} == {"emailed"}
    with sqlite3.connect(data_folder / "records.sqlite3") as db:
        sent = db.execute(
            "SELECT recipient, again FROM deliveries WHERE result = 'emailed' ORDER BY id"
        ).fetchall()
    assert sorted(sent) == [
        ("ana@example.com", 0),
        ("ana@example.com", 1),
        ("bo@example.com", 0),
        ("bo@example.com", 1),
    ]

    batch()  # and without --again, nothing more
    assert len(mailbox.received) == 4


def test_again_needs_a_channel(tmp_path: Path) -> None:
    patients = write_csv(tmp_path / "day.csv", ["Ana Silva,2026-11-22,micropenning,"])
    result = CliRunner().invoke(main, ["batch", str(patients), "--again"])
    assert result.exit_code == 2
    assert "--again goes with --email or --print" in result.output


def test_again_sends_once_per_person_even_when_the_list_names_them_twice(
    smtp_server, tmp_path: Path
) -> None:
    mailbox = Mailbox()
    settings = smtp_server(mailbox, auth_require_tls=False)
    twice = "Ana Silva,2026-11-22,micropenning,ana@example.com"
    patients = write_csv(tmp_path / "day.csv", [twice, twice])
    out = tmp_path / "out"
    env = smtp_env(settings)
    run_batch(patients, out, env, "--email")
    assert len(mailbox.received) == 1
    output = run_batch(patients, out, env, "--email", "--again")
    assert len(mailbox.received) == 2
    assert "Emailed again, as first given: row 2." in output
    assert {r["delivered"] for r in manifest(out).values()} == {"emailed"}
