"""Every protocol that validated before the new constructs still prints the same dates.

``dates_today/protocols`` holds the starter protocols as they were before the
schema grew; ``dates_today/*.txt`` is every date line their pages printed then,
for a procedure on an ordinary day and on 30 December at 15:30 (the year turns
inside the recovery). Rewriting the starter library does not touch these copies.
The one wording change since they were captured is intended: a clock time in
the next year names its year.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import shutil
from pathlib import Path

import pytest

from handouts.content.store import ContentStore
from handouts.render.page import render_html, resolve_spec
from tests.support.content import copy_content

HERE = Path(__file__).parent / "dates_today"
PROTOCOLS = sorted(HERE.joinpath("protocols").glob("*.yaml"))
MOMENTS = [
    (dt.date(2026, 11, 22), dt.time(14, 30)),
    (dt.date(2026, 12, 30), dt.time(15, 30)),
    (dt.date(2026, 12, 30), None),
]
# The parts of the page that carry the patient's dates.
DATE_PARTS = re.compile(
    r'<span class="phase-date">(.*?)</span>'
    r'|<strong class="rule-when">(.*?)</strong>'
    r'|<table class="dates">(.*?)</table>'
    r'|<p class="results">(.*?)</p>',
    re.S,
)


def date_lines(page: str) -> list[str]:
    lines = []
    for match in DATE_PARTS.finditer(page):
        part = next(group for group in match.groups() if group is not None)
        text = html.unescape(re.sub(r"<[^>]+>", " ", part))
        lines.append(" ".join(text.split()))
    return lines


@pytest.fixture(scope="module")
def old_library(tmp_path_factory: pytest.TempPathFactory) -> ContentStore:
    root = copy_content(tmp_path_factory.mktemp("old") / "root")
    for path in (root / "protocols").glob("*.yaml"):
        path.unlink()
    for path in PROTOCOLS:
        shutil.copy(path, root / "protocols" / path.name)
    return ContentStore(root)


def dates_of(store: ContentStore, path: Path) -> str:
    protocol_id, _, language = path.stem.partition(".")
    out = []
    for day, time in MOMENTS:
        spec = resolve_spec(store, protocol_id, "harbourside", "A", day, time, language or None)
        out.append(f"## {day.isoformat()} {time}")
        out.extend(date_lines(render_html(spec)))
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("path", PROTOCOLS, ids=lambda path: path.stem)
def test_old_protocols_print_the_dates_they_printed(
    old_library: ContentStore, path: Path, update_golden: bool
) -> None:
    expected = HERE / f"{path.stem}.txt"
    text = dates_of(old_library, path)
    if update_golden and not expected.exists():
        # Only ever written once, from the code before the change; never refreshed.
        expected.write_text(text, "utf-8")
    assert text == expected.read_text("utf-8")


def test_every_old_protocol_has_dates_to_compare() -> None:
    for path in PROTOCOLS:
        assert len((HERE / f"{path.stem}.txt").read_text("utf-8").splitlines()) > 6, path.name
