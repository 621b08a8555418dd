"""The front desk's refusals and plain words, in process (Starlette's TestClient, no browser).

The app is not started (no warm renderers), so every test here is answered
before a handout would be drawn: what the desk is told, and what it is not.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from handouts.content.store import ContentStore
from handouts.web.app import WebSettings, create_app
from handouts.web.users import Role, UserStore
from tools.live_server import MANAGER, PASSWORD, STAFF, csrf_token

ROOT = Path(__file__).resolve().parents[2]  # the bundled clinics and protocols
SMTP = {"HANDOUTS_SMTP_HOST": "127.0.0.1", "HANDOUTS_SMTP_PORT": "2525"}


def desk(tmp_path: Path, environ: dict[str, str], name: str = STAFF) -> TestClient:
    app = create_app(WebSettings(ROOT, tmp_path / "data", environ=environ))
    users = UserStore(app.state.web.data)
    if users.get(name) is None:
        users.add(name, PASSWORD, Role.MANAGER if name == MANAGER else Role.STAFF)
    client = TestClient(app, base_url="http://127.0.0.1")
    token = csrf_token(client.get("/signin").text)
    signed = client.post(
        "/signin",
        data={"csrf_token": token, "name": name, "password": PASSWORD},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    return client


@pytest.fixture(autouse=True)
def data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Sign-offs are read from HANDOUTS_DATA, as ``handouts serve`` is given it."""
    monkeypatch.setenv("HANDOUTS_DATA", str(tmp_path / "data"))
    return tmp_path / "data"


@pytest.fixture
def staff(tmp_path: Path) -> Iterator[TestClient]:
    yield desk(tmp_path, SMTP)


def post(client: TestClient, path: str = "/handout", **fields: str) -> tuple[int, str]:
    token = csrf_token(client.get("/").text)
    response = client.post(path, data={"csrf_token": token, **fields})
    return response.status_code, html.unescape(response.text)


def outcome(page: str) -> str:
    found = re.search(r'<p id="outcome"[^>]*>(.*?)</p>', page, re.S)
    assert found, "the page shows no outcome"
    return found.group(1)


def selected(page: str, select: str) -> list[str]:
    """The values of the selected options of one <select>."""
    body = re.search(rf'<select id="{select}".*?</select>', page, re.S)
    assert body, f"no select #{select}"
    return re.findall(r'<option value="([^"]*)"[^>]*\bselected\b', body.group(0))


def value(page: str, field: str) -> str:
    found = re.search(rf'<input id="{field}"[^>]*\bvalue="([^"]*)"', page)
    assert found, f"no input #{field}"
    return found.group(1)


def test_the_form_opens_with_no_procedure_chosen_and_drafts_marked(staff: TestClient) -> None:
    page = html.unescape(staff.get("/").text)
    assert selected(page, "protocol") == [""]
    store = ContentStore(ROOT)
    protocols = store.protocols()
    assert any(p.is_draft for p in protocols) and any(not p.is_draft for p in protocols)
    for protocol in protocols:
        option = re.search(rf'<option value="{protocol.id}"[^>]*>([^<]*)</option>', page)
        assert option, protocol.id
        assert option.group(1).endswith("(draft)") == protocol.is_draft, option.group(1)


def test_a_draft_translation_is_marked_in_the_language_list(staff: TestClient) -> None:
    # Both bundled Spanish translations are drafts; English is each protocol's own language.
    page = html.unescape(staff.get("/").text)
    spanish = re.search(r'<option value="es"[^>]*>([^<]*)</option>', page)
    english = re.search(r'<option value="en"[^>]*>([^<]*)</option>', page)
    assert spanish and spanish.group(1).endswith("(draft)"), spanish
    assert english and "draft" not in english.group(1), english


def test_next_patient_clears_the_patient_and_keeps_clinic_and_date(staff: TestClient) -> None:
    status, page = post(
        staff,
        action="next",
        clinic="magnolia",
        protocol="micropenning",
        patient="Previous Patient",
        email="previous@example.org",
        date="2026-12-04",
        time="10:15",
        language="es",
        copies="3",
    )
    assert status == 200
    assert "Previous Patient" not in page and "previous@example.org" not in page
    assert selected(page, "clinic") == ["magnolia"]
    assert value(page, "date") == "2026-12-04"
    assert selected(page, "protocol") == [""]
    assert selected(page, "language") == []  # back to the first: the procedure's own
    assert value(page, "time") == "" and value(page, "copies") == "1"


@pytest.mark.parametrize(
    ("clinic", "spelled"),
    [("magnolia", "Friday, December 4, 2026"), ("harbourside", "Friday 4 December 2026")],
)
def test_the_date_is_spelled_out_the_clinic_s_way(
    staff: TestClient, clinic: str, spelled: str
) -> None:
    _, page = post(staff, action="next", clinic=clinic, date="2026-12-04")
    found = re.search(r'<p id="date-spelled"[^>]*>([^<]*)</p>', page)
    assert found and found.group(1) == spelled


