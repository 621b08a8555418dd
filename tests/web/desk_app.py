"""The web app in-process with warm renderers, on its own content root, data folder and clock.

For refusals and error paths: no server process, no port, and the test can
break the content before the app starts.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from argon2 import PasswordHasher
from starlette.testclient import TestClient

from handouts.web.app import WebSettings, create_app
from handouts.web.data import DataFolder
from handouts.web.users import Passwords, Role, UserStore
from tools.live_server import MANAGER, PASSWORD, STAFF

# argon2 at its lowest cost: these tests are about pages, not password hashing.
CHEAP = Passwords(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
LIMITED = "harbour-manager"  # a manager of Harbourside only


def add_users(data: Path) -> None:
    users = UserStore(DataFolder(data), CHEAP)
    users.add(STAFF, PASSWORD, Role.STAFF)
    users.add(MANAGER, PASSWORD, Role.MANAGER)
    users.add(LIMITED, PASSWORD, Role.MANAGER, clinics=["harbourside"])


class Clock:
    """The time the app and the ledger see; a test moves it, nothing sleeps."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> float:  # the web settings' clock: seconds since the epoch
        return self.now.timestamp()

    def moment(self) -> dt.datetime:  # a ledger's clock
        return self.now


@contextmanager
def running(
    content_root: Path, data: Path, clock: Clock | None = None, **environ: str
) -> Iterator[TestClient]:
    """The app on ``content_root`` with one warm renderer; staff and managers can sign in."""
    add_users(data)
    settings = WebSettings(content_root, data, workers=1, environ=environ, passwords=CHEAP)
    if clock is not None:
        settings.clock = clock
    app = create_app(settings)
    # Errors are answered as a browser would see them, not raised into the test.
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as client:
        yield client


def csrf(client: TestClient, path: str = "/signin") -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert match, f"{path} has no CSRF token"
    return match.group(1)


def sign_in(client: TestClient, name: str = STAFF) -> str:
    """Sign in as ``name`` (afresh); returns the session's CSRF token for forms."""
    client.cookies.clear()
    token = csrf(client)
    response = client.post(
        "/signin", data={"csrf_token": token, "name": name, "password": PASSWORD}
    )
    assert response.status_code == 303, response.text
    return csrf(client, "/")
