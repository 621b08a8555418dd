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

The sandbox also bounds what one render may cost (``TemplateLimit``, a
``SecurityError``, so every front end shows it as ``file:line: template: ...``):
``range()`` of at most ``MAX_RANGE`` numbers, a string or list repeated to at
most ``MAX_REPEAT`` items, no huge powers or format widths, at most
``MAX_OUTPUT`` characters out, and ``RENDER_SECONDS`` of time. Time is checked
as ranges are walked and as the template calls or looks things up, and, on a
main thread, by an alarm signal that interrupts any other loop.
"""

from __future__ import annotations

import contextlib
import gettext
import math
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from types import FrameType
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

from ..content.bundled import BUILTIN_TEMPLATES
from ..errors import ResourceRefused
from .catalogs import SOURCE_LANGUAGE, catalog
from .template_cache import QuietBytecodeCache, bytecode_cache

BUILTIN_PREFIX = "!builtin"
# Every environment that parses our templates needs these, validate's included.
TEMPLATE_EXTENSIONS = ("jinja2.ext.do", "jinja2.ext.i18n")


MAX_RANGE = 10_000  # a handout loops over a few dozen steps
MAX_REPEAT = 100_000  # items or characters made by 'a' * n or list * n
MAX_OUTPUT = 2_000_000  # characters one render may produce (a handout is ~50,000)
MAX_POWER_BITS = 4_096  # 2 ** 4096 is plenty for any arithmetic on a page
RENDER_SECONDS = 5.0  # a handout's templates render in milliseconds
_WIDE_FORMAT = re.compile(r"\d{7,}")  # a field width of a million or more
# The clock the time limit reads; tests replace it to run time forward.
clock: Callable[[], float] = time.monotonic


class TemplateLimit(SecurityError):
    """A template asked for more time or size than a render may take."""


class _Budget(threading.local):
    deadline: float | None = None


_budget = _Budget()


def _check_time() -> None:
    deadline = _budget.deadline
    if deadline is not None and clock() > deadline:
        raise TemplateLimit(f"the template took longer than {RENDER_SECONDS:g} seconds")


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    _check_time()


@contextlib.contextmanager
def render_budget(seconds: float = RENDER_SECONDS) -> Iterator[None]:
    """Bound the time of everything rendered inside; nested budgets keep the outer one."""
    if _budget.deadline is not None:
        yield
        return
    _budget.deadline = clock() + seconds
    alarm = threading.current_thread() is threading.main_thread() and hasattr(signal, "SIGALRM")
    previous: Any = None
    if alarm:
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        # Fires every tenth of a second past the deadline until checked; a test's
        # clock may run ahead of the real one, so the handler asks the clock.
        signal.setitimer(signal.ITIMER_REAL, seconds, 0.1)
    try:
        yield
    finally:
        _budget.deadline = None
        if alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


class _BoundedRange:
    """``range()`` for templates: at most MAX_RANGE numbers, watching the clock as it goes."""

    def __init__(self, *args: int) -> None:
        self.numbers = range(*args)
        if len(self.numbers) > MAX_RANGE:
            raise TemplateLimit(
                f"range() of {len(self.numbers)} numbers; templates may use at most {MAX_RANGE}"
            )

    def __iter__(self) -> Iterator[int]:
        for index, number in enumerate(self.numbers):
            if index % 256 == 0:
                _check_time()
            yield number

    def __len__(self) -> int:
        return len(self.numbers)


def _bounded_range(*args: int) -> _BoundedRange:
    return _BoundedRange(*args)


def _repeat_size(sequence: object, times: object) -> int:
    if isinstance(sequence, str | list | tuple | bytes) and isinstance(times, int):
        return len(sequence) * times
    return 0


def _check_format(text: object) -> None:
    if isinstance(text, str) and _WIDE_FORMAT.search(text):
        raise TemplateLimit("a format field width of a million or more")


class BoundedEnvironment(SandboxedEnvironment):
    """Jinja's sandbox, also bounding time, size and arithmetic of one render."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        _check_time()
        if operator == "*":
            size = max(_repeat_size(left, right), _repeat_size(right, left))
            if size > MAX_REPEAT:
                raise TemplateLimit(
                    f"repeating a text or list to {size} items; templates may make at most "
                    f"{MAX_REPEAT}"
                )
        elif operator == "**" and isinstance(left, int | float) and isinstance(right, int | float):
            bits = abs(right) * math.log2(abs(left)) if abs(left) > 1 else 0
            if bits > MAX_POWER_BITS:
                raise TemplateLimit("a power too large to compute")
        elif operator == "%":
            _check_format(left)
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _check_time()
        if getattr(__obj, "__name__", "") in {"format", "format_map"}:
            _check_format(getattr(__obj, "__self__", None))
        return super().call(__context, __obj, *args, **kwargs)

    def getattr(self, obj: Any, attribute: str) -> Any:
        _check_time()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        _check_time()
        return super().getitem(obj, argument)


