"""A receptionist's laptop (1366x768) in a real browser: one handout after another, no scrolling.

Each action's button must lie inside the window as the page opens and after
every step, the preview must open a page at full size from the keyboard, and
Next patient must clear the patient and keep the clinic, printer and date.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from email.parser import BytesParser
from email.policy import default as default_policy
from pathlib import Path

import pytest

from tests.cups_fixture import CupsQueue, unique_marker
from tests.support.browser import Smtp, axe_violations, sign_in
from tools.live_server import MANAGER, Server

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 360, "height": 740}
DATE = "2026-11-22"
ACTIONS = ("Preview", "Download PDF", "Print", "Email", "Next patient")
FIELDS = ("Clinic", "Procedure", "Patient name", "Procedure date", "Patient email", "Printer")


@pytest.fixture
def laptop(browser: object, server: Server) -> Iterator[object]:
    context = browser.new_context(  # type: ignore[attr-defined]
        base_url=server.url, viewport=LAPTOP, accept_downloads=True
    )
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    try:
        yield tab
    finally:
        context.close()


def assert_on_screen(page, *names: str) -> None:
    """Every named button and field lies wholly inside the window, with nothing scrolled."""
    assert page.evaluate("window.scrollY") == 0
    width, height = LAPTOP["width"], LAPTOP["height"]
    for name in names or ACTIONS:
        if name in FIELDS:
            target = page.get_by_label(name, exact=True)
        else:
            target = page.get_by_role("button", name=name, exact=True)
        box = target.bounding_box()
        assert box is not None, f"{name} is not shown"
        assert box["x"] >= 0 and box["y"] >= 0, name
        assert box["x"] + box["width"] <= width and box["y"] + box["height"] <= height, (
            f"{name} ends at {box['y'] + box['height']:.0f} px, below the {height} px window"
        )


def fill(page, server: Server, patient: str) -> None:
    server.names_used.append(patient)
    page.get_by_label("Clinic").select_option("magnolia")
    page.get_by_label("Procedure", exact=True).select_option(label="Micropenning aftercare")
    page.get_by_label("Patient name").fill(patient)
    page.get_by_label("Procedure date").fill(DATE)


def test_a_handout_from_the_first_field_to_the_next_patient_without_scrolling(
    laptop, server: Server, smtp: Smtp, tmp_path: Path
) -> None:
    page = laptop
    sign_in(page)
    assert page.get_by_label("Procedure", exact=True).input_value() == ""  # nothing chosen
    assert_on_screen(page, *FIELDS, *ACTIONS)

    fill(page, server, "Laptop Patient")
    page.locator("#preview img").first.wait_for()
    assert page.locator("#preview-state").inner_text() == "Preview up to date."
    # The date as understood, the clinic's way (Magnolia writes US dates).
    assert page.locator("#date-spelled").inner_text().startswith("Sunday, November 22, 2026")
    assert_on_screen(page, *FIELDS, *ACTIONS)
    page.screenshot(path=str(tmp_path / "desk-1366.png"))

    # A page at full size, from the keyboard, and back.
    page.locator(".page-zoom").first.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Page 1 of 2")
    dialog.wait_for()
    full = page.locator("#page-full")
    natural = full.evaluate("img => img.naturalWidth")
    assert full.bounding_box()["width"] == pytest.approx(natural, abs=1)  # not shrunk
    assert natural >= 700  # about a real page's width on a screen
    page.keyboard.press("ArrowRight")
    page.get_by_role("dialog", name="Page 2 of 2").wait_for()
    page.screenshot(path=str(tmp_path / "desk-full-size.png"))
    page.keyboard.press("Escape")
    assert not dialog.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('page-zoom')")

    # Email: the real SMTP server gets it, and the buttons stay where they were.
    page.get_by_label("Patient email").fill("laptop.patient@example.org")
    before = len(smtp.box.received)
    page.get_by_role("button", name="Email", exact=True).click()
    assert page.locator("#outcome").inner_text() == "Emailed to laptop.patient@example.org."
    assert len(smtp.box.received) == before + 1
    message = BytesParser(policy=default_policy).parsebytes(smtp.box.received[-1].original_content)
    assert next(message.iter_attachments()).get_content().startswith(b"%PDF")
    assert_on_screen(page, *FIELDS, *ACTIONS)

    # Download, still without scrolling.
    with page.expect_download() as download:
        page.get_by_role("button", name="Download PDF").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")

    page.get_by_role("button", name="Next patient").click()
    assert page.get_by_label("Patient name").input_value() == ""
    assert page.get_by_label("Patient email").input_value() == ""
    assert page.get_by_label("Procedure", exact=True).input_value() == ""
    assert page.get_by_label("Clinic").input_value() == "magnolia"
    assert page.get_by_label("Procedure date").input_value() == DATE
    assert "Laptop Patient" not in page.content()
    assert page.evaluate("document.activeElement.id") == "patient"  # ready to type
    assert_on_screen(page, *FIELDS, *ACTIONS)
    assert axe_violations(page) == []


def test_a_wrong_address_message_keeps_the_buttons_on_screen(laptop, server: Server) -> None:
    page = laptop
    sign_in(page)
    fill(page, server, "Wrong Address Patient")
    page.get_by_label("Patient email").fill("priya@example")
    page.get_by_role("button", name="Email", exact=True).click()
    alert = page.get_by_role("alert").inner_text()
    assert alert.startswith("Not emailed: priya@example is not a complete email address.")
    assert alert.endswith("correct it and press Email again.")
    assert_on_screen(page)


def test_the_preview_follows_the_language(laptop, server: Server) -> None:
    page = laptop
    sign_in(page)
    fill(page, server, "Spanish Patient")
    page.locator("#preview img").first.wait_for()
    english = page.locator("#preview img").first.get_attribute("src")
    with page.expect_response("**/preview"):
        page.get_by_label("Language").select_option("es")
    page.wait_for_function(
        "old => document.querySelector('#preview img')?.src !== old", arg=english
    )
    page.get_by_text("Preview up to date.").wait_for()


@pytest.mark.cups
def test_print_and_the_printer_is_remembered_by_this_browser(
    laptop, server: Server, cups_queue: CupsQueue
) -> None:
    page = laptop
    marker = unique_marker("Laptop")
    since = time.time() - 1
    sign_in(page)
    fill(page, server, marker)
    page.get_by_label("Printer").select_option(cups_queue.name)
    assert_on_screen(page)
    page.get_by_role("button", name="Print", exact=True).click()
    status = page.locator("#outcome").inner_text()
    assert status.startswith(f"Sent to {cups_queue.name}: 1 copy (print job ")
    assert cups_queue.wait_for_pdf(marker, since=since).stat().st_size > 0
    assert_on_screen(page)
    page.get_by_role("button", name="Next patient").click()
    assert page.get_by_label("Printer").input_value() == cups_queue.name
    page.goto("/")  # a new page: the browser still knows its printer
    assert page.get_by_label("Printer").input_value() == cups_queue.name


def test_a_phone_wide_page_still_works(browser: object, server: Server, tmp_path: Path) -> None:
    context = browser.new_context(base_url=server.url, viewport=PHONE)  # type: ignore[attr-defined]
    page = context.new_page()
    try:
        sign_in(page, MANAGER)  # the longest menu
        fill(page, server, "Narrow Patient")
        page.locator("#preview img").first.wait_for()
        # Nothing wider than the screen: no sideways scrolling.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=str(tmp_path / "desk-360.png"), full_page=True)
        for name in ACTIONS:
            assert page.get_by_role("button", name=name, exact=True).is_visible()
    finally:
        context.close()
