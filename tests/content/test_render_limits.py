"""A clinic's template cannot stall or exhaust a render, and validate refuses one that tries."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import jinja2
import pytest

from handouts.content.store import ContentStore
from handouts.messages import error_message
from handouts.templating import templates
from handouts.validate import validate_root

ROOT = Path(__file__).resolve().parents[2]
ISSUE_TEMPLATES = [
    "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    "{{ range(10**9) | list | length }}",
    "{{ ('a' * 10**13) | length }}",
    "{{ 'a' * 10**9 }}",
]


def _environment() -> jinja2.Environment:
    environment = templates.BoundedEnvironment(loader=jinja2.DictLoader({}))
    templates.bound_limits(environment)
    return environment


@pytest.mark.parametrize("source", ISSUE_TEMPLATES)
def test_validate_refuses_the_templates_of_the_issue(tmp_path: Path, source: str) -> None:
    for folder in ("protocols", "templates", "branding"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    for extra in ("signoffs.yaml", "signoffs.csv"):
        if (ROOT / extra).exists():
            shutil.copy(ROOT / extra, tmp_path / extra)
    partial = tmp_path / "branding" / "magnolia" / "templates" / "partials" / "contact.html"
    partial.parent.mkdir(parents=True, exist_ok=True)
    partial.write_text(source + "\n", encoding="utf-8")
    report = validate_root(ContentStore(tmp_path))
    mine = [p for p in report.problems if p.startswith(f"{partial}:1: template: ")]
    assert mine, report.problems


def test_a_render_past_its_time_stops_with_a_plain_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ticks = itertools.count(step=1.0)  # each look at the clock is a second later
    monkeypatch.setattr(templates, "clock", lambda: next(ticks))
    template = _environment().from_string(
        "{% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}"
    )
    with pytest.raises(templates.TemplateLimit) as caught:
        template.render()
    assert "took longer than 5 seconds" in error_message(caught.value)


def test_output_over_the_limit_is_refused() -> None:
    template = _environment().from_string('{% for i in range(1000) %}{{ "a" * 5000 }}{% endfor %}')
    with pytest.raises(templates.TemplateLimit, match="more than 2,000,000 characters"):
        template.render()


@pytest.mark.parametrize(
    "source", ["{{ 10.0 ** 400 }}", "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}"]
)
def test_python_errors_become_template_limits(source: str) -> None:
    with pytest.raises(templates.TemplateLimit):
        _environment().from_string(source).render()


def test_ordinary_templates_are_untouched() -> None:
    source = "{% for i in range(3) %}{{ '-' * 3 }}{{ i }}{% endfor %}{{ 2 ** 10 }}"
    assert _environment().from_string(source).render() == "---0---1---21024"
