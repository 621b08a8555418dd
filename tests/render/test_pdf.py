"""The real PDF: every seed instruction, pages, fonts, metadata, variants, determinism."""

from __future__ import annotations

import re
import tempfile

import pytest

from handouts.content.store import ContentStore as Content
from handouts.render.page import resolve_spec
from handouts.render.pdf import PdfRenderer
from tests.pdfcheck import fold, page_count, pdf_text, reader
from tests.pdfcheck import render_pdf as produce
from tests.seed_instructions import SEEDS
from tests.support.dates import FIXED_DATE

NAME = "Zoë O'Brien-Núñez <b>&</b> {{7*7}}"


@pytest.fixture(scope="module")
def pdfs(content: Content) -> dict[tuple[str, str, str], bytes]:
    """Every clinic x seed protocol x (personalised, blank), rendered once for the module.

    Only the two seed protocols: these tests read nothing else, and every protocol
    of the library is rendered and checked by test_library_pdfs and test_layout."""
    made = {}
    for clinic in content.clinic_ids():
        for protocol in SEEDS:
            personal = resolve_spec(content, protocol, clinic, NAME, FIXED_DATE)
            blank = resolve_spec(content, protocol, clinic)
            made[clinic, protocol, "personalised"] = produce(personal)
            made[clinic, protocol, "blank"] = produce(blank)
    return made


@pytest.mark.parametrize("protocol", ["microneedling", "micropenning"])
def test_every_seed_instruction_reaches_the_pdf(pdfs, protocol: str) -> None:
    # Magnolia stocks no products of its own, so the seed's product names show.
    text = pdf_text(pdfs["magnolia", protocol, "personalised"])
    missing = [phrase for phrase in SEEDS[protocol] if fold(phrase) not in text]
    assert missing == []


def test_name_and_dates_appear_as_typed(pdfs) -> None:
    text = pdf_text(pdfs["harbourside", "microneedling", "personalised"])
    assert NAME in text
    assert "Day 1 Monday 23 November 2026" in text
    assert "49" not in text


def test_series_and_results_dates(pdfs) -> None:
    text = pdf_text(pdfs["magnolia", "micropenning", "personalised"])
    assert "Treatment 2, suggested Tuesday, December 22, 2026" in text
    assert "Treatment 3, suggested Friday, January 22, 2027" in text
    assert "First maintenance, suggested Thursday, July 22, 2027" in text
    assert "between Friday, January 22, 2027 and Monday, February 22, 2027" in text


def test_blank_pdf_has_no_dates_or_names(pdfs) -> None:
    text = pdf_text(pdfs["magnolia", "micropenning", "blank"])
    assert not re.search(r"20\d\d", text)
    assert "Zoë" not in text


@pytest.mark.parametrize("kind", ["personalised", "blank"])
@pytest.mark.parametrize("protocol", ["microneedling", "micropenning"])
@pytest.mark.parametrize("clinic", ["harbourside", "magnolia"])
def test_each_handout_fits_on_two_pages(pdfs, clinic: str, protocol: str, kind: str) -> None:
    assert page_count(pdfs[clinic, protocol, kind]) == 2


def test_paper_sizes_follow_branding(pdfs) -> None:
    letter = reader(pdfs["magnolia", "microneedling", "blank"]).pages[0].mediabox
    a4 = reader(pdfs["harbourside", "microneedling", "blank"]).pages[0].mediabox
    assert (round(float(letter.width)), round(float(letter.height))) == (612, 792)
    assert (round(float(a4.width)), round(float(a4.height))) == (595, 842)


def test_running_header_and_page_numbers(pdfs) -> None:
    pdf = reader(pdfs["magnolia", "micropenning", "personalised"])
    for number, page in enumerate(pdf.pages, start=1):
        text = fold(page.extract_text())
        assert "Magnolia Dermatology & Laser" in text
        assert "(555) 010-2743" in text
        assert f"Page {number} of 2" in text


