"""A handout in another language and another script, read back from the real PDF.

Spanish end to end (wording, dates, the PDF's language), a patient's name in
every script the fallback fonts cover, and a right-to-left page looked at as
an image.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from PIL import Image

from handouts.content.bundled import BUNDLED_ROOT
from handouts.content.store import ContentStore
from handouts.render.page import render_html, resolve_spec
from handouts.templating.catalogs import LOCALE_DIR
from tests.pdfcheck import pdf_text, reader
from tests.pdfcheck import render_pdf as produce

MONDAY = dt.date(2026, 11, 23)
RTL_PROTOCOLS = Path(__file__).parent / "rtl_content" / "protocols"
# pdftotext marks right-to-left runs with Unicode direction controls; the name is what is between.
_DIRECTION_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def template_phrases() -> set[str]:
    """Every English phrase the templates say, cut at their placeholders."""
    with (LOCALE_DIR / "handouts.pot").open("rb") as file:
        catalog = read_po(file)
    phrases = set()
    for message in catalog:
        for msgid in message.id if isinstance(message.id, tuple) else [message.id]:
            for raw in re.split(r"%\(\w+\)[sd]", msgid):
                piece = raw.strip(" .,:()?")
                if re.search(r"[A-Za-z]{2}", piece):
                    phrases.add(piece)
    return phrases


@pytest.mark.parametrize("protocol", ["microneedling", "micropenning"])
def test_spanish_handout_has_no_english_wording_and_spanish_dates(
    content: ContentStore, protocol: str
) -> None:
    # Magnolia: its email address holds no English word that a template also uses.
    spec = resolve_spec(content, protocol, "magnolia", "José Álvarez", MONDAY, language="es")
    text = pdf_text(produce(spec))

    phrases = template_phrases()
    assert {"Patient", "Procedure date", "Page", "Your recovery, step by step"} <= phrases
    english = [p for p in sorted(phrases) if re.search(rf"(?<!\w){re.escape(p)}(?!\w)", text)]
    assert english == []
    assert "Paciente José Álvarez" in text
    assert "Fecha del procedimiento lunes, 23 de noviembre de 2026" in text
    assert "Página 1 de 2" in text
    assert "Su recuperación, paso a paso" in text
    # The clinic's own words in Spanish, from its clinic.yaml.
    assert "¿Tiene preguntas sobre sus cuidados?" in text


def test_spanish_dates_ranges_and_plan(content: ContentStore) -> None:
    spec = resolve_spec(content, "micropenning", "harbourside", "Ana", MONDAY, language="es")
    text = pdf_text(produce(spec))
    assert "de mié, 25 nov a lun, 30 nov 2026" in text  # days 2-7, short forms
    assert "desde el martes, 1 de diciembre de 2026" in text  # open-ended phase
    assert "con 1 mes entre uno y otro" in text  # plural form from the catalog
    assert "Tratamiento 2, fecha sugerida miércoles, 23 de diciembre de 2026" in text


def test_the_page_and_the_pdf_say_their_language(content: ContentStore) -> None:
    spanish = resolve_spec(content, "micropenning", None, "Ana", MONDAY, language="es")
    english = resolve_spec(content, "micropenning", None, "Ana", MONDAY)
    assert '<html lang="es" dir="ltr">' in render_html(spanish)
    assert '<html lang="en" dir="ltr">' in render_html(english)
    assert reader(produce(spanish)).trailer["/Root"]["/Lang"] == "es"
    assert reader(produce(english)).trailer["/Root"]["/Lang"] == "en"


# A name in each script, and the font family that must draw it when the clinic's cannot.
NAMES = {
    "chinese": ("王小明", "Noto-Sans-CJK"),
    "japanese": ("山田 さくら", "Noto-Sans-CJK"),
    "korean": ("김민준", "Noto-Sans-CJK"),
    "arabic": ("محمد", "Noto-Sans-Arabic"),
    "arabic-ligature": ("صلاح", "Noto-Sans-Arabic"),  # lam-alef is one glyph
    "hebrew": ("דוד כהן", "DejaVu-Sans"),
    "thai": ("ธนา", "Noto-Sans-Thai"),
    "thai-marks": ("ศิริพร", "Noto-Sans-Thai"),  # vowel marks above the line
    "devanagari": ("प्रिया", "Noto-Sans-Devanagari"),
    "greek": ("Αλέξης", None),  # Open Sans has Greek
    "cyrillic": ("Алексей", None),  # and Cyrillic
    "emoji": ("Zoë 🌸", "Noto-Color-Emoji"),
}


def fonts_of(pdf: bytes) -> list[tuple[str, bool]]:
    """(font name, embedded) for every font the PDF's pages use, read with pypdf."""
    found = {}
    for page in reader(pdf).pages:
        for reference in page["/Resources"]["/Font"].values():
            font = reference.get_object()
            # A composite (CID) font keeps its file in its descendant font.
            described = (
                font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            )
            descriptor = described["/FontDescriptor"].get_object()
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            found[str(font["/BaseFont"])] = embedded
    return sorted(found.items())


