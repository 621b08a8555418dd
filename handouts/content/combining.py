"""Several procedures of one visit as one protocol, and a practitioner's changes for one patient.

Combining keeps every instruction of every protocol: a rule two protocols share
(the same ``topic``) appears once, with the longer span; anything else said the
same way twice appears once; everything else is kept, in time order. The result
is only ever rendered, never validated as a file: phases of two procedures may
overlap, which a single protocol's file may not.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from babel.lists import format_list

from ..templating.catalogs import babel_locale
from .models import DoDont, Phase, Protocol, Regimen, RegimenStep, Results, Review, Rule, Series

T = TypeVar("T")


def _once(items: Iterable[T]) -> list[T]:
    """Items in order, each only once (the same wording from two protocols)."""
    seen: list[T] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def rule_reach(rule: Rule) -> float:
    """How far a rule reaches, in hours after the procedure (inf: never ends)."""
    if not rule.dated:
        return -math.inf
    if rule.at_hour is not None:
        return rule.at_hour
    if rule.to_hour is not None:
        return rule.to_hour_max if rule.to_hour_max is not None else rule.to_hour
    last = rule.last_day
    # A day rule reaches to the end of its last day.
    return math.inf if last is None else (last + 1) * 24


def _rule_start(rule: Rule) -> float:
    """How early a rule starts, in hours from the procedure."""
    if rule.at_hour is not None:
        return rule.at_hour
    if rule.from_hour is not None:
        return rule.from_hour
    return rule.first_day * 24


def merge_rules(groups: Sequence[Sequence[Rule]]) -> list[Rule]:
    """Every rule once; of two with one topic, the one that reaches furthest.

    A shared rule whose other version starts earlier keeps its own words but
    starts at the earlier time, so neither protocol's start is lost.
    """
    merged: list[Rule] = []
    by_topic: dict[str, int] = {}
    for rules in groups:
        for rule in rules:
            if rule.topic is None or rule.topic not in by_topic:
                if rule not in merged:
                    if rule.topic is not None:
                        by_topic[rule.topic] = len(merged)
                    merged.append(rule)
                continue
            index = by_topic[rule.topic]
            kept = merged[index]
            longer, other = (rule, kept) if rule_reach(rule) > rule_reach(kept) else (kept, rule)
            merged[index] = _start_earlier(longer, other)
    return merged


def _start_earlier(rule: Rule, other: Rule) -> Rule:
    if _rule_start(other) >= _rule_start(rule) or rule.day is not None:
        return rule
    if rule.from_day is not None and other.from_hour is None and other.at_hour is None:
        return rule.model_copy(update={"from_day": other.first_day})
    starts_at_hour = rule.from_hour is not None or (rule.in_hours and rule.from_day is None)
    if starts_at_hour and other.from_hour is not None:
        return rule.model_copy(update={"from_hour": other.from_hour})
    return rule


def merge_phases(protocols: Sequence[Protocol]) -> list[Phase]:
    """All phases in time order; phases of the same days become one, their lists joined.

    A phase only one procedure has is named with that procedure, so the reader
    knows which treatment it belongs to when two run side by side.
    """
    spans: dict[tuple[int, int | None], list[tuple[Protocol, Phase]]] = {}
    for protocol in protocols:
        for phase in protocol.phases:
            spans.setdefault((phase.first_day, phase.last_day), []).append((protocol, phase))
    merged: list[Phase] = []

    def when(item: tuple[tuple[int, int | None], object]) -> tuple[int, float]:
        first, last = item[0]
        return first, math.inf if last is None else last

    for _, found in sorted(spans.items(), key=when):
        head = found[0][1]
        title = head.title
        if len(found) == 1 and len(protocols) > 1:
            title = f"{head.title} ({found[0][0].procedure})"
        merged.append(
            head.model_copy(
                update={
                    "title": title,
                    "expect": _once(item for _, phase in found for item in phase.expect),
                    "do": _once(item for _, phase in found for item in phase.do),
                    "avoid": _once(item for _, phase in found for item in phase.avoid),
                }
            )
        )
    return merged


def _do_dont(protocols: Sequence[Protocol]) -> DoDont | None:
    boxes = [p.do_dont for p in protocols if p.do_dont is not None]
    if not boxes:
        return None
    return boxes[0].model_copy(
        update={
            "title": boxes[0].title if len(boxes) == 1 else None,
            "do": _once(item for box in boxes for item in box.do),
            "dont": _once(item for box in boxes for item in box.dont),
        }
    )


def _regimen(protocols: Sequence[Protocol]) -> Regimen | None:
    """One product table: every step once (by id), every time of day."""
    regimens = [p.regimen for p in protocols if p.regimen is not None]
    if len(regimens) < 2:
        return regimens[0] if regimens else None
    steps: dict[str, RegimenStep] = {}
    for regimen in regimens:
        for step in regimen.steps:
            if step.id in steps:
                kept = steps[step.id]
                steps[step.id] = kept.model_copy(
                    update={
                        "products": _once([*kept.products, *step.products]),
                        "times": _once([*kept.times, *step.times]),
                    }
                )
            else:
                steps[step.id] = step
    return regimens[0].model_copy(
        update={
            "times": _once(time for regimen in regimens for time in regimen.times),
            "notes": _once(note for regimen in regimens for note in regimen.notes),
            "steps": list(steps.values()),
        }
    )


@dataclass(frozen=True)
class Course:
    """One procedure's treatment plan and results, on a handout of several procedures."""

    procedure: str
    series: Series | None
    results: Results | None


