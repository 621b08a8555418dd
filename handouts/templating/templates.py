"""The one place templates are found: page HTML, stylesheets and email.

Each name is looked up file by file in this order: the clinic's own
``branding/<id>/templates/``, the content root's ``templates/``, then the
built-in templates. A folder holding a single partial replaces just that
partial. An override can also extend the built-in file it replaces, changing
one block instead of copying the whole file::

    {% extends "!builtin/partials/contact.html" %}

Fixed wording is marked for translation (``{% trans %}``, ``_()``); each
environment has the catalog of one language installed (``catalogs.py``).

Templates are written by clinics, not by us, so every one of them, built-in or
not, runs in Jinja's sandbox (no reaching Python objects, files or the
network), and a template file is opened only when its real path, after
following links, lies inside the folder it was found in.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from functools import cache
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from ..content.bundled import BUILTIN_TEMPLATES
from ..errors import ResourceRefused
from .catalogs import SOURCE_LANGUAGE, catalog
from .template_cache import QuietBytecodeCache, bytecode_cache

BUILTIN_PREFIX = "!builtin"
# Every environment that parses our templates needs these, validate's included.
TEMPLATE_EXTENSIONS = ("jinja2.ext.do", "jinja2.ext.i18n")


class ConfinedLoader(jinja2.FileSystemLoader):
    """A ``FileSystemLoader`` that refuses files reached through a link out of its folder."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self.folder = folder.resolve()

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        if not Path(filename).resolve().is_relative_to(self.folder):
            raise ResourceRefused(
                f"{filename}: refused: it leads outside {self.folder} (through a link); "
                "templates are used only from inside their own folder"
            )
        return source, filename, uptodate


def search_folders(root_templates: Path | None, clinic_templates: Path | None) -> list[Path]:
    """The folders a template name is looked up in, first match wins.

    A folder that does not exist (yet) finds nothing. Environments are kept
    for the life of a process and so are the templates they loaded: a
    template file added while a server runs is seen after a restart.
    """
    folders = [f for f in (clinic_templates, root_templates) if f is not None]
    return [*folders, BUILTIN_TEMPLATES]


def css_counter_text(text: str) -> str:
    """A translated "Page {page} of {pages}" as a CSS ``content`` value.

    The words become CSS strings (escaped, so a translation cannot end the
    rule) and the placeholders become the page counters.
    """
    parts: list[str] = []
    for index, piece in enumerate(text.split("{page}")):
        if index:
            parts.append("counter(page)")
        for inner, words in enumerate(piece.split("{pages}")):
            if inner:
                parts.append("counter(pages)")
            if words:
                escaped = words.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
                parts.append(f'"{escaped}"')
    return " ".join(parts) or '""'


@cache
def _compiled_templates() -> QuietBytecodeCache | None:
    # Keyed by this file: the settings below are written into compiled code.
    return bytecode_cache(Path(__file__))


@cache
def template_environment(
    root_templates: Path | None, clinic_templates: Path | None, language: str = SOURCE_LANGUAGE
) -> SandboxedEnvironment:
    """One sandboxed environment per (content root, clinic, language), reused in a process."""
    return make_environment(root_templates, clinic_templates, catalog(language))


def make_environment(
    root_templates: Path | None,
    clinic_templates: Path | None,
    translations: gettext.NullTranslations,
) -> SandboxedEnvironment:
    """A new environment with ``translations`` installed (tests pass a pseudo-locale)."""
    chain: list[jinja2.BaseLoader] = [
        jinja2.PrefixLoader({BUILTIN_PREFIX: ConfinedLoader(BUILTIN_TEMPLATES)})
    ]
    chain += [ConfinedLoader(folder) for folder in search_folders(root_templates, clinic_templates)]
    environment = SandboxedEnvironment(
        loader=jinja2.ChoiceLoader(chain),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=list(TEMPLATE_EXTENSIONS),
        bytecode_cache=_compiled_templates(),
    )
    # New-style gettext escapes the translation's arguments, not the
    # translation, and formats with %(name)s in {% trans %} and _() alike.
    environment.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    environment.filters["css_counter_text"] = css_counter_text
    return environment


def template_source(environment: jinja2.Environment, name: str) -> tuple[str, Path]:
    """A file's text and where it was found, for files used as they are (handout.css)."""
    assert environment.loader is not None
    text, filename, _ = environment.loader.get_source(environment, name)
    return text, Path(filename or name)