@pytest.mark.parametrize("script", sorted(NAMES))
def test_each_script_prints_with_real_glyphs_and_extracts_as_typed(
    content: ContentStore, script: str, caplog: pytest.LogCaptureFixture
) -> None:
    name, font = NAMES[script]
    spec = resolve_spec(content, "micropenning", "harbourside", name, MONDAY)
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = produce(spec)
    assert not [r for r in caplog.records if ".notdef" in r.getMessage()]  # no empty boxes
    # The PDF's text, in the order it was written (pdftotext's layout guesses
    # split a Thai mark or a lam-alef from its letter, though the PDF has them right).
    text = _DIRECTION_MARKS.sub("", reader(pdf).pages[0].extract_text())
    assert re.search(rf"Patient\s*{re.escape(name)}\s*Procedure date", text), text[:200]
    fonts = fonts_of(pdf)
    assert all(embedded for _, embedded in fonts), fonts
    # Subset-embedded: "ABCDEF+Noto-Sans-CJK-SC".
    assert all(re.match(r"/[A-Z]{6}\+", font_name) for font_name, _ in fonts), fonts
    names = [font_name.split("+", 1)[-1] for font_name, _ in fonts]
    if font is not None:
        assert any(n.startswith(font) for n in names), names
    else:
        assert all(n.startswith("Open-Sans") for n in names), names


@pytest.mark.xfail(
    strict=True,
    reason="drawn right, but a PDF maps each glyph to one text and WeasyPrint writes no "
    "ActualText: a reph (र्) in two clusters, or a lam-alef-maksura ligature, reads back wrong",
)
@pytest.mark.parametrize("name", ["अर्जुन शर्मा", "ليلى"])
def test_names_whose_glyphs_map_to_text_ambiguously(content: ContentStore, name: str) -> None:
    spec = resolve_spec(content, "micropenning", "harbourside", name, MONDAY)
    text = _DIRECTION_MARKS.sub("", reader(produce(spec)).pages[0].extract_text())
    assert re.sub(r"\s", "", name) in re.sub(r"\s", "", text)


def test_a_right_to_left_name_keeps_its_order_on_a_left_to_right_page(
    content: ContentStore,
) -> None:
    spec = resolve_spec(content, "micropenning", "harbourside", "Sara محمد علي", MONDAY)
    assert "<bdi>Sara محمد علي</bdi>" in render_html(spec)
    words = words_of(produce(spec))
    label = next(w for w in words if w.text == "Patient")
    latin = next(w for w in words if w.text == "Sara")
    date = next(w for w in words if w.text == "Procedure")
    arabic = [w for w in words if label.y0 - 1 < w.y0 < label.y0 + 1 and _is_arabic(w.text)]
    # "Sara" first, the Arabic words after it, all before the next label.
    assert label.x1 < latin.x0 < min(w.x0 for w in arabic) < max(w.x1 for w in arabic) < date.x0


# --- a right-to-left page ------------------------------------------------------


class Word:
    def __init__(self, text: str, x0: float, y0: float, x1: float, y1: float) -> None:
        self.text, self.x0, self.y0, self.x1, self.y1 = text, x0, y0, x1, y1


def words_of(pdf: bytes, page: int = 1) -> list[Word]:
    """The words of one page with their boxes (points, from the top left), from pdftotext."""
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
    return [
        Word(text, float(a), float(b), float(c), float(d))
        for a, b, c, d, text in re.findall(pattern, html)
    ]


