"""The protocol writer's guide: its example validates and prints what it says, and
every field of a protocol is documented there or in the README's "Adding a protocol"."""

from __future__ import annotations

import datetime as dt
import html
import re
import typing
from pathlib import Path

from pydantic import BaseModel

from handouts.content.bundled import BUNDLED_ROOT
from handouts.content.models import Protocol
from handouts.content.store import ContentStore
from handouts.render.page import render_html, resolve_spec
from handouts.validate import validate_root

GUIDE = Path(__file__).resolve().parent.parent.parent / "docs" / "guide" / "protocols.md"


def _guide() -> str:
    return GUIDE.read_text("utf-8")


def _example() -> str:
    match = re.search(r"```yaml\n(.*?)```", _guide(), re.S)
    assert match, "the guide has no yaml example"
    return match.group(1)


def _promised_lines() -> list[str]:
    after = _guide().split("the rules read:", 1)[1]
    return [line[2:] for line in after.splitlines() if line.startswith("- ")]


def _page(store: ContentStore, variant: str | None = None) -> str:
    spec = resolve_spec(store, "tattoo", "harbourside", "A", dt.date(2026, 12, 30), dt.time(15, 30))
    if variant is not None:
        spec = type(spec)(**{**spec.__dict__, "protocol": spec.protocol.with_variant(variant)})
    text = re.sub(r"<[^>]+>", "", render_html(spec))
    return " ".join(html.unescape(text).split())


def test_the_guide_example_validates_and_prints_what_the_guide_says(
    content_copy: ContentStore,
) -> None:
    (content_copy.protocols_dir / "tattoo.yaml").write_text(_example(), "utf-8")
    report = validate_root(content_copy, grade_target=8, today=dt.date(2026, 11, 23))
    assert report.problems == []
    page = _page(content_copy)
    lines = _promised_lines()
    assert len(lines) == 8
    for line in lines:
        assert line in page
    assert "Call us straight away if you have" in page and "Pus or a bad smell" in page
    assert "Tell us if you have had cold sores." in page
    assert "Saunas Hot tubs Hot yoga" in page
    # The series range: 6 to 8 weeks after 30 December, counted from the procedure.
    assert "between Wednesday 10 February 2027 and Wednesday 24 February 2027" in page


def test_a_variant_changes_the_rule_with_its_topic(content_copy: ContentStore) -> None:
    (content_copy.protocols_dir / "tattoo.yaml").write_text(_example(), "utf-8")
    page = _page(content_copy, "large-area")
    assert "Until Wednesday 20 January 2027: Avoid:" in page
    assert "Until Wednesday 13 January 2027: Avoid:" not in page
    assert "(Large area)" in page


def _fields(model: type[BaseModel], seen: set[type[BaseModel]]) -> set[str]:
    names: set[str] = set()
    seen.add(model)
    for name, field in model.model_fields.items():
        names.add(name)
        for inner in _models_in(field.annotation):
            if inner not in seen:
                names |= _fields(inner, seen)
    return names


def _models_in(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def test_every_protocol_field_is_documented_for_protocol_writers() -> None:
    readme = (BUNDLED_ROOT / "README.md").read_text("utf-8")
    section = ""
    if "## Adding a protocol" in readme:
        section = readme[readme.index("## Adding a protocol") :]
        section = section[: section.find("\n## ", 1)]
    documented = section + _guide()
    missing = sorted(
        name
        for name in _fields(Protocol, set()) - {"id"}
        if not re.search(rf"`{name}[`:]", documented)
    )
    assert missing == []
