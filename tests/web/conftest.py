"""Fixtures for the web tests: the server, a mailbox it sends to, and a real browser."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from tests.support.browser import Smtp
from tests.support.smtp import Mailbox
from tools.chromium import CHROMIUM, CHROMIUM_ARGS
from tools.live_server import (
    MANAGER,
    STAFF,
    Server,
    add_user,
    free_port,
    start_server,
    stop_server,
)


@pytest.fixture(scope="session")
def smtp() -> Iterator[Smtp]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield Smtp(box, controller.port)
    finally:
        controller.stop()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, smtp: Smtp) -> Iterator[Server]:
    base = tmp_path_factory.mktemp("web")
    data = base / "data"
    add_user(data, STAFF)
    add_user(data, MANAGER, manager=True)
    environ = {
        "HANDOUTS_SMTP_HOST": "127.0.0.1",
        "HANDOUTS_SMTP_PORT": str(smtp.port),
        "HANDOUTS_SMTP_SECURITY": "none",
        # The tests stand in for a proxy on 127.0.0.1, each with its own client address.
        "HANDOUTS_TRUSTED_PROXY": "127.0.0.1",
    }
    running = start_server(data, base / "server.log", environ)
    try:
        yield running
    finally:
        stop_server(running)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip("chromium is not installed (/usr/bin/chromium); `make test` installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: object, server: Server, tmp_path: Path) -> Iterator[object]:
    context = browser.new_context(base_url=server.url, accept_downloads=True)  # type: ignore[attr-defined]
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    try:
        yield tab
    finally:
        context.close()