def _is_arabic(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


@pytest.fixture(scope="module")
def rtl_and_ltr(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The Arabic test page and the English micropenning page, same clinic and date."""
    root = tmp_path_factory.mktemp("rtl")
    shutil.copytree(BUNDLED_ROOT / "branding", root / "branding")
    shutil.copytree(RTL_PROTOCOLS, root / "protocols")
    shutil.copy(BUNDLED_ROOT / "protocols" / "micropenning.yaml", root / "protocols")
    store = ContentStore(root)
    return {
        "rtl": produce(resolve_spec(store, "rtl-sample", "harbourside", "Sam Lee", MONDAY)),
        "ltr": produce(resolve_spec(store, "micropenning", "harbourside", "Sam Lee", MONDAY)),
    }


def ink_columns(pdf: bytes, top: float, bottom: float, tmp_path: Path) -> tuple[float, float]:
    """Where the ink of a horizontal band of page 1 starts and ends, as page-width fractions."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-", str(tmp_path / "page")],
        input=pdf,
        check=True,
    )
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    scale = 60 / 72
    band = image.crop((0, int(top * scale), image.width, int(bottom * scale) + 1))
    inked = band.point(lambda value: 255 if value < 128 else 0).getbbox()
    assert inked is not None, "no ink in the band"
    return inked[0] / image.width, inked[2] / image.width


def test_the_right_to_left_page_is_mirrored(rtl_and_ltr: dict[str, bytes], tmp_path: Path) -> None:
    html_lang = reader(rtl_and_ltr["rtl"]).trailer["/Root"]["/Lang"]
    assert html_lang == "ar"
    for direction, pdf in rtl_and_ltr.items():
        words = words_of(pdf)
        # The title is the page's largest type.
        title_height = max(w.y1 - w.y0 for w in words)
        title = [w for w in words if w.y1 - w.y0 > title_height - 0.5]
        left, right = ink_columns(
            pdf, min(w.y0 for w in title), max(w.y1 for w in title), tmp_path / direction
        )
        clinic = next(w for w in words if w.text == "Harbourside")
        page_number = next(w for w in words if w.text == "Page")
        # The clinic's name where the running footer starts (its line also holds the page number).
        footer = next(w for w in words if w.text == "Harbourside" and w.y0 > 700)
        pages = len(reader(pdf).pages)
        table = [w for n in range(1, pages + 1) for w in words_of(pdf, n)]
        step = next(w for w in table if w.text == "Step")
        product = next(w for w in table if w.text == "Product")
        half = 595.28 / 2  # A4 width in points
        if direction == "rtl":
            assert left > 0.4 and right > 0.9, (left, right)  # the title hangs from the right
            assert clinic.x0 > half and page_number.x1 < half
            assert footer.x0 > half
            assert step.x0 > product.x0  # the regimen table's first column is on the right
        else:
            assert left < 0.1 and right < 0.7, (left, right)
            assert clinic.x0 < half and page_number.x0 > half
            assert footer.x0 < 0.1 * 2 * half
            assert step.x0 < product.x0


def test_the_right_to_left_phase_dates_sit_at_the_left_end(
    rtl_and_ltr: dict[str, bytes],
) -> None:
    words = words_of(rtl_and_ltr["rtl"])
    years = [w for w in words if w.text == "2026"]
    assert len(years) >= 4  # the procedure date and the phases' dates
    # Each phase's date sits at the far (left) end of its heading.
    phase_years = [w for w in years if w.x0 < 595.28 / 4]
    assert len(phase_years) >= 3


def test_the_right_to_left_page_writes_arabic_dates(tmp_path: Path) -> None:
    shutil.copytree(BUNDLED_ROOT / "branding", tmp_path / "branding")
    shutil.copytree(RTL_PROTOCOLS, tmp_path / "protocols")
    spec = resolve_spec(ContentStore(tmp_path), "rtl-sample", None, "Sam Lee", MONDAY)
    html = render_html(spec)
    assert '<html lang="ar" dir="rtl">' in html
    assert "الاثنين، 23 نوفمبر 2026" in html
