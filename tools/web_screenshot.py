#!/usr/bin/env python3
"""The README's picture of the front desk's web page, taken from a real server.

Starts ``handouts serve`` on a free port of 127.0.0.1 with a throwaway data
folder and user, fills in the handout form in Debian's chromium, waits for the
live preview, and saves docs/web-front-desk.png. Run by ``make docs``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

CHECKOUT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(CHECKOUT))

from tools.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tools.live_server import MANAGER, PASSWORD, add_user, start_server, stop_server  # noqa: E402

TARGET = CHECKOUT / "docs" / "web-front-desk.png"


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="web-screenshot-") as folder:
        data = Path(folder) / "data"
        add_user(data, MANAGER, manager=True)
        # The picture's day is the procedure's: no "days ago" warning under its date.
        server = start_server(data, Path(folder) / "server.log", {"HANDOUTS_TODAY": "2026-11-22"})
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
                )
                page = browser.new_page(viewport={"width": 1366, "height": 768})  # a desk laptop
                page.goto(server.url + "/signin")
                page.get_by_label("User name").fill(MANAGER)
                page.get_by_label("Password").fill(PASSWORD)
                page.get_by_role("button", name="Sign in").click()
                page.get_by_label("Clinic").select_option("magnolia")
                page.get_by_label("Procedure", exact=True).select_option("micropenning")
                page.get_by_label("Patient name").fill("Zoë O'Brien-Núñez")
                page.get_by_label("Procedure date").fill("2026-11-22")
                page.get_by_label("Patient email").fill("patient@example.org")
                page.get_by_role("button", name="Preview").click()
                page.locator("#preview img").nth(1).wait_for()
                page.screenshot(path=str(TARGET))
                browser.close()
        finally:
            stop_server(server)
    print(TARGET.relative_to(CHECKOUT))


if __name__ == "__main__":
    main()
