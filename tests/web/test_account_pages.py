"""The account pages in a real browser at a desk's 1366x768: Users, and Your password."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.browser import axe_violations, sign_in
from tools.live_server import MANAGER, PASSWORD, Server, add_user

pytestmark = pytest.mark.browser

DESK = {"width": 1366, "height": 768}
# Where the screenshots go, to be looked at (kept out of the repository).
SHOTS = Path(os.environ.get("HANDOUTS_SCREENSHOTS", "/tmp"))


def test_a_manager_adds_a_user_for_one_clinic_who_then_sees_only_it(
    browser: object, server: Server
) -> None:
    context = browser.new_context(base_url=server.url, viewport=DESK)  # type: ignore[attr-defined]
    page = context.new_page()
    try:
        sign_in(page, MANAGER)
        page.get_by_role("link", name="Users").click()
        page.get_by_role("heading", name="Users").wait_for()
        assert axe_violations(page) == []
        page.get_by_label("User name").fill("reception3")
        page.get_by_label("Password", exact=True).fill("reception-three")
        page.get_by_label("Password again", exact=True).fill("reception-three")
        add_form = page.locator("form[action='/users']")
        add_form.get_by_label("Magnolia Dermatology & Laser").check()
        add_form.get_by_role("button", name="Add user").click()
        page.get_by_text("Added reception3.").wait_for()
        row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="reception3"))
        assert "Magnolia Dermatology & Laser" in row.get_by_role("cell").nth(1).inner_text()
        page.get_by_text("Clinics for reception3").click()  # the change opens in place
        page.screenshot(path=str(SHOTS / "accounts-users-1366.png"), full_page=False)
        assert axe_violations(page) == []
    finally:
        context.close()

    context = browser.new_context(base_url=server.url, viewport=DESK)  # type: ignore[attr-defined]
    page = context.new_page()
    try:
        sign_in(page, "reception3", "reception-three")
        clinic = page.get_by_label("Clinic")
        assert clinic.locator("option").all_inner_texts() == ["Magnolia Dermatology & Laser"]
    finally:
        context.close()


def test_changing_your_own_password_signs_you_out_with_a_word_why(
    browser: object, server: Server
) -> None:
    add_user(server.data, "pwchange")
    context = browser.new_context(base_url=server.url, viewport=DESK)  # type: ignore[attr-defined]
    page = context.new_page()
    try:
        sign_in(page, "pwchange", PASSWORD)
        page.get_by_role("link", name="Your password").click()
        page.get_by_label("Current password").fill(PASSWORD)
        page.get_by_label("New password", exact=True).fill("mine-and-only-mine")
        page.get_by_label("New password again").fill("mine-and-only-mine")
        page.screenshot(path=str(SHOTS / "accounts-password-1366.png"), full_page=False)
        assert axe_violations(page) == []
        page.get_by_role("button", name="Change password").click()
        page.get_by_text("Your password is changed. Sign in with the new one.").wait_for()
        assert page.url.endswith("/signin?changed=1")
        page.get_by_label("User name").fill("pwchange")
        page.get_by_label("Password").fill("mine-and-only-mine")
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("button", name="Sign out").wait_for()
    finally:
        context.close()
