"""How hard a protocol's patient-facing text is to read, as a US school grade.

Health-literacy guidance asks for patient material at 8th grade or below. The
grade is the Flesch-Kincaid grade level, the measure most of that guidance
cites; it counts sentence length and syllables per word, so it is a rough guide
that rewards short sentences and plain words, not a verdict.

Sentences and words are counted here; syllables by pyphen's hyphenation
patterns. A readability library would add a language toolkit (and, for
English, a pronouncing dictionary downloaded on first use) for one sentence
count, and validating content must never reach the network.
Hyphenation misses some syllables ("ibuprofen" counts 2), so grades run
roughly one grade lower than a pronouncing dictionary would give: treat a
grade within one of the target as borderline.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from pyphen import Pyphen

from .models import Protocol

HEALTH_LITERACY_GRADE = 8.0

_SENTENCE_END = re.compile(r"[.!?:;][\"')\]]*$")
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*")  # "it's" with either apostrophe
_SENTENCE = re.compile(r"\b[^.!?]+[.!?]*")


def patient_text(protocol: Protocol) -> Iterator[str]:
    """The prose a patient reads: intro, warnings, rules, do/don't, phases, notes, closing.

    Headings, step names and product names are left out: they are labels, not
    sentences, and would skew a sentence-based measure either way.
    """
    yield from protocol.intro
    for warning in protocol.warnings:
        yield warning.title
        yield warning.text
    yield from protocol.warning_signs
    yield from protocol.before
    for rule in [*protocol.rules, *(r for v in protocol.variants for r in v.rules)]:
        yield rule.text
        yield from rule.items
    for variant in protocol.variants:
        yield from variant.warning_signs
    if protocol.do_dont is not None:
        yield from protocol.do_dont.do
        yield from protocol.do_dont.dont
    for phase in protocol.phases:
        yield from phase.expect
        yield from phase.do
        yield from phase.avoid
    if protocol.regimen is not None:
        yield from protocol.regimen.notes
        yield from (step.note for step in protocol.regimen.steps if step.note)
    if protocol.series is not None:
        yield from protocol.series.notes
    if protocol.results is not None:
        yield protocol.results.text
    yield from protocol.closing


def _as_sentence(text: str) -> str:
    # List items often lack a full stop; without one, the count would run them
    # together into one long sentence and overstate the grade.
    text = text.strip()
    return text if _SENTENCE_END.search(text) else text + "."


@cache
def _hyphenator(language: str) -> Pyphen:
    # A bare "en" would get British patterns, which split words more sparingly
    # and so count fewer syllables; Flesch-Kincaid was calibrated on US English.
    code = language.replace("-", "_")
    if code == "en":
        code = "en_US"
    try:
        return Pyphen(lang=code)
    except KeyError:
        return Pyphen(lang="en_US")


def sentence_count(text: str) -> int:
    """Sentences in ``text``, at least one.

    A run ending at ".", "!" or "?" counts when it has more than two words, so
    an abbreviation ("Call Dr. Patel ...") or a bare label adds no sentence of
    its own and does not understate the grade.
    """
    runs = _SENTENCE.findall(text)
    return max(1, sum(1 for run in runs if len(_WORD.findall(run)) > 2))


def text_grade(text: str, language: str = "en") -> float:
    """Flesch-Kincaid grade of ``text``, to one decimal; 0 for no words."""
    words = _WORD.findall(text)
    if not words:
        return 0.0
    sentences = sentence_count(text)
    hyphenator = _hyphenator(language)
    syllables = sum(len(hyphenator.positions(word.lower())) + 1 for word in words)
    grade = 0.39 * len(words) / sentences + 11.8 * syllables / len(words) - 15.59
    return round(grade, 1)


def reading_grade(protocol: Protocol) -> float:
    """The Flesch-Kincaid grade of the protocol's patient-facing text."""
    text = " ".join(_as_sentence(part) for part in patient_text(protocol))
    return text_grade(text, protocol.language)
