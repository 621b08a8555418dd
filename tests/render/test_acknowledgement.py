"""Proof of receipt on paper: a clinic that asks for it gets the statement and lines to sign."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from handouts.content.store import ContentStore
from handouts.render.page import render_html, resolve_spec
from tests.pdfcheck import fold, reader, render_pdf
from tests.support.content import copy_content
from tests.support.dates import FIXED_DATE

STATEMENT = "I have received and understood these instructions."


@pytest.fixture(scope="module")
def asking(tmp_path_factory: pytest.TempPathFactory) -> ContentStore:
    """The bundled content, with both clinics asking for proof of receipt."""
    root = copy_content(tmp_path_factory.mktemp("content"))
    for clinic in ("harbourside", "magnolia"):
        path = root / "branding" / clinic / "clinic.yaml"
        path.write_text(path.read_text("utf-8") + "acknowledgement: true\n", "utf-8")
    return ContentStore(root)


def test_the_block_is_left_out_unless_the_clinic_asks(content: ContentStore) -> None:
    html = render_html(resolve_spec(content, "microneedling", "harbourside", "A B", FIXED_DATE))
    assert "acknowledgement" not in html
    assert STATEMENT not in html


def test_golden_personalised(asking: ContentStore, golden: Callable[[str, str], None]) -> None:
    spec = resolve_spec(asking, "microneedling", "harbourside", "Zoë O'Brien-Núñez", FIXED_DATE)
    golden("acknowledgement/harbourside-microneedling-personalised.html", render_html(spec))


def test_golden_blank(asking: ContentStore, golden: Callable[[str, str], None]) -> None:
    spec = resolve_spec(asking, "micropenning", "magnolia")
    golden("acknowledgement/magnolia-micropenning-blank.html", render_html(spec))


def test_golden_spanish(asking: ContentStore, golden: Callable[[str, str], None]) -> None:
    spec = resolve_spec(
        asking, "microneedling", "magnolia", "José Álvarez", FIXED_DATE, language="es"
    )
    golden("acknowledgement/es/magnolia-microneedling-personalised.html", render_html(spec))


def test_the_patients_name_is_escaped_under_the_line(asking: ContentStore) -> None:
    spec = resolve_spec(asking, "microneedling", "harbourside", "<b>Ann</b>", FIXED_DATE)
    html = render_html(spec)
    block = html[html.index('class="acknowledgement"') :]
    assert "Patient signature: <bdi>&lt;b&gt;Ann&lt;/b&gt;</bdi>" in block


@pytest.mark.parametrize(
    ("clinic", "protocol", "language", "words"),
    [
        ("harbourside", "microneedling", None, (STATEMENT, "Patient signature", "Staff signature")),
        ("magnolia", "micropenning", None, (STATEMENT, "Patient signature", "Date")),
        (
            "magnolia",
            "microneedling",
            "es",
            ("He recibido y entendido estas instrucciones.", "Firma del personal", "Fecha"),
        ),
    ],
)
def test_the_pdf_ends_with_the_whole_block_on_one_page(
    asking: ContentStore, clinic: str, protocol: str, language: str | None, words: tuple[str, ...]
) -> None:
    spec = resolve_spec(asking, protocol, clinic, "Sam Lee", FIXED_DATE, language=language)
    pages = [fold(page.extract_text()) for page in reader(render_pdf(spec)).pages]
    last = pages[-1]
    for word in words:
        assert word in last, f"{word!r} is not on the last page"
    for page in pages[:-1]:
        assert words[0] not in page
    # Signed last: after the contact block, the end of what the patient reads.
    contact = "Preguntas o dudas?" if language else "Questions or concerns?"
    text = " ".join(pages)
    assert text.index(words[0]) > text.index(contact)


def test_without_the_setting_the_pdf_has_no_block(content: ContentStore) -> None:
    spec = resolve_spec(content, "microneedling", "harbourside", "Sam Lee", FIXED_DATE)
    text = " ".join(fold(page.extract_text()) for page in reader(render_pdf(spec)).pages)
    assert STATEMENT not in text
