"""The handout email on a 360 px phone, light and dark: no side-scrolling, text at
least 14 px, nothing serious for axe-core. Screenshots go to the test's folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from handouts.content.store import ContentStore
from handouts.deliver.channels import handout_message
from handouts.render.page import resolve_spec
from tests.support.browser import axe_violations
from tests.support.dates import FIXED_DATE

pytestmark = pytest.mark.browser

# Every text node's computed size, and how far the page reaches past the viewport.
MEASURE = """() => {
  const small = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const size = parseFloat(getComputedStyle(node.parentElement).fontSize);
    if (size < 14) small.push([node.textContent.trim().slice(0, 40), size]);
  }
  const root = document.documentElement;
  return {small, overflow: root.scrollWidth - root.clientWidth,
          background: getComputedStyle(document.body).backgroundColor};
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(
    ("clinic", "protocol"), [("harbourside", "microneedling"), ("magnolia", "light-chemical-peel")]
)
def test_the_email_reads_on_a_phone(
    browser: object,
    content: ContentStore,
    tmp_path: Path,
    scheme: str,
    clinic: str,
    protocol: str,
) -> None:
    spec = resolve_spec(content, protocol, clinic, "Zoë O'Brien-Núñez", FIXED_DATE)
    html = handout_message(spec, "zoe@example.org", b"%PDF-1.7 test").get_body(("html",))
    page_file = tmp_path / "email.html"
    page_file.write_text(html.get_content(), encoding="utf-8")  # type: ignore[union-attr]
    context = browser.new_context(  # type: ignore[attr-defined]
        viewport={"width": 360, "height": 740}, color_scheme=scheme
    )
    try:
        page = context.new_page()
        page.goto(page_file.as_uri())
        measured = page.evaluate(MEASURE)
        page.screenshot(path=str(tmp_path / f"email-{clinic}-{scheme}.png"), full_page=True)
        assert measured["overflow"] <= 0, f"the page scrolls sideways by {measured['overflow']} px"
        assert measured["small"] == [], f"text below 14 px: {measured['small']}"
        dark = measured["background"] == "rgb(22, 22, 22)"
        assert dark == (scheme == "dark"), measured["background"]
        assert axe_violations(page) == []
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_follow_up_reads_on_a_phone(
    browser: object, content: ContentStore, tmp_path: Path, scheme: str
) -> None:
    import datetime as dt

    from handouts.follow_ups.outbox import Outbox
    from handouts.follow_ups.schedule import schedule_for_handout
    from handouts.follow_ups.sender import follow_up_message

    spec = resolve_spec(content, "light-chemical-peel", "harbourside", "Zoë", FIXED_DATE)
    schedule_for_handout(
        spec, "zoe@example.org", tmp_path, dt.datetime(2026, 11, 1, tzinfo=dt.UTC), "test"
    )
    with Outbox(tmp_path) as outbox:
        row = outbox.rows()[-1]  # a rule's "no longer applies", the longest wording
    message = follow_up_message(content, row, "https://desk.example/")
    page_file = tmp_path / "follow-up.html"
    page_file.write_text(message.get_body(("html",)).get_content(), encoding="utf-8")  # type: ignore[union-attr]
    context = browser.new_context(  # type: ignore[attr-defined]
        viewport={"width": 360, "height": 740}, color_scheme=scheme
    )
    try:
        page = context.new_page()
        page.goto(page_file.as_uri())
        measured = page.evaluate(MEASURE)
        page.screenshot(path=str(tmp_path / f"follow-up-{scheme}.png"), full_page=True)
        assert measured["overflow"] <= 0
        assert measured["small"] == []
        assert axe_violations(page) == []
    finally:
        context.close()
