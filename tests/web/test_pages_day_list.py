"""A US clinic's day's list in a real browser: dates as the list means them, fixed in place.

The test day is pinned (``HANDOUTS_TODAY``, tests/conftest.py), so "in the
past" is decided by the test, not by the day it runs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.browser import axe_violations, sign_in
from tools.live_server import MANAGER, Server

pytestmark = pytest.mark.browser

# Friday 4 December 2026: read month first, as a US clinic writes, 04/12 would be a Sunday.
LIST = (
    "Appointments for Friday 04/12/2026\n"
    "patient,date,service,clinic\n"
    "Ann Early,04/12/2026 09:00,micropenning,magnolia\n"
    "Ben Later,04/12/2026 11:30,Micro-Needling,magnolia\n"
    "Cal Slip,02/11/2026,micropenning,magnolia\n"
)


def test_a_titled_us_list_is_read_as_it_means_and_a_slip_is_fixed_in_place(
    page, server: Server, tmp_path: Path
) -> None:
    server.names_used.extend(["Ann Early", "Ben Later", "Cal Slip"])
    csv = tmp_path / "friday.csv"
    csv.write_text(LIST, encoding="utf-8")
    sign_in(page, MANAGER)
    page.goto("/batch")
    page.get_by_label("Booking list (CSV)").set_input_files(str(csv))
    page.get_by_label("Clinic for rows without one").select_option("magnolia")
    page.get_by_role("button", name="Check the list").click()

    assert page.get_by_role("heading", level=1).inner_text() == (
        "A day's list: Friday, December 4, 2026"
    )
    first = page.locator("#row-3").inner_text()
    assert "Friday, December 4, 2026" in first and "09:00" in first
    assert "Magnolia Dermatology & Laser" in first
    assert "Micro-Needling → Micro-Needling aftercare" in page.locator("#row-4").inner_text()
    slip = page.locator("#row-5")
    assert "Check: the date Monday, November 2, 2026 is in the past" in slip.inner_text()
    page.screenshot(path=str(tmp_path / "list-flagged.png"), full_page=True)
    assert axe_violations(page) == []

    # Making it without a word about the marked date is refused, and says what to do.
    page.get_by_role("button", name="Make all 3 handouts").click()
    assert page.get_by_text("Nothing was made yet: check the marked dates.").is_visible()
    assert page.get_by_text("Done:").count() == 0

    # The slip corrected on the page; the list is checked again, nothing left to confirm.
    page.get_by_label("Row 5's date").fill("2026-12-04")
    page.get_by_role("button", name="Correct row 5").click()
    assert "Check:" not in page.locator("#row-5").inner_text()
    assert "Friday, December 4, 2026" in page.locator("#row-5").inner_text()
    assert page.get_by_label("The marked dates are right").count() == 0

    # One row left out and put back, then the three made.
    page.get_by_role("button", name="Leave row 4 out").click()
    assert "Left out by staff" in page.locator("#row-4").inner_text()
    page.get_by_role("button", name="Put row 4 back").click()
    page.get_by_role("button", name="Make all 3 handouts").click()
    page.get_by_text("Done: 3 handouts ready.").wait_for(timeout=120_000)
    assert page.locator("#row-3").get_by_text("Made", exact=True).count() == 1
    with page.expect_download() as download:
        page.get_by_role("link", name="Download all as ZIP").click()
    assert download.value.suggested_filename == "handouts-2026-12-04.zip"
