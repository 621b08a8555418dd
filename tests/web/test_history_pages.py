"""The history search and the signature pad in a real browser against a real ``handouts serve``."""

from __future__ import annotations

import datetime as dt

import pytest

from handouts import service
from handouts.content.bundled import BUNDLED_ROOT
from handouts.content.store import ContentStore
from handouts.records import Ledger
from handouts.request import HandoutRequest
from handouts.signing import signatures_of
from tests.support.browser import axe_violations, sign_in
from tools.live_server import MANAGER, STAFF, Server

pytestmark = pytest.mark.browser

DESK_SCREEN = {"width": 1366, "height": 768}


def _given(server: Server, patient: str, email: str | None = None) -> int:
    """A handout made for ``patient`` by the desk, recorded in the server's own ledger."""
    server.names_used.append(patient)
    request = HandoutRequest(
        "microneedling", "harbourside", patient, dt.date(2026, 11, 22), email=email
    )
    given = service.give(
        ContentStore(BUNDLED_ROOT),
        request,
        ledger=Ledger(server.data),
        by=STAFF,
        source=service.Source.WEB,
    )
    assert given.handout_id is not None
    return given.handout_id


def test_a_manager_finds_a_patient_and_opens_their_page(page, server: Server) -> None:
    handout_id = _given(server, "Quilla Searchable", "quilla@example.com")
    page.set_viewport_size(DESK_SCREEN)
    sign_in(page, MANAGER)
    page.get_by_role("link", name="History").click()
    assert page.get_by_role("heading", name="History", exact=True).is_visible()
    page.get_by_label("Patient name or email").fill("quilla sea")
    page.get_by_role("button", name="Search").click()
    assert page.get_by_role("heading", name="1 handout found").is_visible()
    assert "quilla" not in page.url.casefold()  # the search went in a form, not the address
    assert axe_violations(page) == []
    page.get_by_role("link", name="Quilla Searchable").click()
    assert page.url.endswith(f"/history/handouts/{handout_id}")
    assert page.get_by_role("heading", name="Patient: Quilla Searchable").is_visible()
    assert page.get_by_role("button", name="Print again: Micro-Needling aftercare").is_visible()
    assert page.get_by_role("button", name="Email again to quilla@example.com").is_visible()
    assert page.get_by_label("Printer").is_visible()
    assert axe_violations(page) == []


def test_the_patient_signs_on_the_pad(page, server: Server) -> None:
    handout_id = _given(server, "Wren Signer")
    page.set_viewport_size(DESK_SCREEN)
    sign_in(page, STAFF)
    page.goto(f"/handouts/{handout_id}/sign")
    save = page.get_by_role("button", name="Save signature")
    assert save.is_disabled()  # nothing drawn yet
    assert axe_violations(page) == []
    pad = page.locator("#signature-pad").bounding_box()
    assert pad is not None and pad["width"] > 600  # room to sign on a desk's screen
    x, y = pad["x"], pad["y"]
    page.mouse.move(x + 60, y + 150)
    page.mouse.down()
    for step in range(1, 30):
        page.mouse.move(x + 60 + step * 15, y + 150 - 60 * ((step % 6) / 6), steps=2)
    page.mouse.up()
    assert save.is_enabled()
    page.get_by_role("button", name="Clear").click()
    assert save.is_disabled()
    page.mouse.move(x + 80, y + 120)
    page.mouse.down()
    page.mouse.move(x + 400, y + 180, steps=20)
    page.mouse.move(x + 600, y + 90, steps=20)
    page.mouse.up()
    save.click()
    assert page.get_by_text("Signed. Thank you.").is_visible()
    assert page.get_by_role("img", name="The patient's signature").is_visible()
    [kept] = signatures_of(Ledger(server.data), [handout_id])[handout_id]
    assert kept.witnessed_by == STAFF
    assert len(kept.png) < 64 * 1024


def test_a_finger_signs_on_a_touch_screen(browser, server: Server) -> None:
    handout_id = _given(server, "Tamsin Touch")
    context = browser.new_context(
        base_url=server.url, viewport={"width": 1280, "height": 800}, has_touch=True
    )
    try:
        page = context.new_page()
        sign_in(page, STAFF)
        page.goto(f"/handouts/{handout_id}/sign")
        pad = page.locator("#signature-pad").bounding_box()
        assert pad is not None
        x, y = pad["x"] + 50, pad["y"] + 120
        touch = context.new_cdp_session(page)
        touch.send(
            "Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]}
        )
        for step in range(1, 25):
            point = {"x": x + step * 20, "y": y + (30 if step % 2 else -30)}
            touch.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
        touch.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
        # The stroke drew (the page did not scroll or zoom instead) and can be saved.
        assert page.evaluate("window.scrollY") == 0
        page.get_by_role("button", name="Save signature").click()
        assert page.get_by_text("Signed. Thank you.").is_visible()
    finally:
        context.close()
    [kept] = signatures_of(Ledger(server.data), [handout_id])[handout_id]
    assert kept.witnessed_by == STAFF
