"""Every protocol, for every clinic, as a real PDF: nothing cut off, the draft mark on
each page of a draft, no page holding only the contact block, addresses kept whole."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from html import unescape

import pytest

from handouts.content.store import ContentStore
from tests.support.library_pdfs import GROUP, library_handout

# The whole library's PDFs are shared with test_layout, on one worker.
pytestmark = pytest.mark.xdist_group(GROUP)

DRAFT_MARK = "Draft: not yet reviewed by your clinic"
MM = 72 / 25.4  # PDF points per millimetre
_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_WORD = re.compile(
    r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">(.*?)</word>'
)


@dataclass(frozen=True)
class Word:
    x_min: float
    y_min: float
    x_max: float
    y_max: float
    text: str


@dataclass(frozen=True)
class Page:
    width: float
    height: float
    words: list[Word]

    @property
    def text(self) -> str:
        return " ".join(word.text for word in self.words)

    @property
    def body(self) -> str:
        """The words between the running header and footer (24 mm and 18 mm margins)."""
        top, bottom = 24 * MM, self.height - 18 * MM
        return " ".join(w.text for w in self.words if w.y_min >= top and w.y_max <= bottom)


def pages_of(pdf: bytes) -> list[Page]:
    """Each page's size and words with their boxes, as Poppler reads them back."""
    out = subprocess.run(
        ["pdftotext", "-bbox", "-enc", "UTF-8", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")
    return [
        Page(
            float(width),
            float(height),
            [Word(*map(float, w[:4]), unescape(w[4])) for w in _WORD.findall(words)],
        )
        for width, height, words in _PAGE.findall(out)
    ]


@pytest.fixture(scope="module")
def library(content: ContentStore) -> dict[tuple[str, str, str], list[Page]]:
    """Every clinic x protocol, personalised (with a time) and blank, in English."""
    made = {}
    for clinic in content.clinic_ids():
        for protocol in content.protocol_ids():
            for kind, personal in (("personalised", True), ("blank", False)):
                _, pdf = library_handout(protocol, clinic, "en", personal)
                made[clinic, protocol, kind] = pages_of(pdf)
    return made


def test_nothing_is_cut_off(library) -> None:
    outside = []
    for key, pages in library.items():
        assert 1 <= len(pages) <= 3, key
        for number, page in enumerate(pages, 1):
            for word in page.words:
                inside = word.x_min >= 0 and word.x_max <= page.width - 10 * MM
                if not (inside and word.y_min >= 0 and word.y_max <= page.height):
                    outside.append((key, number, word.text))
    assert outside == []


def test_every_page_of_a_draft_carries_the_mark(content: ContentStore, library) -> None:
    for (clinic, protocol_id, kind), pages in library.items():
        draft = content.protocol(protocol_id).is_draft
        for number, page in enumerate(pages, 1):
            assert (DRAFT_MARK in page.text) == draft, (clinic, protocol_id, kind, number)


def test_starter_library_is_all_drafts_and_the_seeds_are_not(content: ContentStore) -> None:
    drafts = {pid for pid in content.protocol_ids() if content.protocol(pid).is_draft}
    assert len(drafts) >= 8
    assert not drafts & {"microneedling", "micropenning"}


def test_no_last_page_holds_only_the_contact_block(library) -> None:
    lone = [
        key
        for key, pages in library.items()
        if len(pages) > 1 and pages[-1].body.startswith("Questions or concerns?")
    ]
    assert lone == []


def test_email_addresses_and_web_addresses_stay_whole(content: ContentStore, library) -> None:
    for (clinic_id, protocol_id, kind), pages in library.items():
        clinic = content.clinic(clinic_id)
        words = [word.text for page in pages for word in page.words]
        assert any(w.startswith(clinic.email) for w in words), (clinic_id, protocol_id, kind)
        if clinic.website:
            assert clinic.website in words, (clinic_id, protocol_id, kind)


def test_closing_is_on_the_page_for_every_protocol(content: ContentStore, library) -> None:
    for (clinic, protocol_id, kind), pages in library.items():
        closing = content.protocol(protocol_id).closing
        text = " ".join(page.text for page in pages)
        for paragraph in closing:
            assert " ".join(paragraph.split()[:6]) in text, (clinic, protocol_id, kind)
