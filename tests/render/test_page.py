"""HTML from templates: golden files, escaping, blanks and clinic overrides."""

from __future__ import annotations

import datetime as dt

import jinja2
import pytest

from handouts.content.store import ContentStore as Content
from handouts.render.page import (
    render_clinic_css,
    render_html,
    render_standalone_html,
    resolve_spec,
)
from tests.support.dates import FIXED_DATE

CASES = [
    (clinic, protocol, kind)
    for clinic in ("harbourside", "magnolia")
    for protocol in ("microneedling", "micropenning")
    for kind in ("personalised", "blank")
]


@pytest.mark.parametrize(("clinic", "protocol", "kind"), CASES)
def test_golden_html(content: Content, clinic: str, protocol: str, kind: str, golden) -> None:
    personal = kind == "personalised"
    request = resolve_spec(
        content,
        protocol,
        clinic,
        patient_name="Zoë O'Brien-Núñez" if personal else None,
        procedure_date=FIXED_DATE if personal else None,
    )
    golden(f"{clinic}-{protocol}-{kind}.html", render_html(request))


@pytest.mark.parametrize("protocol", ["microneedling", "micropenning"])
def test_golden_spanish_html(content: Content, protocol: str, golden) -> None:
    spec = resolve_spec(content, protocol, "magnolia", "José Álvarez", FIXED_DATE, language="es")
    golden(f"es/magnolia-{protocol}-personalised.html", render_html(spec))


@pytest.mark.parametrize("clinic", ["harbourside", "magnolia"])
def test_golden_clinic_css(content: Content, clinic: str, golden) -> None:
    golden(f"css/{clinic}.css", render_clinic_css(resolve_spec(content, "micropenning", clinic)))


def test_patient_text_is_escaped_not_evaluated(content: Content) -> None:
    name = "Zoë <b>&</b> {{7*7}} {% include 'x' %}"
    html = render_html(resolve_spec(content, "microneedling", patient_name=name))
    assert "Zoë &lt;b&gt;&amp;&lt;/b&gt; {{7*7}} {% include &#39;x&#39; %}" in html
    assert "<b>&</b>" not in html
    assert "49" not in html


def test_blank_handout_invents_no_date(content: Content) -> None:
    html = render_html(resolve_spec(content, "micropenning", "magnolia"))
    assert "2026" not in html and "2027" not in html
    assert html.count('class="fill-in') >= 5  # name, procedure date, one per phase...
    assert "Treatment 2" in html


def test_personalised_dates_follow_clinic_style(content: Content) -> None:
    us = render_html(resolve_spec(content, "microneedling", "magnolia", "A", FIXED_DATE))
    uk = render_html(resolve_spec(content, "microneedling", "harbourside", "A", FIXED_DATE))
    assert "Monday, November 23, 2026" in us
    assert "Monday 23 November 2026" in uk


def test_clinic_products_show_beside_protocol_products(content: Content) -> None:
    html = render_html(resolve_spec(content, "microneedling", "harbourside"))
    assert (
        "<strong>Harbourside Gentle Milk Cleanser</strong> "
        "(or Milky Lotion Cleanser or Gentle Cleanser)" in html
    )
    # Steps the clinic does not stock keep the protocol's names alone.
    assert "<td>Enriched Firming Mask" in html


def test_range_across_new_year_shows_both_years(content: Content) -> None:
    html = render_html(
        resolve_spec(content, "micropenning", "magnolia", "A", dt.date(2026, 12, 28))
    )
    assert "Wed, Dec 30, 2026 to Mon, Jan 4, 2027" in html


def test_clinic_overrides_one_template(content_copy: Content) -> None:
    override = content_copy.branding_dir / "magnolia" / "templates" / "partials"
    override.mkdir(parents=True)
    (override / "contact.html").write_text(
        "<section class='contact'><p>Ring {{ clinic.phone }} any time.</p></section>\n"
    )
    html = render_html(resolve_spec(content_copy, "microneedling", "magnolia"))
    assert "Ring (555) 010-2743 any time." in html
    assert "Please do not hesitate" not in html
    # The other clinic still gets the built-in partial.
    other = render_html(resolve_spec(content_copy, "microneedling", "harbourside"))
    assert "Please do not hesitate" in other


def test_misspelt_template_variable_is_an_error(content_copy: Content) -> None:
    override = content_copy.branding_dir / "magnolia" / "templates" / "partials"
    override.mkdir(parents=True)
    (override / "contact.html").write_text("<p>{{ clinic.phoen }}</p>\n")
    with pytest.raises(jinja2.UndefinedError):
        render_html(resolve_spec(content_copy, "microneedling", "magnolia"))


def test_standalone_html_inlines_styles(content: Content) -> None:
    html = render_standalone_html(resolve_spec(content, "micropenning", "magnolia"))
    assert "<style>" in html and "@font-face" in html and "@page" in html
    assert '<base href="file://' in html


def test_before_procedure_phase_renders(content_copy: Content) -> None:
    path = content_copy.protocols_dir / "peel.yaml"
    path.write_text(
        "title: Peel aftercare\nprocedure: Chemical peel\n"
        "phases:\n"
        "  - title: 10 days before your treatment\n    from_day: -10\n    to_day: -1\n"
        "    avoid: [Retinol]\n"
        "  - title: Day of treatment\n    day: 0\n    do: [Rest]\n",
        encoding="utf-8",
    )
    html = render_html(resolve_spec(content_copy, "peel", "harbourside", "A", dt.date(2026, 3, 1)))
    assert "Thu 19 Feb to Sat 28 Feb 2026" in html