def courses(protocols: Sequence[Protocol]) -> tuple[Course, ...]:
    """Each procedure's own series and results: they are not merged, since each
    procedure has its own course (three microneedling sessions, two PRP)."""
    if len(protocols) < 2:
        return ()
    return tuple(
        Course(p.procedure, p.series, p.results) for p in protocols if p.series or p.results
    )


def combine(protocols: Sequence[Protocol]) -> Protocol:
    """One protocol holding every instruction of ``protocols`` (in the first one's language).

    Its ``series`` and ``results`` are the first that has them; a page shows
    every procedure's from ``courses``.
    """
    if len(protocols) == 1:
        return protocols[0]
    first = protocols[0]
    locale = babel_locale(first.language)
    procedure = format_list([p.procedure for p in protocols], "standard", locale)
    drafts = [p.review for p in protocols if p.review is not None and p.review.is_draft]
    return first.model_copy(
        update={
            "id": "+".join(p.id for p in protocols),
            "title": format_list([p.title for p in protocols], "standard", locale),
            "procedure": procedure,
            "aliases": [],
            "short_title": None,
            "review": drafts[0] if drafts else first.review or Review(status="draft"),
            "sources": _once(s for p in protocols for s in p.sources),
            "intro": _once(t for p in protocols for t in p.intro),
            "warnings": _once(w for p in protocols for w in p.warnings),
            "warning_signs": _once(s for p in protocols for s in p.warning_signs),
            "before": _once(t for p in protocols for t in p.before),
            "rules": merge_rules([p.rules for p in protocols]),
            "do_dont": _do_dont(protocols),
            "phases": merge_phases(protocols),
            "regimen": _regimen(protocols),
            "series": next((p.series for p in protocols if p.series), None),
            "results": next((p.results for p in protocols if p.results), None),
            "closing": _once(t for p in protocols for t in p.closing),
            "contact": next((p.contact for p in protocols if p.contact), None),
            "variants": [],
        }
    )


# --- the practitioner's own words -----------------------------------------------


@dataclass(frozen=True)
class SpanChange:
    """A rule's end set for one patient: ``--set sun=72h``."""

    topic: str
    hours: int | None = None
    days: int | None = None

    @property
    def text(self) -> str:
        if self.hours is not None:
            return f"{self.topic}={self.hours}h"
        return f"{self.topic}={self.days}d"


_UNITS = {
    **dict.fromkeys(("h", "hour", "hours"), "hours"),
    **dict.fromkeys(("d", "day", "days"), "days"),
}


def parse_span_change(text: str) -> SpanChange:
    """``sun=72h``, ``sun=72 hours``, ``exercise=10d``; ValueError with a plain reason."""
    topic, sep, span = text.partition("=")
    topic, span = topic.strip(), span.strip().lower()
    if not sep or not topic or not span:
        raise ValueError(f"'{text}' is not RULE=SPAN, e.g. sun=72h or exercise=10d")
    number = "".join(ch for ch in span if ch.isdigit())
    unit = span[len(number) :].strip()
    if not number or not span.startswith(number) or unit not in _UNITS:
        raise ValueError(f"'{span}' is not a span; write hours as 72h or days as 10d")
    value = int(number)
    if not 0 < value <= 3650:
        raise ValueError(f"'{span}' is out of range")
    if _UNITS[unit] == "hours":
        return SpanChange(topic, hours=value)
    return SpanChange(topic, days=value)


@dataclass(frozen=True)
class PractitionerWords:
    """What the practitioner says for this patient, on top of the protocol."""

    practitioner: str | None = None
    areas: str | None = None
    note: str | None = None
    changes: tuple[SpanChange, ...] = field(default_factory=tuple)

    @property
    def empty(self) -> bool:
        return not (self.practitioner or self.areas or self.note or self.changes)


def apply_changes(protocol: Protocol, changes: Sequence[SpanChange]) -> tuple[Protocol, set[str]]:
    """The protocol with each named rule's end changed, and the topics changed.

    KeyError names a topic no rule has, with the ones there are.
    """
    topics = {rule.topic for rule in protocol.rules if rule.topic}
    for change in changes:
        if change.topic not in topics:
            known = ", ".join(sorted(topics)) or "none"
            raise KeyError(f"no rule has the topic '{change.topic}' (rules you can set: {known})")
    wanted = {change.topic: change for change in changes}
    rules = []
    for rule in protocol.rules:
        found = wanted.get(rule.topic or "")
        rules.append(rule if found is None else _changed(rule, found))
    return protocol.model_copy(update={"rules": rules}), set(wanted)


def _changed(rule: Rule, change: SpanChange) -> Rule:
    """The rule ending after the new span, counted from the procedure."""
    update: dict[str, object] = {"to_day_max": None, "to_hour_max": None, "at_least": False}
    if change.hours is not None:
        update |= {"to_hour": change.hours, "to_day": None, "day": None, "at_hour": None}
        if rule.day is not None:
            update["from_day"] = rule.day
        if rule.from_day is not None and rule.from_day * 24 >= change.hours:
            update["from_day"] = None
    else:
        update |= {"to_day": change.days, "to_hour": None, "at_hour": None}
        first = rule.first_day if rule.first_day <= (change.days or 0) else 0
        update |= {"from_day": first, "day": None, "from_hour": None}
    return rule.model_copy(update=update)


def old_span_words(rule: Rule) -> tuple[int, str]:
    """The span a rule had, as (number, "hours" | "days"), for "72 hours instead of 48"."""
    if rule.to_hour is not None:
        return (rule.to_hour_max or rule.to_hour), "hours"
    last = rule.last_day
    return (0 if last is None else last), "days"
