"""One language per page: a translated handout needs the clinic's own words in that language.

A clinic writes its after-hours line and its footer in its own language (the
language of the protocols it wrote). A Spanish handout that printed them in
English would hand a patient the safety line they may not read, so it is
refused, naming the fields to add under ``languages: es:`` in clinic.yaml.
Names, addresses, phone numbers and product brand names are the same in
every language and are not asked for.
"""

from __future__ import annotations

from .file_names import same_language
from .models import Branding, ClinicWording
from .store import ContentStore

# The clinic's sentences a page shows (ClinicWording's fields that are prose).
WORDED_FIELDS = ("after_hours", "footer")
_FIELD_WORDS = {"after_hours": "the after-hours line", "footer": "the footer"}


def missing_wording(clinic: Branding, language: str, own_language: str) -> list[str]:
    """The clinic's fields a page in ``language`` would show untranslated (empty: none).

    ``own_language`` is the language the clinic's texts are written in: the
    original protocol's. A page in that language needs nothing more.
    """
    if same_language(language, own_language):
        return []
    words = next(
        (w for tag, w in clinic.languages.items() if same_language(tag, language)),
        ClinicWording(),
    )
    return [
        name
        for name in WORDED_FIELDS
        if getattr(clinic, name) is not None and getattr(words, name) is None
    ]


def wording_problem(clinic: Branding, language: str, own_language: str) -> str:
    """A sentence naming the fields to add, or "" when the page is in one language."""
    missing = missing_wording(clinic, language, own_language)
    if not missing:
        return ""
    names = ", ".join(missing)
    what = " and ".join(_FIELD_WORDS[name] for name in missing)
    return (
        f"the clinic '{clinic.id}' has no '{language}' wording for {what}, so the page "
        f"would mix languages; add {names} under 'languages: {language}:' in "
        f"branding/{clinic.id}/clinic.yaml"
    )


def check_one_language(
    store: ContentStore, protocol: str, clinic: str | None, language: str | None
) -> None:
    """``InputError`` when a handout in ``language`` would show the clinic's words untranslated."""
    from ..errors import InputError

    if language is None:
        return
    store.protocol(protocol, language)  # NotFound first: a language it lacks altogether
    own = store.protocol(protocol).language
    problem = wording_problem(store.clinic(clinic), language, own)
    if problem:
        raise InputError(f"--language: {problem}")
