"""Compiled templates kept between runs: reused when unchanged, never trusted blindly."""

from __future__ import annotations

import stat
from pathlib import Path

import jinja2
import pytest
from jinja2.bccache import bc_magic
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from handouts.templating import template_cache
from handouts.templating.template_cache import bytecode_cache, cache_home


class CountingEnvironment(SandboxedEnvironment):
    """Counts the templates it had to compile (a cache hit compiles nothing)."""

    def __init__(self, **options) -> None:
        super().__init__(**options)
        self.compiled = 0

    def compile(self, *args, **kwargs):  # type: ignore[override]
        self.compiled += 1
        return super().compile(*args, **kwargs)


@pytest.fixture
def cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "handouts"


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "page.html").write_text("<p>{{ name }} heals in {{ days }} days</p>", "utf-8")
    return folder


def settings(tmp_path: Path, text: str = "autoescape on") -> Path:
    path = tmp_path / "settings.py"
    path.write_text(text, encoding="utf-8")
    return path


def environment(templates: Path, settings_file: Path) -> CountingEnvironment:
    return CountingEnvironment(
        loader=jinja2.FileSystemLoader(templates),
        autoescape=True,
        bytecode_cache=bytecode_cache(settings_file),
    )


def render(env: jinja2.Environment) -> str:
    return env.get_template("page.html").render(name="<Sam>", days=3)


def test_a_second_process_loads_the_compiled_template_instead_of_compiling_it(
    tmp_path: Path, cache_folder: Path, templates: Path
) -> None:
    first, second = (environment(templates, settings(tmp_path)) for _ in range(2))
    assert render(first) == "<p>&lt;Sam&gt; heals in 3 days</p>"
    assert render(second) == render(first)
    assert (first.compiled, second.compiled) == (1, 0)


def test_an_edited_template_is_compiled_afresh(
    tmp_path: Path, cache_folder: Path, templates: Path
) -> None:
    render(environment(templates, settings(tmp_path)))
    (templates / "page.html").write_text("<p>{{ name }}: {{ days }} days</p>", "utf-8")
    later = environment(templates, settings(tmp_path))
    assert render(later) == "<p>&lt;Sam&gt;: 3 days</p>"
    assert later.compiled == 1


def test_other_environment_settings_use_another_folder(
    tmp_path: Path, cache_folder: Path, templates: Path
) -> None:
    render(environment(templates, settings(tmp_path, "autoescape on")))
    changed = environment(templates, settings(tmp_path, "autoescape off"))
    render(changed)
    assert changed.compiled == 1
    assert len(list(cache_folder.iterdir())) == 2


def test_the_cache_folder_is_the_owners_alone(tmp_path: Path, cache_folder: Path) -> None:
    cache = bytecode_cache(settings(tmp_path))
    assert cache is not None
    for folder in (cache_folder, Path(cache.directory)):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_a_folder_others_may_write_to_is_not_used(tmp_path: Path, cache_folder: Path) -> None:
    cache_folder.mkdir(parents=True)
    cache_folder.chmod(0o777)
    assert bytecode_cache(settings(tmp_path)) is None


def test_a_cache_folder_that_cannot_be_made_means_no_cache(
    tmp_path: Path, cache_folder: Path
) -> None:
    cache_folder.parent.mkdir()
    cache_folder.write_text("a file where the folder should be", encoding="utf-8")
    assert bytecode_cache(settings(tmp_path)) is None


def test_a_damaged_entry_is_compiled_again(
    tmp_path: Path, cache_folder: Path, templates: Path
) -> None:
    first = environment(templates, settings(tmp_path))
    expected = render(first)
    [entry] = Path(first.bytecode_cache.directory).iterdir()  # type: ignore[union-attr]
    # Cut short inside the source checksum that follows the header.
    entry.write_bytes(entry.read_bytes()[: len(bc_magic) + 3])
    again = environment(templates, settings(tmp_path))
    assert render(again) == expected
    assert again.compiled == 1


