"""What the server refuses, and what it never lets out: over plain HTTP against the real server."""

from __future__ import annotations

import pytest

from handouts.content.file_names import patient_slug
from tools.live_server import PASSWORD, STAFF, Server, csrf_token


@pytest.mark.parametrize("path", ["/", "/batch", "/history"])
def test_pages_need_signing_in(server: Server, path: str) -> None:
    response = server.client().get(path)
    assert response.status_code == 303
    assert response.headers["location"] == "/signin"


def test_a_preview_without_signing_in_is_refused(server: Server) -> None:
    client = server.client()
    token = csrf_token(client.get("/signin").text)
    response = client.post(
        "/preview", data={"csrf_token": token, "protocol": "micropenning", "patient": "X"}
    )
    assert response.status_code == 401
    assert "not signed in" in response.text


def test_a_form_without_its_csrf_token_is_refused(server: Server) -> None:
    client = server.signed_in()
    form = {"protocol": "micropenning", "patient": "Forged Patient", "action": "download"}
    server.names_used.append("Forged Patient")
    refused = client.post("/handout", data=form)
    assert refused.status_code == 403
    assert "nothing was done" in refused.text
    wrong = client.post("/handout", data={**form, "csrf_token": "guessed"})
    assert wrong.status_code == 403
    token = csrf_token(client.get("/").text)
    made = client.post("/handout", data={**form, "csrf_token": token})
    assert made.status_code == 200
    assert made.content.startswith(b"%PDF")


def test_a_sign_in_form_from_elsewhere_is_refused(server: Server) -> None:
    response = server.client().post("/signin", data={"name": STAFF, "password": PASSWORD})
    assert response.status_code == 403


def test_pages_are_not_stored_and_cannot_be_framed(server: Server) -> None:
    client = server.signed_in()
    for path in ("/", "/signin"):
        headers = client.get(path).headers
        assert headers["cache-control"] == "no-store"
        policy = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
    assert "<script>" not in client.get("/").text  # no inline script anywhere


def test_a_request_over_the_size_limit_is_refused(server: Server) -> None:
    client = server.signed_in()
    response = client.post("/handout", content=b"x" * (5 * 1024 * 1024))
    assert response.status_code == 413


def test_repeated_wrong_passwords_are_slowed_down(server: Server) -> None:
    # A client address of its own (the server believes X-Forwarded-For from 127.0.0.1).
    client = server.client(headers={"x-forwarded-for": "203.0.113.9"})
    token = csrf_token(client.get("/signin").text)
    statuses = []
    for _ in range(4):
        wrong = {"csrf_token": token, "name": "nobody-here", "password": "wrong-password"}
        statuses.append(client.post("/signin", data=wrong).status_code)
    assert statuses[:3] == [401, 401, 401]
    assert statuses[3] == 429
    right = client.post("/signin", data={"csrf_token": token, "name": STAFF, "password": PASSWORD})
    assert right.status_code == 429, "the address must wait, even with the right password"
    assert "Too many wrong passwords. Wait" in right.text


def test_the_server_log_holds_no_patient_name(server: Server) -> None:
    client = server.signed_in()
    token = csrf_token(client.get("/").text)
    name = "Loggable Patientname"
    server.names_used.append(name)
    form = {"csrf_token": token, "protocol": "micropenning", "patient": name, "date": "2026-11-22"}
    assert client.post("/preview", data=form).status_code == 200
    assert client.post("/handout", data={**form, "action": "download"}).status_code == 200
    log = server.log()
    assert '"POST /preview HTTP/1.1" 200' in log  # uvicorn's access log is on
    for used in server.names_used:
        assert used not in log, "a patient's name is in the server's log"
        assert patient_slug(used) not in log, "a patient's name (as a file name) is in the log"
