"""The gettext catalogs that translate the fixed wording of the page and the email.

Protocols carry their own words (a translated protocol is a file of its own);
what the templates themselves say ("Patient", "Page 1 of 2", "Dear ...") lives
in ``handouts/locale/<language>/LC_MESSAGES/handouts.po``, compiled to ``.mo``
(``make messages`` extracts and compiles). A language without a catalog gets
the templates' English wording.
"""

from __future__ import annotations

import gettext
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.support import Translations

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "handouts"
SOURCE_LANGUAGE = "en"  # the language the templates are written in


def babel_locale_name(language: str) -> str:
    """``es-MX`` -> ``es_MX``: protocols use BCP 47 tags, Babel and gettext underscores."""
    return language.replace("-", "_")


def base_language(language: str) -> str:
    return babel_locale_name(language).split("_", 1)[0].lower()


@cache
def catalog(language: str) -> gettext.NullTranslations:
    """The catalog for ``language``, falling back from ``es_MX`` to ``es``, then to English."""
    name = babel_locale_name(language)
    candidates = list(dict.fromkeys([name, base_language(language)]))
    return Translations.load(str(LOCALE_DIR), candidates, DOMAIN)


def catalog_languages() -> list[str]:
    """The languages with a compiled catalog, besides the templates' own English."""
    return sorted(
        folder.name
        for folder in LOCALE_DIR.iterdir()
        if (folder / "LC_MESSAGES" / f"{DOMAIN}.mo").is_file()
    )


def has_catalog(language: str) -> bool:
    if base_language(language) == SOURCE_LANGUAGE:
        return True
    available = catalog_languages()
    return babel_locale_name(language) in available or base_language(language) in available


def is_known_language(language: str) -> bool:
    """Whether ``language`` names a language Babel has data for (``es``, ``es-MX``, ``ar``)."""
    try:
        Locale.parse(babel_locale_name(language))
    except (UnknownLocaleError, ValueError):
        return False
    return True


def babel_locale(language: str) -> Locale:
    """The Babel locale for dates and lists; English for a tag Babel does not know."""
    try:
        return Locale.parse(babel_locale_name(language))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(SOURCE_LANGUAGE)


def text_direction(language: str) -> str:
    """``rtl`` for right-to-left scripts (Arabic, Hebrew, Persian, Urdu), else ``ltr``."""
    return "rtl" if babel_locale(language).character_order == "right-to-left" else "ltr"


def language_name(language: str) -> str:
    """How staff see a language in a list: "English", "Spanish (español)"."""
    if not is_known_language(language):
        return language
    locale = babel_locale(language)
    english = locale.get_display_name("en") or language
    own = locale.get_display_name(locale) or ""
    return english if own.casefold() == english.casefold() else f"{english} ({own})"
