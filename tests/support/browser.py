"""What the browser tests share beyond their fixtures: signing in on the page, the
accessibility check, and the shape of the SMTP server the web server sends to."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.smtp import Mailbox
from tools.live_server import PASSWORD, STAFF

# axe-core, installed by `make test` with npm (the Makefile's AXE).
AXE = (
    Path(__file__).resolve().parents[2]
    / ".cache"
    / "axe"
    / "node_modules"
    / "axe-core"
    / "axe.min.js"
)


@dataclass
class Smtp:
    """A real SMTP server on 127.0.0.1 and what it received."""

    box: Mailbox
    port: int


def sign_in(page: object, name: str = STAFF, password: str = PASSWORD) -> None:
    page.goto("/signin")  # type: ignore[attr-defined]
    page.get_by_label("User name").fill(name)  # type: ignore[attr-defined]
    page.get_by_label("Password").fill(password)  # type: ignore[attr-defined]
    # Returns once the answer to the form has loaded (the desk, or the sign-in page again
    # saying why): a check straight after a bare click could still see the old page.
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.get_by_role("button", name="Sign in").click()  # type: ignore[attr-defined]


def axe_violations(page: object) -> list[dict]:
    """Serious and critical axe-core findings on the page as it is now."""
    if not AXE.exists():
        pytest.fail(f"axe-core is not installed at {AXE}; run `make test` (it runs npm install)")
    # Evaluated through the browser's debugging protocol, so the page's CSP does not block it.
    page.evaluate(AXE.read_text(encoding="utf-8"))  # type: ignore[attr-defined]
    results = page.evaluate("async () => (await axe.run(document)).violations")  # type: ignore[attr-defined]
    return [v for v in results if v["impact"] in ("serious", "critical")]
