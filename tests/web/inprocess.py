"""The web app in-process (Starlette's TestClient), on a clock the test moves.

For refusals and the rules of sessions and sign-in: no server process, no
renderers (nothing here makes a handout), a real SQLite data folder.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher
from starlette.applications import Starlette
from starlette.testclient import TestClient

from handouts.content.bundled import BUNDLED_ROOT
from handouts.web.app import Web, WebSettings, create_app
from handouts.web.sessions import COOKIE
from handouts.web.users import Passwords, Role

PASSWORD = "correct-horse-battery"
START = 1_800_000_000.0  # an arbitrary fixed moment
# The address Starlette's TestClient connects from: trusted as a proxy, it stands in for one.
TEST_CLIENT_ADDRESS = "testclient"


class Clock:
    """Time as the test says: it moves only when the test moves it."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def cheap_passwords() -> Passwords:
    # The cheapest argon2id: the rules under test do not depend on its cost.
    return Passwords(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@dataclass
class Desk:
    """One app, its data folder and clock, and helpers to use it like a browser."""

    app: Starlette
    clock: Clock
    data: Path
    clients: list[TestClient] = field(default_factory=list)

    @property
    def web(self) -> Web:
        web: Web = self.app.state.web
        return web

    def add(
        self,
        name: str,
        *,
        manager: bool = False,
        clinics: frozenset[str] | None = None,
        password: str = PASSWORD,
    ) -> None:
        role = Role.MANAGER if manager else Role.STAFF
        self.web.users.add(name, password, role, clinics)

    def client(self, **headers: str) -> TestClient:
        client = TestClient(self.app, follow_redirects=False, headers=headers)
        self.clients.append(client)
        return client

    def signed_in(self, name: str, password: str = PASSWORD, **headers: str) -> TestClient:
        client = self.client(**headers)
        response = sign_in(client, name, password)
        assert response.status_code == 303, response.text
        return client


def make_desk(
    tmp_path: Path,
    *,
    trusted_proxies: tuple[str, ...] = (),
    passwords: Passwords | None = None,
    environ: Mapping[str, str] | None = None,
) -> Desk:
    clock = Clock()
    data = tmp_path / "data"
    settings = WebSettings(
        content_root=BUNDLED_ROOT,
        data_dir=data,
        workers=1,
        trusted_proxies=trusted_proxies,
        clock=clock,
        passwords=passwords or cheap_passwords(),
        environ=os.environ if environ is None else environ,
    )
    return Desk(create_app(settings), clock, data)


def without_renderers(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> Desk:
    """The desk with no warm renderers started: for tests that make no handout."""
    monkeypatch.setattr(desk.web.handouts, "start", lambda: None)
    monkeypatch.setattr(desk.web.handouts, "close", lambda: None)
    return desk


def gated_desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Desk, GatedPasswords]:
    """A desk behind the test client as a trusted proxy, whose password checks wait at a
    gate the test opens, with no renderers: for sign-ins that queue and throttle."""
    passwords = GatedPasswords()
    desk = make_desk(tmp_path, trusted_proxies=(TEST_CLIENT_ADDRESS,), passwords=passwords)
    return without_renderers(desk, monkeypatch), passwords


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def sign_in(client: TestClient, name: str, password: str = PASSWORD) -> httpx.Response:
    token = csrf_token(client.get("/signin").text)
    form = {"csrf_token": token, "name": name, "password": password}
    response: httpx.Response = client.post("/signin", data=form)
    return response


def cookie_of(client: TestClient) -> str:
    value = client.cookies.get(COOKIE)
    assert value, "no session cookie"
    return str(value)


def token_of(client: TestClient, path: str = "/") -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return csrf_token(response.text)


class GatedPasswords(Passwords):
    """argon2 that waits inside ``verify`` until the test opens the gate.

    So the test knows, without timing anything, that password checks are in
    progress while it does something else. If a check ran on the event loop,
    the loop itself would be stuck here; the gate then opens on its own after
    a few seconds (so a regression fails instead of hanging) and says so.
    """

    def __init__(self) -> None:
        super().__init__(cheap_passwords()._hasher)
        self.gate = threading.Event()
        self.entered = threading.Semaphore(0)
        self.lock = threading.Lock()
        self.inside = 0
        self.most_at_once = 0
        self.checks = 0
        self.order: list[str] = []  # the passwords, in the order their checks began
        self.gave_up_waiting = False

    def verify(self, stored: str | None, password: str) -> bool:
        with self.lock:
            self.inside += 1
            self.checks += 1
            self.order.append(password)
            self.most_at_once = max(self.most_at_once, self.inside)
        self.entered.release()
        try:
            if not self.gate.wait(timeout=5):
                self.gave_up_waiting = True
                self.gate.set()
            return super().verify(stored, password)
        finally:
            with self.lock:
                self.inside -= 1
