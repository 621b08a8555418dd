"""The catalogs: every fixed wording of the page and the email is in them, and they are current.

The pseudo-locale test renders the page, its stylesheet and the email with a
catalog that turns every message into full-width letters; after taking out
the protocol's, the clinic's and the patient's own text, no plain ASCII letter
may be left. A wording added to a template without ``_()`` or ``{% trans %}``
shows up there as English.
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from markupsafe import Markup

from handouts.content.bundled import BUNDLED_ROOT
from handouts.content.store import ContentStore
from handouts.deliver.channels import email_context
from handouts.deliver.mail import render_email
from handouts.render.page import page_context, resolve_spec
from handouts.templating.catalogs import LOCALE_DIR, catalog
from handouts.templating.templates import css_counter_text, make_environment
from tests.support.dates import FIXED_DATE

PROJECT = Path(__file__).resolve().parent.parent.parent
PLACEHOLDER = re.compile(r"(%\(\w+\)[sd])")


def read_catalog(path: Path) -> Catalog:
    with path.open("rb") as file:
        return read_po(file)


def message_ids(found: Catalog) -> set[str | tuple[str, ...]]:
    return {message.id for message in found if message.id}


def test_the_template_file_lists_every_wording_the_sources_mark() -> None:
    with (PROJECT / "babel.cfg").open(encoding="utf-8") as file:
        method_map, options_map = parse_mapping_cfg(file)
    extracted = set()
    for _, _, message, _, _ in extract_from_dir(str(PROJECT), method_map, options_map):
        extracted.add(message if isinstance(message, str) else tuple(message))
    assert extracted == message_ids(read_catalog(LOCALE_DIR / "handouts.pot")), (
        "run 'make messages' after changing a template's wording"
    )


@pytest.mark.parametrize("language", ["es"])
def test_each_catalog_translates_everything_and_is_compiled(language: str) -> None:
    po = read_catalog(LOCALE_DIR / language / "LC_MESSAGES" / "handouts.po")
    assert message_ids(po) == message_ids(read_catalog(LOCALE_DIR / "handouts.pot"))
    compiled = catalog(language)
    for message in po:
        if not message.id:
            continue
        assert message.string and "fuzzy" not in message.flags, message.id
        if isinstance(message.id, tuple):
            for count, form in ((1, 0), (5, 1)):
                got = compiled.ngettext(message.id[0], message.id[1], count)
                assert got == message.string[form], "run 'make messages' to compile"
        else:
            assert compiled.gettext(message.id) == message.string, "run 'make messages'"


def full_width(text: str) -> str:
    """Every ASCII letter as its full-width form (U+FF21...), placeholders kept."""
    return "".join(
        part
        if PLACEHOLDER.fullmatch(part)
        else re.sub(r"[A-Za-z]", lambda m: chr(ord(m[0]) + 0xFEE0), part)
        for part in PLACEHOLDER.split(text)
    )


@pytest.fixture(scope="module")
def pseudo_locale() -> gettext.GNUTranslations:
    source = read_catalog(LOCALE_DIR / "handouts.pot")
    pseudo = Catalog(locale="en")
    for message in source:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            pseudo.add(message.id, tuple(full_width(m) for m in message.id))
        else:
            pseudo.add(message.id, full_width(message.id))
    buffer = io.BytesIO()
    write_mo(buffer, pseudo)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def strings_in(value: Any) -> list[str]:
    """Every string inside a model dump."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in strings_in(item)]
    if isinstance(value, list | tuple):
        return [s for item in value for s in strings_in(item)]
    return []


class ReadableText(HTMLParser):
    """Text a reader sees or hears: text nodes and the attributes screen readers read."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_style = tag == "style"
        values = dict(attrs)
        for name in ("alt", "aria-label", "title"):
            if values.get(name):
                self.parts.append(values[name] or "")
        if tag == "meta" and values.get("name") == "description":
            self.parts.append(values.get("content") or "")

    def handle_data(self, data: str) -> None:
        if not self._in_style:
            self.parts.append(data)


def leftover_english(text: str, data: list[str]) -> list[str]:
    for value in sorted(set(data), key=len, reverse=True):
        text = text.replace(value, " ")
    return re.findall(r"[A-Za-z]+", text)


@pytest.mark.parametrize("protocol", sorted(ContentStore(BUNDLED_ROOT).protocol_ids()))
@pytest.mark.parametrize("clinic", ["harbourside", "magnolia"])
@pytest.mark.parametrize("kind", ["blank", "dated", "timed"])
def test_no_wording_of_page_stylesheet_or_email_escapes_the_catalogs(
    content: ContentStore, pseudo_locale, protocol: str, clinic: str, kind: str
) -> None:
    spec = resolve_spec(
        content,
        protocol,
        clinic,
        "Pat Doe" if kind != "blank" else None,
        FIXED_DATE if kind != "blank" else None,
        dt.time(14, 30) if kind == "timed" else None,  # rules in hours show clock times
    )
    environment = make_environment(
        spec.root_templates, spec.clinic_dir / "templates", pseudo_locale
    )
    context = {**page_context(spec), "fit_tight": False}
    # Month and day names, clock times, and "and"/"or" in lists come from the
    # locale (Babel), not from us.
    for name in ("long_date", "short_date", "short_date_year", "day_date", "clock"):
        context[name] = str  # "2026-11-22", "2026-11-22 14:30:00": no letters
    for name in ("and_list", "or_list"):
        context[name] = lambda items: Markup(" + ").join(items)
    data = strings_in(spec.protocol.model_dump()) + strings_in(spec.clinic.model_dump())
    data += ["Pat Doe", "dir", "ltr"]

    page = ReadableText()
    page.feed(environment.get_template("handout.html").render(context))
    assert leftover_english(" ".join(page.parts), data) == []

    stylesheet = environment.get_template("clinic.css").render(
        clinic=spec.clinic, font_files={}, cjk_font="Noto Sans CJK SC"
    )
    contents = re.findall(r"content:([^;]*);", stylesheet)
    assert (
        contents and leftover_english(" ".join(contents), ["counter(page)", "counter(pages)"]) == []
    )

    # The email sees the page's context and a few things of its own (channels.email_context).
    mail = {**email_context(spec, kind != "blank"), **context}
    mail["procedure_date_text"] = FIXED_DATE.isoformat() if kind != "blank" else None
    subject, text_body, html_body = render_email(environment, mail)
    body = ReadableText()
    body.feed(html_body)
    assert leftover_english(" ".join([subject, text_body, *body.parts]), data) == []


def test_the_page_counter_wording_cannot_break_the_stylesheet() -> None:
    assert css_counter_text("Page {page} of {pages}") == (
        '"Page " counter(page) " of " counter(pages)'
    )
    assert css_counter_text('{page}" } body { x: "y') == 'counter(page) "\\" } body { x: \\"y"'
    assert css_counter_text("{page}/{pages}") == 'counter(page) "/" counter(pages)'
