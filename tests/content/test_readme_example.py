"""The protocol writer's guide: its example is a valid protocol that renders as it says."""

from __future__ import annotations

import datetime as dt
import html
import re

from handouts.content.bundled import BUNDLED_ROOT
from handouts.content.store import ContentStore
from handouts.render.page import render_html, resolve_spec
from handouts.validate import validate_root

GUIDE = BUNDLED_ROOT / "docs"


def _readme_example() -> str:
    guide = (GUIDE / "manager" / "protocols.md").read_text("utf-8")
    match = re.search(r"```yaml\n(.*?)```", guide, re.S)
    assert match, "the section has no yaml example"
    return match.group(1)


def test_the_readme_example_validates_and_renders(content_copy: ContentStore) -> None:
    (content_copy.protocols_dir / "peel.yaml").write_text(_readme_example(), "utf-8")
    report = validate_root(content_copy, grade_target=8, today=dt.date(2026, 11, 23))
    assert report.problems == []
    spec = resolve_spec(
        content_copy, "peel", "harbourside", "A", dt.date(2026, 11, 22), dt.time(14, 30)
    )
    page = html.unescape(render_html(spec))
    # The sentences the guide quotes are what the page says.
    assert "From Thursday 12 November 2026 to Wednesday 2 December 2026:</strong> Stay out" in page
    assert "Until 2:30 pm on Monday 23 November, or up to 2:30 pm on Tuesday 24 November:" in page
    assert "Draft: not yet reviewed by your clinic" in page
    assert "<title>Peel care</title>" in page