def _bounded_width(name: str, filter_: Callable[..., Any]) -> Callable[..., Any]:
    def bounded(value: Any, width: Any = 80, *args: Any, **kwargs: Any) -> Any:
        if isinstance(width, int) and width > MAX_REPEAT:
            raise TemplateLimit(f"{name} to a width of {width}; at most {MAX_REPEAT}")
        return filter_(value, width, *args, **kwargs)

    return bounded


def _bounded_format(value: Any, *args: Any, **kwargs: Any) -> Any:
    _check_format(value)
    return jinja2.filters.do_format(value, *args, **kwargs)


class BoundedTemplate(jinja2.Template):
    """A template whose ``render`` runs within the time budget and stops at MAX_OUTPUT."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        context = self.new_context(dict(*args, **kwargs))
        parts: list[str] = []
        size = 0
        with render_budget():
            try:
                for part in self.root_render_func(context):
                    size += len(part)
                    if size > MAX_OUTPUT:
                        raise TemplateLimit(
                            f"{self.name}: the template made more than {MAX_OUTPUT:,} characters"
                        )
                    parts.append(part)
            except (OverflowError, MemoryError, RecursionError) as error:
                _budget.deadline = None  # no alarm while the traceback is rewritten
                # Plain words instead of a bug's traceback; the line comes from Jinja's rewrite.
                raise _as_limit(error, self) from None
            except Exception:
                _budget.deadline = None
                self.environment.handle_exception()
        return "".join(parts)


def _as_limit(error: BaseException, template: jinja2.Template) -> TemplateLimit:
    limits: dict[type[BaseException], str] = {
        OverflowError: "a number too large",
        MemoryError: "more memory than a render may use",
        RecursionError: "macros or includes nested too deeply",
    }
    what = limits[type(error)]
    limit = TemplateLimit(f"the template asked for {what}")
    try:
        template.environment.handle_exception()
    except Exception as rewritten:  # only its traceback, rewritten to template lines, is wanted
        limit.__traceback__ = rewritten.__traceback__
    return limit


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
) -> BoundedEnvironment:
    """One sandboxed environment per (content root, clinic, language), reused in a process."""
    return make_environment(root_templates, clinic_templates, catalog(language))


def make_environment(
    root_templates: Path | None,
    clinic_templates: Path | None,
    translations: gettext.NullTranslations,
) -> BoundedEnvironment:
    """A new environment with ``translations`` installed (tests pass a pseudo-locale)."""
    chain: list[jinja2.BaseLoader] = [
        jinja2.PrefixLoader({BUILTIN_PREFIX: ConfinedLoader(BUILTIN_TEMPLATES)})
    ]
    chain += [ConfinedLoader(folder) for folder in search_folders(root_templates, clinic_templates)]
    environment = BoundedEnvironment(
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
    bound_limits(environment)
    return environment


def bound_limits(environment: jinja2.Environment) -> None:
    """Put the render limits into ``environment`` (also used by ``validate``)."""
    environment.template_class = BoundedTemplate
    environment.globals["range"] = _bounded_range
    environment.globals.pop("lipsum", None)  # makes text of any size on request
    for name in ("center", "indent", "wordwrap", "truncate"):
        environment.filters[name] = _bounded_width(name, environment.filters[name])
    environment.filters["format"] = _bounded_format


def template_source(environment: jinja2.Environment, name: str) -> tuple[str, Path]:
    """A file's text and where it was found, for files used as they are (handout.css)."""
    assert environment.loader is not None
    text, filename, _ = environment.loader.get_source(environment, name)
    return text, Path(filename or name)
