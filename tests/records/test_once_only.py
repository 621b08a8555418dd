"""Once per patient, across days, folders, front ends and processes, on one data folder.

Whole `handouts` processes against a real SMTP server (aiosmtpd on 127.0.0.1),
dated with ``faketime``; the web page is a real ``handouts serve``.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import Envelope, Session

from handouts.records import Ledger, Result, Search
from tests.support.smtp import Mailbox, running_smtp_server
from tools.live_server import MANAGER, add_user, csrf_token, start_server, stop_server

ROWS = [
    "Ana Silva,2026-11-23,micropenning,ana@example.com",
    "Bo Chen,2026-11-23,microneedling,bo@example.com",
    "Cy Doe,2026-11-23,micropenning,cy@example.com",
]


def write_list(path: Path, rows: list[str]) -> Path:
    path.write_text("patient,date,protocol,email\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def handouts(
    *args: str, env: dict[str, str], day: str | None = None
) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "handouts", *args]
    if day is not None:
        faketime = shutil.which("faketime")
        assert faketime, "faketime is missing (install-system-deps.sh)"
        argv = [faketime, f"{day} 09:00:00", *argv]
    return subprocess.run(
        argv, env={**os.environ, **env}, capture_output=True, text=True, timeout=300, check=False
    )


def recipients(mailbox: Mailbox) -> Counter[str]:
    return Counter(address for envelope in mailbox.received for address in envelope.rcpt_tos)


def smtp_settings(server: Any) -> dict[str, str]:
    return {
        "HANDOUTS_SMTP_HOST": server.host,
        "HANDOUTS_SMTP_PORT": str(server.port),
        "HANDOUTS_SMTP_SECURITY": "none",
    }


def manifest(out: Path) -> dict[str, dict[str, str]]:
    with (out / "manifest.csv").open(encoding="utf-8") as stream:
        return {record["patient"]: record for record in csv.DictReader(stream)}


def run_day_list_in_the_web_page(
    data: Path, tmp_path: Path, env: dict[str, str], csv_bytes: bytes
) -> None:
    add_user(data, MANAGER, manager=True)
    server = start_server(data, tmp_path / "server.log", env, workers=1)
    try:
        client = server.signed_in(MANAGER)
        token = csrf_token(client.get("/batch").text)
        response = client.post(
            "/batch", data={"csrf_token": token}, files={"csv": ("day.csv", csv_bytes, "text/csv")}
        )
        assert response.status_code == 303, response.text
        list_page = response.headers["location"]
        token = csrf_token(client.get(list_page).text)
        started = client.post(f"{list_page}/run", data={"csrf_token": token, "action": "email"})
        assert started.status_code == 303
        deadline = time.monotonic() + 240
        while client.get(f"{list_page}/progress").json()["running"]:
            assert time.monotonic() < deadline, server.log()
            time.sleep(0.2)  # polling the page's own progress, as its script does
        page = client.get(list_page).text
        assert "emailed" in page
    finally:
        stop_server(server)


@pytest.mark.slow
def test_a_list_on_two_days_two_folders_and_the_web_page_emails_each_patient_once(
    tmp_path: Path, data_folder: Path, root: Path
) -> None:
    with running_smtp_server() as smtp:
        env = {**smtp_settings(smtp), "HANDOUTS_ROOT": str(root)}
        monday = write_list(tmp_path / "mon.csv", ROWS)
        ran = handouts(
            "batch", str(monday), "-o", str(tmp_path / "mon"), "--email", env=env, day="2026-11-21"
        )
        assert ran.returncode == 0, ran.stderr + ran.stdout
        assert recipients(smtp.mailbox) == {f"{n}@example.com": 1 for n in ("ana", "bo", "cy")}

        # The next day, another folder, the rows in another order: nobody twice.
        tuesday = write_list(tmp_path / "tue.csv", list(reversed(ROWS)))
        ran = handouts(
            "batch", str(tuesday), "-o", str(tmp_path / "tue"), "--email", env=env, day="2026-11-22"
        )
        assert ran.returncode == 0, ran.stderr + ran.stdout
        assert len(smtp.mailbox.received) == 3
        assert {r["delivered"] for r in manifest(tmp_path / "tue").values()} == {"emailed"}

        # The same list uploaded in the web page, "Email all": still nobody twice.
        run_day_list_in_the_web_page(data_folder, tmp_path, env, monday.read_bytes())
        assert len(smtp.mailbox.received) == 3

        # The command line for one patient, without --again: refused, nothing sent.
        one = [
            "handout",
            "micropenning",
            "--patient",
            "ana  SILVA",
            "--date",
            "2026-11-23",
            "--yes",
        ]
        ran = handouts(*one, "--email", "Ana@Example.com", "-o", str(tmp_path / "a.pdf"), env=env)
        assert ran.returncode == 1 and "already emailed" in ran.stderr, ran.stderr
        assert len(smtp.mailbox.received) == 3

    # The history shows both days, each handout with its one email.
    listed = json.loads(handouts("history", "list", "--patient", "ana", "--json", env=env).stdout)
    days = {record["made_at"][:10] for record in listed}
    assert {"2026-11-21", "2026-11-22"} <= days
    emailed = [d for r in listed for d in r["deliveries"] if d["result"] == "emailed"]
    assert len(emailed) == 1
    first = min(listed, key=lambda r: r["id"])

    # After the protocol changes, the copy is still the bytes first given.
    given = (tmp_path / "mon" / manifest(tmp_path / "mon")["Ana Silva"]["output"]).read_bytes()
    protocol = root / "protocols" / "micropenning.yaml"
    protocol.write_text(
        protocol.read_text(encoding="utf-8").replace("Micropenning", "Micro-pen", 1),
        encoding="utf-8",
    )
    copy = tmp_path / "copy.pdf"
    ran = handouts("history", "copy", str(first["id"]), "-o", str(copy), env=env)
    assert ran.returncode == 0, ran.stderr
    assert copy.read_bytes() == given
    assert first["pdf_sha256"] == hashlib.sha256(given).hexdigest()
    remade = tmp_path / "remade.pdf"
    ran = handouts(*one, "-o", str(remade), env=env)
    assert ran.returncode == 0, ran.stderr
    assert remade.read_bytes() != given  # the content did change


@pytest.mark.slow
def test_two_processes_at_once_on_one_data_folder_email_each_patient_once(
    tmp_path: Path, data_folder: Path
) -> None:
    names = ["Ana Silva", "Bo Chen", "Cy Doe", "Di Lu", "Ed Ng", "Flo Ray"]
    rows = [f"{n},2026-11-23,micropenning,{n.split()[0].lower()}@example.com" for n in names]
    first = write_list(tmp_path / "a.csv", rows)
    second = write_list(tmp_path / "b.csv", list(reversed(rows)))
    with running_smtp_server() as smtp:
        env = {**os.environ, **smtp_settings(smtp)}
        processes = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "handouts",
                    "batch",
                    str(path),
                    "-o",
                    str(tmp_path / out),
                    "--workers",
                    "1",
                    "--email",
                ],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for path, out in ((first, "a"), (second, "b"))
        ]
        outputs = [p.communicate(timeout=300)[0] for p in processes]
        assert all(p.returncode in (0, 1) for p in processes), outputs
        assert recipients(smtp.mailbox) == {
            f"{n.split()[0].lower()}@example.com": 1 for n in names
        }, outputs
    ledger = Ledger(data_folder)
    sent = [
        d
        for r in ledger.search(Search(per_page=100)).records
        for d in (ledger.handout(r.id) or pytest.fail()).deliveries
        if d.result is Result.EMAILED
    ]
    assert len(sent) == len(names)


class StoresThenStalls(Mailbox):
    """Keeps the message, then does not answer while ``stall`` is set (the sender is killed)."""

    stall = True

    async def handle_DATA(self, server: SMTPServer, session: Session, envelope: Envelope) -> str:
        self.data_attempts += 1
        self.received.append(envelope)
        while self.stall:
            await asyncio.sleep(0.05)
        return "250 Message accepted"


@pytest.mark.slow
def test_a_kill_during_a_send_leaves_may_have_been_sent_and_nothing_is_resent(
    tmp_path: Path, data_folder: Path
) -> None:
    mailbox = StoresThenStalls()
    one = [
        "handout",
        "micropenning",
        "--patient",
        "Kim Lo",
        "--date",
        "2026-11-23",
        "--yes",
        "--email",
        "kim@example.com",
        "-o",
        str(tmp_path / "kim.pdf"),
    ]
    with running_smtp_server(mailbox) as smtp:
        env = smtp_settings(smtp)
        sender = subprocess.Popen(
            [sys.executable, "-m", "handouts", *one],
            env={**os.environ, **env, "HANDOUTS_SMTP_TIMEOUT": "120"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while not mailbox.received:  # the server has the whole message; no answer yet
            assert sender.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        sender.send_signal(signal.SIGKILL)
        sender.wait(timeout=30)
        mailbox.stall = False

        ledger = Ledger(data_folder)
        (record,) = ledger.search(Search(patient="Kim Lo")).records
        history = ledger.handout(record.id)
        assert history is not None
        assert [d.result for d in history.deliveries] == [Result.MAY_HAVE_BEEN_SENT]

        # Neither the command again nor a list with Kim on it sends it by itself.
        ran = handouts(*one, env=env)
        assert ran.returncode == 1
        assert "may already have been sent" in ran.stderr and "--again" in ran.stderr
        day = write_list(tmp_path / "day.csv", ["Kim Lo,2026-11-23,micropenning,kim@example.com"])
        ran = handouts("batch", str(day), "-o", str(tmp_path / "out"), "--email", env=env)
        assert ran.returncode == 1
        assert "may already have been sent" in ran.stdout
        assert len(mailbox.received) == 1

        # Sending again is an act of its own, and recorded as one.
        ran = handouts(*one, "--again", env=env)
        assert ran.returncode == 0, ran.stderr
        assert len(mailbox.received) == 2
    deliveries = [
        d
        for r in ledger.search(Search(patient="kim")).records
        for d in (ledger.handout(r.id) or pytest.fail()).deliveries
    ]
    assert [(d.result, d.again) for d in deliveries if d.result is Result.EMAILED] == [
        (Result.EMAILED, True)
    ]
