"""The booking link and phone as QR codes on the page, with the text beside them, and a
booked next visit in place of the suggested dates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from handouts.content.store import ContentStore
from handouts.render.page import render_html, resolve_spec
from handouts.render.qr import clinic_qr_codes
from tests.pdfcheck import fold, page_count, pdf_text, render_pdf
from tests.support.dates import FIXED_DATE


def with_codes(root: Path) -> ContentStore:
    clinic = root / "branding" / "harbourside" / "clinic.yaml"
    clinic.write_text(clinic.read_text().replace("qr_codes: false", "qr_codes: true"))
    return ContentStore(root)


def test_codes_print_with_their_link_and_number(root: Path) -> None:
    store = with_codes(root)
    spec = resolve_spec(store, "micropenning", "harbourside", "Sam Lee", FIXED_DATE)
    book, call = clinic_qr_codes(spec.clinic)
    assert book.target == "https://harbourside-skin.example/book"
    assert call.target == "tel:01632960418"
    html = render_html(spec)
    assert html.count('class="qr-code"') == 2
    pdf = render_pdf(spec)
    text = fold(pdf_text(pdf))
    for words in ("Scan to book", "harbourside-skin.example/book", "Scan to call us"):
        assert words in text
    assert page_count(pdf) == 2  # the codes fit beside the contact details


def test_no_codes_unless_the_clinic_asks(content: ContentStore) -> None:
    spec = resolve_spec(content, "micropenning", "magnolia", "Sam Lee", FIXED_DATE)
    assert clinic_qr_codes(spec.clinic) == []
    assert "qr-code" not in render_html(spec)


def test_a_booked_visit_replaces_the_suggested_dates(content: ContentStore) -> None:
    spec = resolve_spec(
        content,
        "micropenning",
        "magnolia",
        "Sam Lee",
        FIXED_DATE,
        next_visit=dt.date(2026, 12, 21),
        next_visit_time=dt.time(10, 30),
    )
    text = fold(pdf_text(render_pdf(spec)))
    assert "Your next appointment, booked" in text
    assert "Monday, December 21, 2026 at 10:30 am" in text
    assert "suggested" not in text