def test_an_entry_that_cannot_be_written_costs_nothing_but_time(
    tmp_path: Path, cache_folder: Path, templates: Path
) -> None:
    env = environment(templates, settings(tmp_path))
    folder = Path(env.bytecode_cache.directory)  # type: ignore[union-attr]
    folder.rmdir()  # gone before the first template is kept (a cleaner, a full disk)
    assert render(env) == "<p>&lt;Sam&gt; heals in 3 days</p>"


def test_a_relative_cache_home_is_ignored_as_the_rules_say(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache_home() == tmp_path / ".cache" / "handouts"


def test_the_handout_templates_are_kept_in_the_runs_cache(content) -> None:
    # The test run points XDG_CACHE_HOME at a folder of its own (conftest).
    from handouts.render.page import render_html, resolve_spec
    from tests.support.dates import FIXED_DATE

    render_html(resolve_spec(content, "micropenning", None, "Ann Lee", FIXED_DATE))
    kept = list(template_cache.cache_home().glob("templates-*/*.cache"))
    assert kept, "rendering a page kept no compiled template"


def only_entry(env: jinja2.Environment) -> Path:
    [entry] = Path(env.bytecode_cache.directory).iterdir()  # type: ignore[union-attr]
    return entry


def test_an_entry_others_may_write_to_is_not_run(
    tmp_path: Path, cache_folder: Path, templates: Path
) -> None:
    first = environment(templates, settings(tmp_path))
    render(first)
    only_entry(first).chmod(0o666)
    again = environment(templates, settings(tmp_path))
    render(again)
    assert again.compiled == 1


def test_an_entry_reached_through_a_link_is_not_run(
    tmp_path: Path, cache_folder: Path, templates: Path
) -> None:
    first = environment(templates, settings(tmp_path))
    render(first)
    entry = only_entry(first)
    elsewhere = tmp_path / "elsewhere.cache"
    entry.rename(elsewhere)
    entry.symlink_to(elsewhere)
    again = environment(templates, settings(tmp_path))
    render(again)
    assert again.compiled == 1


def test_a_linked_cache_folder_is_not_used(tmp_path: Path, cache_folder: Path) -> None:
    (tmp_path / "someone-elses").mkdir(mode=0o700)
    cache_folder.parent.mkdir()
    cache_folder.symlink_to(tmp_path / "someone-elses")
    assert bytecode_cache(settings(tmp_path)) is None


def test_no_home_folder_means_no_cache_not_a_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A container's user with no passwd entry and no HOME: "~" stays "~".
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv("HOME", raising=False)
    monkeypatch.setattr(template_cache.os.path, "expanduser", lambda path: path)
    assert bytecode_cache(settings(tmp_path)) is None


def test_a_sandbox_escape_loaded_from_the_cache_is_still_refused(
    tmp_path: Path, cache_folder: Path, templates: Path
) -> None:
    (templates / "page.html").write_text("{{ cycler.__init__.__globals__ }}", "utf-8")
    first = environment(templates, settings(tmp_path))
    with pytest.raises(SecurityError):
        render(first)
    again = environment(templates, settings(tmp_path))
    with pytest.raises(SecurityError):
        render(again)
    assert again.compiled == 0  # it was the cached code that refused


def test_an_environment_outside_the_sandbox_never_loads_the_sandboxes_entries(
    tmp_path: Path, cache_folder: Path, templates: Path
) -> None:
    sandboxed = environment(templates, settings(tmp_path))
    render(sandboxed)
    compiles: list[str] = []

    class Plain(jinja2.Environment):
        def compile(self, *args, **kwargs):  # type: ignore[override]
            compiles.append("page")
            return super().compile(*args, **kwargs)

    plain = Plain(
        loader=jinja2.FileSystemLoader(templates),
        autoescape=True,
        bytecode_cache=sandboxed.bytecode_cache,
    )
    render(plain)
    assert compiles == ["page"]
