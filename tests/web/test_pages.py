"""The front desk in a real browser (Debian's chromium) against a real ``handouts serve``."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
import time
import zipfile
from email.parser import BytesParser
from email.policy import default as default_policy
from pathlib import Path

import pytest

from handouts.content.file_names import default_filename
from handouts.inputs import clock
from tests.cups_fixture import CupsQueue, unique_marker
from tests.support.browser import Smtp, axe_violations, sign_in
from tools.live_server import MANAGER, STAFF, Server

pytestmark = pytest.mark.browser

DATE = "2026-11-22"


def cli_pdf(tmp_path: Path, protocol: str, clinic: str, patient: str) -> bytes:
    target = tmp_path / "cli.pdf"
    subprocess.run(
        [sys.executable, "-m", "handouts", "handout", protocol, "--clinic", clinic,
         "--patient", patient, "--date", DATE, "--yes", "-o", str(target)],
        check=True, capture_output=True,
    )  # fmt: skip
    return target.read_bytes()


def fill_handout(page, server: Server, patient: str, clinic: str = "magnolia") -> None:
    server.names_used.append(patient)
    page.get_by_label("Clinic").select_option(clinic)
    page.get_by_label("Procedure", exact=True).select_option(label="Micropenning aftercare")
    page.get_by_label("Patient name").fill(patient)
    page.get_by_label("Procedure date").fill(DATE)


def test_signing_in_shows_the_handout_form(page, server: Server) -> None:
    sign_in(page)
    assert page.get_by_role("heading", name="Make a handout").is_visible()
    for label in ("Clinic", "Patient name", "Procedure date", "Patient email"):
        assert page.get_by_label(label, exact=True).is_visible()
    assert page.get_by_label("Procedure date").input_value() == clock.today().isoformat()
    for button in ("Preview", "Download PDF", "Print", "Email"):
        assert page.get_by_role("button", name=button, exact=True).is_visible()


def test_the_browser_remembers_its_clinic(page, server: Server) -> None:
    sign_in(page)
    default = page.get_by_label("Clinic").input_value()
    other = next(
        value
        for value in page.locator("#clinic option").evaluate_all("os => os.map(o => o.value)")
        if value != default
    )
    with page.expect_response("**/preview"):
        page.get_by_label("Clinic").select_option(other)
    page.reload()
    assert page.get_by_label("Clinic").input_value() == other


def test_a_wrong_password_is_refused(page, server: Server) -> None:
    sign_in(page, STAFF, "not-the-password")
    assert page.get_by_role("alert").inner_text() == "That user name and password do not match."
    assert page.url.endswith("/signin")
    page.goto("/")
    assert page.url.endswith("/signin")


def test_the_preview_follows_the_form(page, server: Server, tmp_path: Path) -> None:
    errors: list[str] = []  # a CSP refusal (an inline script or style) shows up here
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    sign_in(page)
    fill_handout(page, server, "Previewed Patient")
    pages = page.locator("#preview img")
    pages.first.wait_for()
    assert pages.count() >= 1
    assert pages.first.get_attribute("alt").startswith("Page 1 of")
    first = pages.first.get_attribute("src")
    page.get_by_label("Patient name").fill("Someone Else Entirely")
    server.names_used.append("Someone Else Entirely")
    page.wait_for_function("old => document.querySelector('#preview img')?.src !== old", arg=first)
    page.screenshot(path=str(tmp_path / "main-page.png"), full_page=True)
    assert errors == []


def test_the_download_is_the_command_lines_pdf(page, server: Server, tmp_path: Path) -> None:
    sign_in(page)
    fill_handout(page, server, "Zoë O'Brien-Núñez")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download PDF").click()
    download = download_info.value
    expected = default_filename(
        "magnolia", "micropenning", dt.date(2026, 11, 22), "Zoë O'Brien-Núñez", "pdf"
    )
    assert download.suggested_filename == expected  # the command line's file name too
    downloaded = Path(download.path()).read_bytes()
    assert downloaded == cli_pdf(tmp_path, "micropenning", "magnolia", "Zoë O'Brien-Núñez")


def test_email_reaches_the_mail_server(page, server: Server, smtp: Smtp) -> None:
    sign_in(page)
    fill_handout(page, server, "Emailed Patient")
    page.get_by_label("Patient email").fill("emailed.patient@example.org")
    before = len(smtp.box.received)
    page.get_by_role("button", name="Email", exact=True).click()
    assert page.locator(".outcome").inner_text() == "Emailed to emailed.patient@example.org."
    assert len(smtp.box.received) == before + 1
    envelope = smtp.box.received[-1]
    assert envelope.rcpt_tos == ["emailed.patient@example.org"]
    message = BytesParser(policy=default_policy).parsebytes(envelope.original_content)
    attachment = next(message.iter_attachments())
    assert attachment.get_content().startswith(b"%PDF")


def test_email_without_an_address_says_what_to_do(page, server: Server) -> None:
    sign_in(page)
    fill_handout(page, server, "No Address Patient")
    page.get_by_role("button", name="Email", exact=True).click()
    assert "type the patient's email address first" in page.get_by_role("alert").inner_text()


@pytest.mark.cups
def test_print_reaches_the_printer(page, server: Server, cups_queue: CupsQueue) -> None:
    marker = unique_marker("Printed")
    since = time.time() - 1
    sign_in(page)
    fill_handout(page, server, marker)
    page.get_by_label("Printer").select_option(cups_queue.name)
    page.get_by_label("Copies").fill("1")
    page.get_by_role("button", name="Print", exact=True).click()
    status = page.locator(".outcome").inner_text()
    assert status.startswith(f"Sent to {cups_queue.name}: 1 copy (print job ")
    printed = cups_queue.wait_for_pdf(marker, since=since)
    assert printed.stat().st_size > 0


def test_a_day_s_list_with_a_bad_row(page, server: Server, tmp_path: Path) -> None:
    names = ["Batch Patient One", "Batch Patient Two", "Batch Patient Other", "Batch Patient Bad"]
    server.names_used.extend(names)
    csv = tmp_path / "appointments.csv"
    csv.write_text(
        "patient;date;protocol;clinic\n"
        f"{names[0]};{DATE};micropenning;magnolia\n"
        f"{names[1]};{DATE};microneedling;\n"
        f"{names[2]};{DATE};tattoo-removal;\n"
        f"{names[3]};31/31/2026;microneedling;\n",
        encoding="utf-8",
    )
    sign_in(page, MANAGER)
    page.get_by_role("link", name="Day's list").click()
    page.get_by_label("Booking list (CSV)").set_input_files(str(csv))
    page.get_by_role("button", name="Check the list").click()
    summary = page.locator(".summary").inner_text()
    assert "4 rows: 2 ready, 1 without a handout" in summary and "1 with a problem" in summary
    # A service with no aftercare protocol is no problem to fix, as in the command line's batch.
    none = page.locator("tr.none")
    assert none.count() == 1 and none.locator("th").inner_text() == "4"
    assert "No handout: no protocol for the service 'tattoo-removal'" in none.inner_text()
    bad = page.locator("tr.bad")
    assert bad.count() == 1 and bad.locator("th").inner_text() == "5"
    assert "Not made: date:" in bad.first.inner_text()
    page.get_by_role("button", name="Make all 2 handouts").click()
    page.get_by_text("Done: 2 handouts ready.").wait_for(timeout=120_000)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download all as ZIP").click()
    assert download_info.value.suggested_filename == f"handouts-{DATE}.zip"  # the list's day
    archive = zipfile.ZipFile(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    assert sorted(archive.namelist()) == [
        "harbourside_microneedling_2026-11-22_batch-patient-two.pdf",
        "magnolia_micropenning_2026-11-22_batch-patient-one.pdf",
    ]
    assert all(archive.read(name).startswith(b"%PDF") for name in archive.namelist())


def test_history_shows_what_was_done_today_and_emails_again(
    page, server: Server, smtp: Smtp
) -> None:
    sign_in(page)
    fill_handout(page, server, "History Patient")
    page.get_by_label("Patient email").fill("history.patient@example.org")
    page.get_by_role("button", name="Email", exact=True).click()
    assert page.locator(".outcome").inner_text() == "Emailed to history.patient@example.org."
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, MANAGER)
    page.get_by_role("link", name="History").click()
    row = page.locator("tr", has_text="History Patient").first
    assert STAFF in row.inner_text()
    row.get_by_role("link", name="History Patient").click()
    done = page.locator("table.deliveries tbody tr")
    assert "Email to history.patient@example.org" in done.first.inner_text()
    assert "emailed" in done.first.inner_text()
    before = len(smtp.box.received)
    page.get_by_role("button", name="Email again to history.patient@example.org").first.click()
    assert page.locator(".outcome").inner_text() == (
        "Emailed again to history.patient@example.org, as first given."
    )
    assert len(smtp.box.received) == before + 1
    assert smtp.box.received[-1].rcpt_tos == ["history.patient@example.org"]
    newest = page.locator("table.deliveries").first.locator("tbody tr").last
    assert "again" in newest.inner_text()
    assert MANAGER in newest.inner_text()


def test_staff_cannot_open_manager_pages(page, server: Server) -> None:
    sign_in(page)
    assert page.get_by_role("link", name="Day's list").count() == 0
    response = page.goto("/batch")
    assert response.status == 403
    assert page.get_by_role("heading", name="For managers only").is_visible()


def test_keyboard_alone_signs_in_and_previews(page, server: Server) -> None:
    page.goto("/signin")
    page.wait_for_function("document.activeElement?.id === 'name'")  # focused on opening
    page.keyboard.type(STAFF)
    page.keyboard.press("Tab")
    page.keyboard.type("correct-horse-battery")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Make a handout").wait_for()
    page.get_by_label("Patient name").focus()
    page.keyboard.type("Keyboard Patient")
    server.names_used.append("Keyboard Patient")
    # The procedure by its first letters, as the hint says, then on to Preview: through the
    # date and time (one stop per part), the clinic, printer and copies.
    while page.evaluate("document.activeElement.id") != "protocol":
        page.keyboard.press("Tab")
    page.keyboard.type("Micropenning")
    assert page.get_by_label("Procedure", exact=True).input_value() == "micropenning"
    for _ in range(16):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Preview":
            break
    assert page.evaluate("document.activeElement.textContent") == "Preview"
    page.keyboard.press("Enter")
    page.locator("#preview img").first.wait_for()


def test_no_serious_accessibility_problem_on_any_page(page, server: Server, tmp_path: Path) -> None:
    found = {}
    page.goto("/signin")
    found["sign in"] = axe_violations(page)
    sign_in(page, MANAGER)
    found["handout, nothing chosen"] = axe_violations(page)
    page.get_by_label("Procedure", exact=True).select_option(label="Micropenning aftercare")
    page.locator("#preview img").first.wait_for()
    found["handout"] = axe_violations(page)
    page.locator(".page-zoom").first.click()
    found["a page at full size"] = axe_violations(page)
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Email", exact=True).click()  # a failure message
    found["handout with a message"] = axe_violations(page)
    page.goto("/batch")
    found["day's list upload"] = axe_violations(page)
    csv = tmp_path / "list.csv"
    csv.write_text(
        "patient,date,protocol\n"
        f"Axe Patient,{DATE},nothing-like-it\n"
        f"Axe Other,{DATE},micropenning\n",
        encoding="utf-8",
    )
    server.names_used.extend(["Axe Patient", "Axe Other"])
    page.get_by_label("Booking list (CSV)").set_input_files(str(csv))
    page.get_by_role("button", name="Check the list").click()
    found["day's list rows"] = axe_violations(page)
    page.get_by_role("button", name="Make the 1 handout").click()
    page.get_by_text("Done: 1 handout ready.").wait_for(timeout=120_000)
    found["day's list made"] = axe_violations(page)
    page.goto("/settings")
    found["settings"] = axe_violations(page)
    page.goto("/history")
    found["history"] = axe_violations(page)
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, STAFF)
    page.goto("/history")
    found["for managers only"] = axe_violations(page)
    problems = {where: [v["id"] for v in found[where]] for where in found if found[where]}
    assert problems == {}


def test_email_all_sends_each_patient_one_email_even_when_the_list_comes_again(
    page, server: Server, smtp: Smtp, tmp_path: Path
) -> None:
    names = ["Once Only One", "Once Only Two"]
    server.names_used.extend(names)
    csv = tmp_path / "emails.csv"
    csv.write_text(
        "patient,date,protocol,email\n"
        f"{names[0]},{DATE},micropenning,once.one@example.org\n"
        f"{names[1]},{DATE},microneedling,once.two@example.org\n",
        encoding="utf-8",
    )
    sign_in(page, MANAGER)

    def email_all() -> None:
        page.goto("/batch")
        page.get_by_label("Booking list (CSV)").set_input_files(str(csv))
        page.get_by_role("button", name="Check the list").click()
        page.get_by_role("button", name="Email all").click()
        page.get_by_text("Done: 2 handouts ready.").wait_for(timeout=120_000)

    def sent_to() -> list[str]:
        return sorted(
            address
            for envelope in smtp.box.received
            for address in envelope.rcpt_tos
            if address.startswith("once.")
        )

    email_all()
    assert sent_to() == ["once.one@example.org", "once.two@example.org"]
    assert page.locator("tbody tr", has_text="Made, emailed").count() == 2
    email_all()  # the same list uploaded again, by mistake
    assert sent_to() == ["once.one@example.org", "once.two@example.org"]
