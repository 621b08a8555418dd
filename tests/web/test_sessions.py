"""Sessions live on the server: sign-out, removal, a new password and time end them for good."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from itsdangerous import URLSafeSerializer
from starlette.testclient import TestClient

from handouts.cli import main
from handouts.web.data import DATABASE_NAME
from handouts.web.sessions import COOKIE, DEFAULT_IDLE, DEFAULT_LIFETIME, SEEN_EVERY
from tests.web.inprocess import (
    PASSWORD,
    Desk,
    GatedPasswords,
    cookie_of,
    make_desk,
    sign_in,
    token_of,
    without_renderers,
)

STAFF, MANAGER = "frontdesk", "boss2"


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    desk = make_desk(tmp_path)
    desk.add(STAFF)
    desk.add(MANAGER, manager=True)
    return desk


def opens(desk: Desk, cookie: str, path: str = "/account") -> bool:
    """Whether a browser holding only ``cookie`` gets the page (not sent to sign in)."""
    fresh = desk.client()
    fresh.cookies.set(COOKIE, cookie)
    response = fresh.get(path)
    assert response.status_code in (200, 303), response.status_code
    if response.status_code == 303:
        assert response.headers["location"] == "/signin"
    return bool(response.status_code == 200)


def test_a_session_ends_at_its_lifetime_counted_from_sign_in(desk: Desk) -> None:
    client = desk.signed_in(STAFF)
    cookie = cookie_of(client)
    for _ in range(DEFAULT_LIFETIME // (DEFAULT_IDLE // 2) - 1):  # busy all day
        desk.clock.advance(DEFAULT_IDLE // 2)
        assert opens(desk, cookie)
    desk.clock.advance(DEFAULT_IDLE // 2)
    assert not opens(desk, cookie)


def test_a_session_left_idle_ends(desk: Desk) -> None:
    cookie = cookie_of(desk.signed_in(STAFF))
    desk.clock.advance(DEFAULT_IDLE - SEEN_EVERY - 1)
    assert opens(desk, cookie), "used within the idle limit"
    desk.clock.advance(DEFAULT_IDLE - 1)
    assert opens(desk, cookie), "the last use counts, not sign-in"
    desk.clock.advance(DEFAULT_IDLE)
    assert not opens(desk, cookie)
    desk.clock.advance(-DEFAULT_IDLE)  # even if the clock went back: the session is gone
    assert not opens(desk, cookie)


def test_a_wrong_password_with_the_session_s_own_token_does_not_keep_it_alive(
    desk: Desk,
) -> None:
    client = desk.signed_in(MANAGER)
    cookie = cookie_of(client)
    token = token_of(client, "/account")
    for _ in range(DEFAULT_LIFETIME // 600 + 2):  # every 10 minutes, past the lifetime
        desk.clock.advance(600)
        wrong = client.post(
            "/signin", data={"csrf_token": token, "name": MANAGER, "password": "wrong-password"}
        )
        assert wrong.status_code in (401, 429)
        assert COOKIE not in wrong.headers.get("set-cookie", ""), "the cookie was re-issued"
    assert cookie_of(client) == cookie
    assert not opens(desk, cookie, "/history")


def test_the_sign_in_page_does_not_keep_a_session_alive(desk: Desk) -> None:
    client = desk.signed_in(STAFF)
    cookie = cookie_of(client)
    desk.clock.advance(DEFAULT_IDLE - 60)
    again = client.get("/signin")
    assert again.status_code == 303  # already signed in: to the form, no new cookie
    assert "set-cookie" not in again.headers
    desk.clock.advance(DEFAULT_IDLE - 60)
    later = client.get("/signin")
    assert later.status_code == 200, "GET /signin counted as use"
    assert "set-cookie" not in later.headers
    assert not opens(desk, cookie)


def test_after_sign_out_the_same_cookie_opens_nothing(desk: Desk) -> None:
    client = desk.signed_in(MANAGER)
    cookie = cookie_of(client)
    assert opens(desk, cookie, "/history")
    signed_out = client.post("/signout", data={"csrf_token": token_of(client, "/account")})
    assert signed_out.status_code == 303
    assert not opens(desk, cookie, "/history")
    assert not opens(desk, cookie, "/account")


def test_sign_out_needs_the_session_s_token(desk: Desk) -> None:
    client = desk.signed_in(STAFF)
    assert client.post("/signout", data={"csrf_token": "guessed"}).status_code == 403
    assert opens(desk, cookie_of(client))


def test_remove_then_add_with_a_new_password_ends_the_old_cookie(desk: Desk) -> None:
    cookie = cookie_of(desk.signed_in(MANAGER))
    runner = CliRunner()
    data = ["--data", str(desk.data)]
    removed = runner.invoke(main, ["users", "remove", MANAGER, *data])
    assert removed.exit_code == 0, removed.output
    assert removed.output == f"removed {MANAGER}; 1 session ended\n"
    added = runner.invoke(
        main, ["users", "add", MANAGER, "--manager", *data], input="a-new-password-1\n"
    )
    assert added.exit_code == 0, added.output
    assert not opens(desk, cookie, "/history")
    assert not opens(desk, cookie)
    desk.signed_in(MANAGER, "a-new-password-1")


def test_a_reset_on_the_command_line_ends_every_session_at_once(desk: Desk) -> None:
    cookies = [cookie_of(desk.signed_in(STAFF)) for _ in range(2)]
    reset = CliRunner().invoke(
        main, ["users", "reset", STAFF, "--data", str(desk.data)], input="a-new-password-2\n"
    )
    assert reset.exit_code == 0, reset.output
    assert reset.output == f"new password set for {STAFF}; 2 sessions ended\n"
    assert not any(opens(desk, cookie) for cookie in cookies)


def test_signing_in_again_gives_a_new_session_and_ends_the_browser_s_old_one(
    desk: Desk,
) -> None:
    client = desk.signed_in(STAFF)
    first = cookie_of(client)
    token = token_of(client, "/account")
    form = {"csrf_token": token, "name": MANAGER, "password": PASSWORD}
    again = client.post("/signin", data=form)
    assert again.status_code == 303
    assert cookie_of(client) != first
    assert not opens(desk, first)
    assert opens(desk, cookie_of(client), "/history")


def test_only_a_hash_of_the_session_id_is_stored(desk: Desk) -> None:
    client = desk.signed_in(STAFF)
    key = (desk.data / "session.key").read_bytes()
    _, sid = URLSafeSerializer(key, salt="handouts-session").loads(cookie_of(client))
    assert sid and len(sid) >= 40
    assert sid.encode() not in (desk.data / DATABASE_NAME).read_bytes()


def test_a_forged_or_foreign_cookie_opens_nothing(desk: Desk, tmp_path: Path) -> None:
    cookie = cookie_of(desk.signed_in(STAFF))
    forged = cookie[:5] + ("A" if cookie[5] != "A" else "B") + cookie[6:]
    assert not opens(desk, forged)
    other = make_desk(tmp_path / "other")  # another server: another key
    other.add(STAFF)
    assert not opens(other, cookie)


def test_the_first_visit_gets_a_cookie_and_the_next_keeps_it(desk: Desk) -> None:
    client: TestClient = desk.client()
    first = client.get("/signin")
    assert COOKIE in first.headers["set-cookie"]
    assert "max-age" not in first.headers["set-cookie"].lower()  # a browser-session cookie
    assert "set-cookie" not in client.get("/signin").headers


def test_a_signed_in_cookie_is_dropped_by_the_browser_at_the_lifetime(desk: Desk) -> None:
    client = desk.client()
    response = sign_in(client, STAFF)
    header = response.headers["set-cookie"].lower()
    assert f"max-age={DEFAULT_LIFETIME}" in header
    assert "httponly" in header and "samesite=strict" in header


@pytest.mark.parametrize("change", ["reset", "remove"])
def test_a_reset_or_removal_during_a_sign_in_is_not_undone_by_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    passwords = GatedPasswords()
    desk = without_renderers(make_desk(tmp_path, passwords=passwords), monkeypatch)
    desk.add(STAFF)
    answer: list[int] = []
    with TestClient(desk.app, follow_redirects=False) as client:
        thread = threading.Thread(target=lambda: answer.append(sign_in(client, STAFF).status_code))
        thread.start()
        assert passwords.entered.acquire(timeout=30)  # the old password is being checked
        if change == "reset":
            desk.web.users.set_password(STAFF, "reset-meanwhile")
        else:
            desk.web.users.remove(STAFF)
        passwords.gate.set()
        thread.join(timeout=60)
    assert answer == [401]
    assert desk.web.sessions.count(STAFF) == 0