def test_fonts_are_embedded_and_subset(pdfs) -> None:
    fonts = {}
    for page in reader(pdfs["magnolia", "microneedling", "personalised"]).pages:
        for reference in page["/Resources"]["/Font"].values():
            font = reference.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            fonts[str(font["/BaseFont"])] = descriptor
    assert any("Lato" in name for name in fonts)
    for name, descriptor in fonts.items():
        assert re.match(r"^/[A-Z]{6}\+", name), f"{name} is not subset"
        assert any(k in descriptor for k in ("/FontFile2", "/FontFile3", "/FontFile")), name


def test_metadata_and_tags(pdfs) -> None:
    pdf = reader(pdfs["harbourside", "micropenning", "personalised"])
    assert pdf.metadata.title == "Micropenning aftercare"
    assert pdf.metadata.author == "Harbourside Skin Clinic"
    root = pdf.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert root["/MarkInfo"]["/Marked"]
    assert "/StructTreeRoot" in root


def test_same_inputs_give_identical_bytes(content: Content, pdfs) -> None:
    again = produce(resolve_spec(content, "microneedling", "harbourside", NAME, FIXED_DATE))
    assert again == pdfs["harbourside", "microneedling", "personalised"]


@pytest.mark.parametrize(("variant", "marker"), [("pdf/a-3u", "pdfaid"), ("pdf/ua-1", "pdfuaid")])
def test_pdf_variants(content: Content, variant: str, marker: str) -> None:
    request = resolve_spec(content, "micropenning", "harbourside", NAME, FIXED_DATE)
    first = produce(request, variant)
    assert produce(request, variant) == first
    xmp = reader(first).trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert marker in xmp
    if variant == "pdf/a-3u":
        assert "<pdfaid:part>3</pdfaid:part>" in xmp or 'pdfaid:part="3"' in xmp
    assert NAME in pdf_text(first)


def test_body_text_is_at_least_10_5_pt(pdfs) -> None:
    sizes = []

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            scale = (tm[0] ** 2 + tm[1] ** 2) ** 0.5 * (cm[0] ** 2 + cm[1] ** 2) ** 0.5
            sizes.append((round(font_size * scale, 1), text))

    reader(pdfs["magnolia", "micropenning", "personalised"]).pages[0].extract_text(
        visitor_text=visit
    )
    body = [size for size, text in sizes if "Your skin will feel hot" in text]
    assert body, "body paragraph not found"
    assert min(body) >= 10.5


def test_no_phase_heading_is_stranded_at_a_page_foot(content_copy: Content) -> None:
    # Phases of uneven length put headings at many heights; with `break-after: auto`
    # on h3 this layout strands "Stage 17" at the foot of a page.
    filler = "Keep the treated area clean and follow the advice of your practitioner. "
    phases = "".join(
        f"  - title: Stage {n}\n    day: {n}\n    expect:\n"
        f"      - First words of stage {n}. {filler * (1 + (n * 3) % 7)}\n"
        for n in range(1, 31)
    )
    path = content_copy.protocols_dir / "long.yaml"
    path.write_text(f"title: Long aftercare\nprocedure: Long\nphases:\n{phases}", encoding="utf-8")
    pdf = produce(resolve_spec(content_copy, "long", "magnolia"))
    pages = [fold(page.extract_text()) for page in reader(pdf).pages]
    assert len(pages) >= 3
    for n in range(1, 31):
        heading_pages = [i for i, text in enumerate(pages) if f"Stage {n} " in text]
        body_pages = [i for i, text in enumerate(pages) if f"First words of stage {n}." in text]
        assert heading_pages[:1] == body_pages[:1], f"Stage {n} heading is apart from its text"


def test_closing_a_maker_removes_weasyprints_font_folder(
    content: Content, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # WeasyPrint keeps @font-face files in a temp folder that it only removes
    # when the FontConfiguration is garbage-collected; long-lived processes
    # (and interpreter exit) used to leave one behind per run.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    maker = PdfRenderer()
    maker.render(resolve_spec(content, "micropenning", "magnolia"))
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("weasyprint-")]
    maker.close()
    assert list(tmp_path.iterdir()) == []
