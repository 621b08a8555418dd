"""Slowing down guessers never locks a user out; X-Forwarded-For only from named proxies.

In-process (TestClient), on a clock the test moves: a 429 here is a wait the
server imposed, not a slow machine.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from handouts.web.app import HASHING_AT_ONCE
from handouts.web.throttle import FORGET_AFTER_SECONDS, FREE_FAILURES
from tests.web.inprocess import (
    PASSWORD,
    TEST_CLIENT_ADDRESS,
    Desk,
    GatedPasswords,
    csrf_token,
    gated_desk,
    make_desk,
)

BOSS = "boss2"


def try_password(client: TestClient, name: str, password: str, forwarded: str = "") -> int:
    token = csrf_token(client.get("/signin").text)
    headers = {"x-forwarded-for": forwarded} if forwarded else {}
    form = {"csrf_token": token, "name": name, "password": password}
    return int(client.post("/signin", data=form, headers=headers).status_code)


@pytest.fixture
def behind_proxy(tmp_path: Path) -> Desk:
    desk = make_desk(tmp_path, trusted_proxies=(TEST_CLIENT_ADDRESS,))
    desk.add(BOSS, manager=True)
    desk.add("frontdesk")
    return desk


def test_nine_forwarded_addresses_cannot_lock_out_a_user(behind_proxy: Desk) -> None:
    attacker = behind_proxy.client()
    statuses = [
        try_password(attacker, BOSS, "wrong-password", f"203.0.113.{n}")
        for n in range(1, 10)
        for _ in range(6)
    ]
    assert statuses.count(429) == 9 * (6 - FREE_FAILURES), "each guessing address waits"
    # Immediately after, with the clock not moved: boss2 from the clinic's address.
    boss = behind_proxy.client()
    assert try_password(boss, BOSS, PASSWORD, "198.51.100.20") == 303


def test_one_wrong_try_every_five_minutes_keeps_only_the_guesser_waiting(
    behind_proxy: Desk,
) -> None:
    attacker = behind_proxy.client()
    for _ in range(12):
        try_password(attacker, BOSS, "wrong-password", "203.0.113.50")
        behind_proxy.clock.advance(300)
    assert try_password(behind_proxy.client(), BOSS, PASSWORD, "198.51.100.20") == 303


def test_an_address_guessing_at_many_names_waits_even_with_a_right_password(
    behind_proxy: Desk,
) -> None:
    guesser = behind_proxy.client()
    names = ["alice", "bob", "carol", "dave"]
    statuses = [try_password(guesser, name, "wrong-password", "203.0.113.7") for name in names]
    assert statuses == [401] * FREE_FAILURES + [429]
    assert try_password(guesser, BOSS, PASSWORD, "203.0.113.7") == 429
    behind_proxy.clock.advance(FORGET_AFTER_SECONDS)
    assert try_password(guesser, BOSS, PASSWORD, "203.0.113.7") == 303


def test_a_user_s_own_typos_make_only_that_desk_wait(behind_proxy: Desk) -> None:
    desk = behind_proxy.client()
    for _ in range(FREE_FAILURES):
        assert try_password(desk, BOSS, "wrong-password", "198.51.100.20") == 401
    assert try_password(desk, BOSS, PASSWORD, "198.51.100.20") == 429
    assert try_password(behind_proxy.client(), BOSS, PASSWORD, "198.51.100.99") == 303
    behind_proxy.clock.advance(60)
    assert try_password(desk, BOSS, PASSWORD, "198.51.100.20") == 303


def test_the_forwarded_header_is_ignored_without_a_trusted_proxy(tmp_path: Path) -> None:
    desk = make_desk(tmp_path)  # no --trusted-proxy
    desk.add(BOSS, manager=True)
    attacker = desk.client()
    statuses = [
        try_password(attacker, BOSS, "wrong-password", f"203.0.113.{n}") for n in range(1, 6)
    ]
    # Every try counted against the connecting address: a new header buys nothing.
    assert statuses == [401] * FREE_FAILURES + [429, 429]
    with desk.web.data.connect() as db:
        keys = {row[0] for row in db.execute("SELECT key FROM failures")}
    assert keys == {f"pair:{BOSS}@{TEST_CLIENT_ADDRESS}", f"address:{TEST_CLIENT_ADDRESS}"}


def test_a_forwarded_address_from_a_proxy_not_named_is_ignored(tmp_path: Path) -> None:
    desk = make_desk(tmp_path, trusted_proxies=("192.0.2.1",))  # some other proxy
    desk.add(BOSS)
    client = desk.client()
    for n in range(FREE_FAILURES):
        try_password(client, BOSS, "wrong-password", f"203.0.113.{n}")
    assert try_password(client, BOSS, PASSWORD, "203.0.113.200") == 429


def in_threads(count: int, work: object) -> Iterator[threading.Thread]:
    for n in range(count):
        thread = threading.Thread(target=work, args=(n,), daemon=True)  # type: ignore[arg-type]
        thread.start()
        yield thread


@pytest.fixture
def gated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Desk, GatedPasswords]:
    return gated_desk(tmp_path, monkeypatch)


def test_static_files_are_served_while_thirty_sign_ins_are_checking(
    gated: tuple[Desk, GatedPasswords],
) -> None:
    desk, passwords = gated
    answers: dict[int, int] = {}
    # One event loop for every request, as in the server (the context manager).
    with TestClient(desk.app, follow_redirects=False) as client:
        token = csrf_token(client.get("/signin").text)

        def sign_in(n: int) -> None:
            form = {"csrf_token": token, "name": f"user{n}", "password": "wrong-password"}
            headers = {"x-forwarded-for": f"198.51.100.{n + 1}"}
            answers[n] = client.post("/signin", data=form, headers=headers).status_code

        threads = list(in_threads(30, sign_in))
        for _ in range(HASHING_AT_ONCE):
            assert passwords.entered.acquire(timeout=30), "no password check started"
        static = client.get("/static/app.css")
        still_checking = passwords.inside
        passwords.gate.set()
        for thread in threads:
            thread.join(timeout=60)
    assert static.status_code == 200 and static.text.startswith("/*")
    assert still_checking == HASHING_AT_ONCE, "the static file came after the checks"
    assert not passwords.gave_up_waiting, "a password check held up the event loop"
    assert answers == dict.fromkeys(range(30), 401)
    assert passwords.checks == 30
    assert passwords.most_at_once == HASHING_AT_ONCE


def test_guesses_sent_at_once_cannot_slip_past_the_count(
    gated: tuple[Desk, GatedPasswords],
) -> None:
    desk, passwords = gated
    desk.add(BOSS)
    answers: dict[int, int] = {}
    with TestClient(desk.app, follow_redirects=False) as client:
        token = csrf_token(client.get("/signin").text)

        def guess(n: int) -> None:
            form = {"csrf_token": token, "name": BOSS, "password": f"guess-{n}"}
            headers = {"x-forwarded-for": "203.0.113.66"}
            answers[n] = client.post("/signin", data=form, headers=headers).status_code

        threads = list(in_threads(12, guess))
        for _ in range(HASHING_AT_ONCE):
            assert passwords.entered.acquire(timeout=30)
        passwords.gate.set()
        for thread in threads:
            thread.join(timeout=60)
    assert passwords.checks == FREE_FAILURES, "more guesses were checked than are free"
    assert sorted(answers.values()) == [401] * FREE_FAILURES + [429] * (12 - FREE_FAILURES)


def test_forgotten_counts_leave_the_table(behind_proxy: Desk) -> None:
    guesser = behind_proxy.client()
    for n in range(20):
        try_password(guesser, f"made-up-{n}", "wrong-password", f"203.0.113.{n}")
    behind_proxy.clock.advance(FORGET_AFTER_SECONDS)
    try_password(guesser, BOSS, "wrong-password", "203.0.113.250")
    with behind_proxy.web.data.connect() as db:
        keys = {row[0] for row in db.execute("SELECT key FROM failures")}
    assert keys == {f"pair:{BOSS}@203.0.113.250", "address:203.0.113.250"}
