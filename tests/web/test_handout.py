"""Download, Print and Email await their render as previews do: without holding a thread.

In process (TestClient, one event loop for every request), with the server's
thread pool cut to one thread: while a handout waits for a worker, a static
file (served from that pool) is still answered. The worker is a future the
test completes, so nothing here depends on timing.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Hashable
from concurrent.futures import Future
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import anyio.to_thread
import pytest
from starlette.testclient import TestClient

from handouts import service
from handouts.content.store import ContentStore
from handouts.request import HandoutRequest
from tests.support.browser import Smtp
from tests.web.inprocess import csrf_token, make_desk, sign_in

PATIENT = "Ada Waiting"
STAFF = "frontdesk"
ADDRESS = "ada@example.org"


class HeldRenders:
    """Stands in for the warm workers: each handout waits until the test gives it."""

    def __init__(self) -> None:
        self.asked = threading.Event()
        self.slots: list[Hashable | None] = []
        self.queued: list[Future[service.MadeHandout]] = []
        self.blocking_calls = 0

    def make_later(
        self, request: HandoutRequest, slot: Hashable | None = None
    ) -> Future[service.MadeHandout]:
        future: Future[service.MadeHandout] = Future()
        self.slots.append(slot)
        self.queued.append(future)
        self.asked.set()
        return future

    def make(self, request: HandoutRequest) -> service.MadeHandout:
        # The old way: a server thread waiting for a worker. Never while the test holds it.
        self.blocking_calls += 1
        raise AssertionError("a handout was awaited in a server thread")


async def _one_thread() -> None:
    anyio.to_thread.current_default_thread_limiter().total_tokens = 1


@pytest.mark.parametrize("action", ["download", "email", "print"])
def test_a_handout_waiting_for_a_worker_holds_no_server_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, smtp: Smtp, content: ContentStore, action: str
) -> None:
    environ = {
        "HANDOUTS_SMTP_HOST": "127.0.0.1",
        "HANDOUTS_SMTP_PORT": str(smtp.port),
        "HANDOUTS_SMTP_SECURITY": "none",
        "HANDOUTS_SMTP_FROM": "desk@example.org",
    }
    desk = make_desk(tmp_path, environ=environ)
    desk.add(STAFF)
    held = HeldRenders()
    handouts = desk.web.handouts
    monkeypatch.setattr(handouts, "start", lambda: None)
    monkeypatch.setattr(handouts, "close", lambda: None)
    monkeypatch.setattr(handouts, "make_later", held.make_later)
    monkeypatch.setattr(handouts, "make", held.make)
    printed: list[bytes] = []

    def print_given(ledger: Any, given: service.Given, by: str, **options: Any) -> Any:
        # CUPS itself is tested elsewhere (tests/web/test_history_routes.py); here, what reached it.
        printed.append(given.made.data)
        return SimpleNamespace(refused=False, ok=True, printer="desk-printer", job="7")

    monkeypatch.setattr(service, "print_given", print_given)
    request = HandoutRequest("micropenning", "magnolia", PATIENT, email=ADDRESS)
    made = service.make_handout(content, request)  # what the worker would answer
    answers: list[Any] = []
    with TestClient(desk.app, follow_redirects=False) as client:
        client.portal.call(_one_thread)  # type: ignore[union-attr]
        assert sign_in(client, STAFF).status_code == 303
        token = csrf_token(client.get("/").text)
        fields = {
            "csrf_token": token,
            "clinic": "magnolia",
            "protocol": "micropenning",
            "patient": PATIENT,
            "email": ADDRESS,
            "action": action,
        }

        def press() -> None:
            answers.append(client.post("/handout", data=fields))

        pressing = threading.Thread(target=press, daemon=True)
        pressing.start()
        assert held.asked.wait(30), "the handout never asked for a worker"
        static = client.get("/static/app.css")  # needs the one thread
        waiting = not held.queued[0].done()
        held.queued[0].set_result(made)
        pressing.join(timeout=60)
    assert static.status_code == 200 and waiting, "the static file waited for the handout"
    assert held.blocking_calls == 0
    assert len(held.slots) == 1 and held.slots[0], "not queued in the session's turns"
    (answer,) = answers
    if action == "download":
        assert answer.status_code == 200
        assert answer.content == made.data
    elif action == "email":
        assert answer.status_code == 200, answer.text
        assert any(ADDRESS in envelope.rcpt_tos for envelope in smtp.box.received)
    else:
        assert "Sent to desk-printer: 1 copy (print job 7)." in answer.text
        assert printed == [made.data]
    recorded = desk.web.ledger.latest_with_pdf(hashlib.sha256(made.data).hexdigest(), PATIENT)
    assert recorded is not None, "the handout made after the wait was not recorded"
