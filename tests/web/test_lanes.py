"""Nobody's failures delay a right password from another address (two lanes to argon2).

In process (TestClient, one event loop), with password checks that wait inside
until the test opens a gate: which check began when is known, not timed.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from handouts.web.lanes import LaneFull, PasswordLanes
from tests.support.loop import run_alone
from tests.web.inprocess import (
    PASSWORD,
    Desk,
    GatedPasswords,
    csrf_token,
    gated_desk,
)

BOSS = "boss2"
GUESSERS = [f"203.0.113.{n}" for n in range(1, 7)]


@pytest.fixture
def gated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Desk, GatedPasswords]:
    desk, passwords = gated_desk(tmp_path, monkeypatch)
    desk.add(BOSS)
    for address in GUESSERS:  # each has had one wrong password a minute ago
        desk.web.users.begin_sign_in("someone", address)
    desk.clock.advance(60)
    return desk, passwords


def until(condition: Callable[[], bool]) -> None:
    """Wait for a state the server reaches by itself (a bound, not a guess at timing)."""
    deadline = time.monotonic() + 30
    while not condition():
        assert time.monotonic() < deadline, "the server never got there"
        time.sleep(0.01)


def post_sign_in(
    client: TestClient, token: str, name: str, password: str, address: str
) -> tuple[int, str]:
    # One browser's token for every thread: a GET per thread would replace its cookie.
    form = {"csrf_token": token, "name": name, "password": password}
    answer = client.post("/signin", data=form, headers={"x-forwarded-for": address})
    return answer.status_code, answer.text


def test_a_right_password_from_a_clear_address_goes_before_failing_addresses_checks(
    gated: tuple[Desk, GatedPasswords],
) -> None:
    desk, passwords = gated
    lanes = desk.web.password_lanes
    answers: dict[str, int] = {}
    with TestClient(desk.app, follow_redirects=False) as client:
        token = csrf_token(client.get("/signin").text)

        def guess(address: str) -> None:
            answers[address] = post_sign_in(client, token, BOSS, "wrong-password", address)[0]

        def boss() -> None:
            answers["boss"] = post_sign_in(client, token, BOSS, PASSWORD, "198.51.100.20")[0]

        threads = [threading.Thread(target=guess, args=(a,), daemon=True) for a in GUESSERS]
        for thread in threads:
            thread.start()
        assert passwords.entered.acquire(timeout=30)  # one guess is being checked
        until(lambda: lanes.waiting(failing=True) == len(GUESSERS) - 1)
        threads.append(threading.Thread(target=boss, daemon=True))
        threads[-1].start()
        assert passwords.entered.acquire(timeout=30), "the right password waited"
        both_inside = passwords.inside
        passwords.gate.set()
        for thread in threads:
            thread.join(timeout=60)
    assert both_inside == 2, "the right password was checked only after the guess"
    assert passwords.order[1] == PASSWORD, "it waited behind the queued guesses"
    assert answers == {**dict.fromkeys(GUESSERS, 401), "boss": 303}


def test_a_full_failing_lane_refuses_one_more_at_once_without_counting_it(
    gated: tuple[Desk, GatedPasswords],
) -> None:
    desk, passwords = gated
    lanes = desk.web.password_lanes
    lanes.failing_waiting = 2
    answers: dict[str, int] = {}
    with TestClient(desk.app, follow_redirects=False) as client:
        token = csrf_token(client.get("/signin").text)

        def guess(address: str) -> None:
            answers[address] = post_sign_in(client, token, BOSS, "wrong-password", address)[0]

        threads = []
        for n, address in enumerate(GUESSERS[:3]):
            threads.append(threading.Thread(target=guess, args=(address,), daemon=True))
            threads[-1].start()
            if n == 0:
                assert passwords.entered.acquire(timeout=30)
            else:
                until(lambda n=n: lanes.waiting(failing=True) == n)
        status, text = post_sign_in(client, token, BOSS, PASSWORD, GUESSERS[3])
        checks_then = passwords.checks
        passwords.gate.set()
        for thread in threads:
            thread.join(timeout=60)
    assert status == 429 and "Many sign-ins are being checked" in text
    assert checks_then == 1, "the refused one was checked, or the waiting ones ran"
    with desk.web.data.connect() as db:
        (count,) = db.execute(
            "SELECT count FROM failures WHERE key = ?", (f"address:{GUESSERS[3]}",)
        ).fetchone()
    assert count == 1, "the refused try was counted as a wrong password"
    assert answers == dict.fromkeys(GUESSERS[:3], 401)


def test_a_waiting_check_whose_client_left_passes_its_place_on() -> None:
    async def scenario() -> list[str]:
        lanes = PasswordLanes(at_once=1, failing_at_once=1, failing_waiting=1)
        ran: list[str] = []
        release = asyncio.Event()

        async def check(name: str, failing: bool) -> None:
            async with lanes.turn(failing=failing):
                ran.append(name)
                if name == "first":
                    await release.wait()

        first = asyncio.ensure_future(check("first", False))
        await asyncio.sleep(0)
        left = asyncio.ensure_future(check("left", False))
        failing = asyncio.ensure_future(check("failing", True))
        await asyncio.sleep(0)
        with pytest.raises(LaneFull):  # the failing lane holds one waiting at most
            await check("refused", True)
        left.cancel()
        release.set()
        await asyncio.gather(first, failing)
        assert left.cancelled()
        async with lanes.turn(failing=False):  # every place was given back
            ran.append("after")
        return ran

    assert run_alone(scenario()) == ["first", "failing", "after"]
