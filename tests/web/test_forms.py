"""What the handout form says when what was typed cannot make a handout (plain HTTP)."""

from __future__ import annotations

import html
import os
import subprocess
import sys
from pathlib import Path

from tools.live_server import MANAGER, Server, csrf_token


def post(server: Server, **fields: str) -> tuple[int, str]:
    client = server.signed_in()
    token = csrf_token(client.get("/").text)
    response = client.post("/handout", data={"csrf_token": token, **fields})
    return response.status_code, html.unescape(response.text)


def sign_off(server: Server, protocol: str, language: str) -> str:
    """A manager records a clinician's sign-off on the Settings page; the page's text."""
    manager = server.signed_in(MANAGER)
    signed = manager.post(
        "/settings/signoff",
        data={
            "csrf_token": csrf_token(manager.get("/settings").text),
            "protocol": protocol,
            "language": language,
            "clinician": "Dr Ana Silva",
        },
    )
    assert signed.status_code == 200
    return html.unescape(signed.text)


def test_a_date_that_cannot_be_read_is_named(server: Server) -> None:
    status, page = post(server, protocol="micropenning", date="22/11/2026", action="download")
    assert status == 422
    assert "Nothing was made: Procedure date:" in page
    assert "22/11/2026" in page


def test_an_unknown_procedure_suggests_the_known_ones(server: Server) -> None:
    status, page = post(server, protocol="micropening", action="preview")
    assert status == 422
    assert "Unknown protocol 'micropening'. Did you mean 'micropenning'?" in page


def test_copies_out_of_range_are_refused_before_printing(server: Server) -> None:
    status, page = post(server, protocol="micropenning", copies="500", action="print")
    assert status == 422
    assert "Copies must be a whole number from 1 to 20." in page


def test_a_procedure_time_gives_the_command_lines_pdf(server: Server, tmp_path: Path) -> None:
    client = server.signed_in()
    token = csrf_token(client.get("/").text)
    fields = {
        "csrf_token": token,
        "clinic": "harbourside",
        "protocol": "light-chemical-peel",  # it has rules in hours
        "patient": "Timed Patient",
        "date": "2026-11-22",
        "time": "14:30",
        "action": "download",
    }
    server.names_used.append("Timed Patient")
    sign_off(server, "light-chemical-peel", "en")  # a draft: a clinician approves it first
    made = client.post("/handout", data=fields)
    assert made.status_code == 200
    target = tmp_path / "cli.pdf"
    subprocess.run(
        [sys.executable, "-m", "handouts", "handout", "light-chemical-peel", "--clinic",
         "harbourside", "--patient", "Timed Patient", "--date", "2026-11-22", "--time", "14:30",
         "--yes", "-o", str(target)],
        check=True, capture_output=True, env={**os.environ, "HANDOUTS_DATA": str(server.data)},
    )  # fmt: skip
    assert made.content == target.read_bytes()
    untimed = client.post("/handout", data={**fields, "time": ""})
    assert untimed.content != made.content  # the time is on the page


def test_a_time_without_a_date_is_refused(server: Server) -> None:
    status, page = post(server, protocol="micropenning", date="", time="14:30", action="preview")
    assert status == 422
    assert "Procedure time: give the procedure date too." in page


def test_the_language_field_gives_the_command_lines_spanish_pdf(
    server: Server, tmp_path: Path
) -> None:
    client = server.signed_in()
    page = client.get("/").text
    assert '<label for="language">Language</label>' in page
    assert "Spanish (español)" in html.unescape(page)
    fields = {
        "csrf_token": csrf_token(page),
        "clinic": "magnolia",
        "protocol": "micropenning",
        "patient": "José Álvarez",
        "date": "2026-11-23",
        "language": "es",
        "action": "download",
    }
    server.names_used.append("José Álvarez")
    refused = client.post("/handout", data=fields)  # the translation is a draft
    assert refused.status_code == 422
    assert "Ask a manager to record a clinician's sign-off" in html.unescape(refused.text)
    signed = sign_off(server, "micropenning", "es")
    assert "Signed off: Micropenning aftercare (Spanish (español)) by Dr Ana Silva" in signed
    made = client.post("/handout", data=fields)
    assert made.status_code == 200
    target = tmp_path / "cli.pdf"
    subprocess.run(
        [sys.executable, "-m", "handouts", "handout", "micropenning", "--clinic", "magnolia",
         "--patient", "José Álvarez", "--date", "2026-11-23", "--language", "es",
         "--yes", "-o", str(target)],
        check=True, capture_output=True, env={**os.environ, "HANDOUTS_DATA": str(server.data)},
    )  # fmt: skip
    assert made.content == target.read_bytes()


def test_a_language_the_procedure_lacks_is_named(server: Server) -> None:
    status, page = post(server, protocol="botulinum-toxin", language="es", action="preview")
    assert status == 422
    assert "has no 'es' translation" in page
