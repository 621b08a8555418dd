"""Property tests: any name renders (or is refused only when no font has one of its letters),
any procedure date gives ordered phases."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import unicodedata
from functools import cache
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from handouts.content.bundled import BUNDLED_ROOT as PROJECT_ROOT
from handouts.content.store import ContentStore as Content
from handouts.errors import InputError
from handouts.render.page import resolve_spec
from handouts.render.pdf import PdfRenderer
from handouts.render.schedule import build_schedule

CONTENT = Content(PROJECT_ROOT)
CLINIC = "harbourside"
# The name is printed bold in the clinic's font; DejaVu Sans is the stylesheet's
# fallback. Characters outside both may still render through a system font, but
# whether and how they read back is then up to the machine, so only these are
# read back.
FONTS = (
    PROJECT_ROOT / "branding" / CLINIC / "fonts" / "OpenSans-Bold.ttf",
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
)


@cache
def covered() -> frozenset[int]:
    codepoints: set[int] = set()
    for font in FONTS:
        if font.is_file():
            codepoints.update(TTFont(font).getBestCmap())
    return frozenset(codepoints)


@cache
def maker() -> PdfRenderer:
    return PdfRenderer()


def _render(name: str) -> bytes:
    request = resolve_spec(CONTENT, "micropenning", CLINIC, name, dt.date(2026, 3, 2))
    return maker().render(request)[0]


@cache
def _plain_page_count() -> int:
    return len(PdfReader(io.BytesIO(_render("Ann Lee"))).pages)


@cache
def _some_font_has(character: str) -> bool:
    """Whether fontconfig knows any installed font with a glyph for ``character``."""
    query = f":charset={ord(character):x}"
    listing = subprocess.run(["fc-list", query], capture_output=True, text=True, check=True)
    return bool(listing.stdout.strip())


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


def _is_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)


# Names as booking systems send them: letters from any script, marks, digits,
# punctuation and spaces, including emoji and template- or path-like text.
names = st.text(
    alphabet=st.characters(categories=("L", "M", "N", "P", "S", "Zs")), min_size=1, max_size=30
).filter(lambda s: s.strip())


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(names)
@example("Zoë Ångström-Øvergård")
@example("Ирина Соколова")
@example("Νίκος Παπαδόπουλος")
@example("דוד כהן")
@example("محمد علي")
@example("王小明")
@example("山田 太郎")
@example("Sam 🙂🌸")
@example("{{7*7}} {% include 'x' %}")
@example("<script>alert(1)</script>")
@example("../../etc/passwd")
@example("\u0780\u0781")  # Thaana: no font for it on a bare machine
def test_any_name_renders_and_reads_back(name: str) -> None:
    try:
        pdf = _render(name)
    except InputError as error:
        # Refused only when some character of it truly has no installed font.
        assert "none of the fonts can draw" in str(error)
        assert any(not _some_font_has(c) for c in set(name) if not c.isspace()), name
        return
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == _plain_page_count()
    shown = name.strip()
    readable = all(ord(c) in covered() or c.isspace() for c in shown)
    if not readable or any(unicodedata.category(c).startswith("M") for c in shown):
        return  # rendered with a fallback font or combining marks: render only
    text = _squash(reader.pages[0].extract_text())
    expected = _squash(shown)
    if _is_rtl(expected):
        # Extraction order of right-to-left runs varies; every word must be there.
        words = expected.split(" ")
        assert all(w in text or w[::-1] in text for w in words), (expected, text)
    else:
        assert expected in text


@pytest.mark.parametrize("protocol_id", CONTENT.protocol_ids())
@settings(max_examples=200, deadline=None)
@given(day=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2199, 12, 31)))
def test_phase_dates_in_order(protocol_id: str, day: dt.date) -> None:
    protocol = CONTENT.protocol(protocol_id)
    schedule = build_schedule(protocol, day)
    previous_first = None
    for dated in schedule.phases:
        if dated.last is not None:
            assert dated.first <= dated.last
        if previous_first is not None:
            assert previous_first <= dated.first
        previous_first = dated.first
    if schedule.series is not None:
        dates = [day, *schedule.series.next_treatments]
        assert dates == sorted(dates) and len(set(dates)) == len(dates)
        if schedule.series.maintenance is not None:
            assert schedule.series.maintenance > dates[-1]