def test_a_preview_without_a_procedure_is_no_problem(staff: TestClient) -> None:
    status, page = post(staff, "/preview", clinic="magnolia", patient="Not Yet")
    assert status == 200
    assert "No preview" not in page
    assert "appear here once a procedure is chosen" in page


def test_a_wrong_email_address_says_what_to_do(staff: TestClient) -> None:
    status, page = post(
        staff, action="email", protocol="micropenning", email="priya@example", patient="P"
    )
    assert status == 422
    assert outcome(page) == (
        "Not emailed: priya@example is not a complete email address. Check it with the "
        "patient (it looks like name@example.com), correct it and press Email again."
    )


def test_email_not_set_up_tells_the_desk_what_to_do_and_the_log_why(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    client = desk(tmp_path, {})
    with caplog.at_level(logging.WARNING, logger="handouts.web"):
        status, page = post(
            client,
            action="email",
            protocol="micropenning",
            email="priya@example.org",
            patient="Logged Nowhere",
        )
    assert status == 422
    message = outcome(page)
    assert message.startswith("Not emailed: email is not set up on this server yet.")
    assert "Download PDF" in message and "Settings" in message
    assert "HANDOUTS_" not in page  # the administrator's detail is not for the desk...
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "HANDOUTS_SMTP_HOST" in logged  # ...it is in the server's log
    assert "Logged Nowhere" not in logged and "priya@example.org" not in logged


def test_no_message_for_the_desk_names_a_variable_or_a_command(staff: TestClient) -> None:
    page = html.unescape(staff.get("/").text)
    assert "HANDOUTS_" not in page and "systemctl" not in page


def test_settings_are_for_managers_and_show_no_secret(tmp_path: Path) -> None:
    environ = {
        **SMTP,
        "HANDOUTS_SMTP_USER": "mailer",
        "HANDOUTS_SMTP_PASSWORD": "very-secret-words",
        "HANDOUTS_SMTP_SECURITY": "ssl",
    }
    staff = desk(tmp_path, environ)
    refused = staff.get("/settings")
    assert refused.status_code == 403
    manager = desk(tmp_path, environ, MANAGER)
    page = html.unescape(manager.get("/settings").text)
    assert "<code>127.0.0.1</code>, port 2525" in page
    assert "SSL/TLS" in page and "yes, with a user name and password (set)" in page
    assert "very-secret-words" not in page
    assert "Magnolia Dermatology &amp; Laser &lt;care@magnolia-derm.example&gt;" in (
        manager.get("/settings").text
    )


def test_settings_say_how_to_set_up_email_when_it_is_not(tmp_path: Path) -> None:
    page = html.unescape(desk(tmp_path, {}, MANAGER).get("/settings").text)
    assert "HANDOUTS_SMTP_HOST is missing from the environment" in page
    assert "then restart <code>handouts serve</code>" in page


def test_a_draft_for_a_named_patient_is_refused_until_a_manager_records_a_sign_off(
    tmp_path: Path,
) -> None:
    staff = desk(tmp_path, SMTP)
    fields = {"protocol": "light-chemical-peel", "patient": "Draft Patient", "clinic": "magnolia"}
    status, page = post(staff, action="download", **fields)
    assert status == 422
    assert outcome(page) == (
        "Not made: Light chemical peel care is a draft that no clinician has signed off yet, "
        "so it cannot go to a patient. Ask a manager to record a clinician's sign-off on the "
        "Settings page; meanwhile, leave the patient name empty to make a blank handout "
        "marked draft."
    )
    assert "--allow-draft" not in page and "handouts signoff" not in page
    manager = desk(tmp_path, SMTP, MANAGER)
    token = csrf_token(manager.get("/settings").text)
    nameless = manager.post(
        "/settings/signoff",
        data={"csrf_token": token, "protocol": "light-chemical-peel", "language": "en"},
    )
    assert nameless.status_code == 422
    assert "Type the name of the clinician" in html.unescape(nameless.text)
    signed = manager.post(
        "/settings/signoff",
        data={
            "csrf_token": token,
            "protocol": "light-chemical-peel",
            "language": "en",
            "clinician": "Dr Ana Silva",
        },
    )
    assert signed.status_code == 200
    text = html.unescape(signed.text)
    assert "Signed off: Light chemical peel care (English) by Dr Ana Silva" in text
    assert "signed off by Dr Ana Silva on" in text
    # Now it is no longer marked draft in the picker.
    picker = html.unescape(staff.get("/").text)
    option = re.search(r'<option value="light-chemical-peel"[^>]*>([^<]*)</option>', picker)
    assert option and option.group(1) == "Light chemical peel care"
