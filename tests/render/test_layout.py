"""Layout faults, checked on the real PDF: phases that break across pages, rules in
force, clock times across the year and within a day, Spanish weekdays, and the
warning signs on page 1."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from handouts.content.store import ContentStore
from handouts.deliver.channels import handout_message
from handouts.render.page import HandoutSpec, resolve_spec
from tests.pdfcheck import fold, render_pdf
from tests.support.library_pdfs import GROUP, HALF_THREE, YEAR_END, library_handout

# The whole library's PDFs are shared with test_library_pdfs, on one worker.
pytestmark = pytest.mark.xdist_group(GROUP)


def pages(pdf: bytes) -> list[list[str]]:
    """Each page's non-empty lines, in reading order."""
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode("utf-8")
    return [
        [line.strip() for line in page.splitlines() if line.strip()] for page in out.split("\f")
    ]


def body(lines: list[str], spec: HandoutSpec) -> list[str]:
    """A page's lines between the running header (its last line is the short title)
    and the running footer (its first line starts with the clinic's name and phone)."""
    title = spec.protocol.short_title or ""
    start = next((i + 1 for i, line in enumerate(lines[:4]) if line == title), 0)
    footer = f"{spec.clinic.name} · {spec.clinic.phone}"
    end = next((i for i, line in enumerate(lines) if line.startswith(footer)), len(lines))
    return lines[start:end]


def _every_handout(content: ContentStore) -> list[tuple[str, str, str, bool]]:
    return [
        (protocol, clinic, language, personal)
        for protocol in content.protocol_ids()
        for clinic in content.clinic_ids()
        for language in content.protocol_languages(protocol)
        for personal in (True, False)
    ]


@pytest.fixture(scope="module")
def every_pdf(content: ContentStore) -> list[tuple[str, HandoutSpec, list[list[str]]]]:
    made = []
    for protocol, clinic, language, personal in _every_handout(content):
        spec, pdf = library_handout(protocol, clinic, language, personal)
        made.append((f"{protocol}/{clinic}/{language}/{personal}", spec, pages(pdf)))
    return made


def test_no_page_opens_with_a_phase_part_without_its_heading(
    every_pdf: list[tuple[str, HandoutSpec, list[list[str]]]],
) -> None:
    unlabelled = ("Rules still in force", "Avoid", "Indicaciones que siguen vigentes", "Evite")
    seen_pages = 0
    for name, spec, document in every_pdf:
        for number, page in enumerate(document[1:], 2):
            lines = body(page, spec)
            if lines:
                seen_pages += 1
                assert not lines[0].startswith(unlabelled), f"{name} page {number}: {lines[0]}"
    assert seen_pages > 20  # the check ran on real continuation pages


def test_no_phase_heading_is_left_at_the_foot_of_a_page(
    every_pdf: list[tuple[str, HandoutSpec, list[list[str]]]],
) -> None:
    for name, spec, document in every_pdf:
        titles = {phase.title for phase in spec.protocol.phases}
        dated = spec.procedure_date is not None
        for number, page in enumerate(document, 1):
            lines = body(page, spec)
            for index, line in enumerate(lines):
                if line in titles:
                    # The heading is the title and, on a dated handout, its date line.
                    after = lines[index + 1 + dated :]
                    assert after, f"{name} page {number} ends with the heading {line!r}"


def _write(content_copy: ContentStore, name: str, text: str) -> None:
    (content_copy.protocols_dir / name).write_text(text, "utf-8")


PROTOCOL = """\
title: Test care
procedure: Test
language: {language}
rules:
  - text: Some redness is normal.
    kind: expect
    short: redness
    from_day: 0
    to_day: 3
  - text: Stay out of the sun.
    kind: avoid
    short: no sun
    from_day: 0
    to_day: 3
  - text: Keep the area dry.
    kind: do
    from_hour: 1
    to_hour: 5
  - text: Do not exercise.
    kind: avoid
    to_hour: 48
  - text: Do not swim.
    kind: avoid
    to_hour: 6
phases:
  - title: First days
    from_day: 0
    to_day: 3
    do: [Rest.]
"""


def _text(content_copy: ContentStore, language: str = "en", clinic: str = "harbourside") -> str:
    _write(content_copy, "test.yaml", PROTOCOL.format(language=language))
    spec = resolve_spec(content_copy, "test", clinic, "A", YEAR_END, HALF_THREE)
    return fold(" ".join(" ".join(page) for page in pages(render_pdf(spec))))


def test_expect_rules_are_not_listed_as_rules_in_force(content_copy: ContentStore) -> None:
    text = _text(content_copy)
    in_force = text.split("Rules still in force:", 1)[1]
    assert in_force.lstrip().startswith("no sun")
    assert "redness" not in in_force.split("Questions")[0]
    assert "Some redness is normal." in text  # still told, once, with its dates


def test_clock_times_in_the_next_year_carry_the_year(content_copy: ContentStore) -> None:
    text = _text(content_copy)
    assert "Until 3:30 pm on Friday 1 January 2027: Do not exercise." in text
    # Within the procedure's own year, the year is not repeated.
    assert "Until 9:30 pm on Wednesday 30 December: Do not swim." in text


def test_a_window_within_one_day_names_the_day_once(content_copy: ContentStore) -> None:
    text = _text(content_copy)
    assert "From 4:30 pm to 8:30 pm on Wednesday 30 December: Keep the area dry." in text


def test_spanish_clock_times_use_the_full_weekday(content_copy: ContentStore) -> None:
    text = _text(content_copy, "es")
    assert "Hasta las 15:30 del viernes, 1 de enero de 2027:" in text
    assert "De las 16:30 a las 20:30 del miércoles, 30 de diciembre:" in text
    # Like the day rules' long dates: "viernes", never the short "vie,".
    assert "del vie," not in text and "del mié," not in text


def test_warning_signs_are_on_page_1_with_the_urgent_number(content: ContentStore) -> None:
    spec, pdf = library_handout("dermal-fillers", "harbourside", "en", personal=True)
    first = fold(" ".join(body(pages(pdf)[0], spec)))
    heading = first.index("Call us straight away if you have")
    assert heading < first.index("What to do, and for how long")
    for sign in spec.protocol.warning_signs:
        assert sign in first
    assert f"Call {spec.clinic.phone}." in first
    assert spec.clinic.after_hours is not None and spec.clinic.after_hours in first


def test_the_email_shows_the_warning_signs(content: ContentStore) -> None:
    spec = resolve_spec(content, "dermal-fillers", "harbourside", "A", YEAR_END, HALF_THREE)
    message = handout_message(spec, "a@example.org", b"%PDF-1.7")
    text = message.get_body(("plain",))
    assert text is not None
    body_text = text.get_content()
    assert f"Call us straight away on {spec.clinic.phone} if you have:" in body_text
    for sign in spec.protocol.warning_signs:
        assert f"- {sign}" in body_text
    html = message.get_body(("html",))
    assert html is not None and "Skin that turns white or dusky." in html.get_content()


def test_every_starter_protocol_was_checked(content: ContentStore) -> None:
    assert len(_every_handout(content)) >= 40
    assert Path(content.protocols_dir).is_dir()
