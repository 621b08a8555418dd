"""A protocol's translations, and the check that keeps each one true to its original.

A translation is a protocol file of its own beside the original, named with a
language tag: ``protocols/microneedling.es.yaml`` translates
``protocols/microneedling.yaml``. It has the same schema, and it must keep the
original's structure: the same phases on the same days with as many things to
expect, do and avoid, the same warnings, the same rules (kind, days, hours,
short names), as many do's and don'ts, the same regimen steps (ids, order,
times of day) and the same treatment series and result times. Only the words
change, so a translation can never drift from the clinically reviewed source.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .file_names import same_language
from .models import Duration, Protocol

Loc = tuple[str | int, ...]
Problem = tuple[Loc, str]

_COUNTED = ("expect", "do", "avoid")
_RULE_DEFAULTS: dict[str, Any] = {"at_least": False}
_SERIES_NUMBERS = ("min_count", "initial_count", "maximum")
_RULE_SPAN = (
    "kind",
    "topic",
    "day",
    "from_day",
    "to_day",
    "to_day_max",
    "at_least",
    "from_hour",
    "to_hour",
    "to_hour_max",
    "at_hour",
)


def _duration(raw: Any) -> Duration | None:
    try:
        return Duration.model_validate(raw) if raw is not None else None
    except ValidationError:
        return None  # the loader reports it at its line


def _describe(value: Duration | None) -> str:
    if value is None:
        return "none"
    parts = [f"{n} {unit}" for unit, n in value.model_dump().items() if n]
    return ", ".join(parts)


def _items(raw: Any) -> list[Any]:
    return raw if isinstance(raw, list) else []


def matches_original(original: Protocol, original_path: Path, language: str) -> Callable:
    """A loader check: problems where a translation's raw data differs from ``original``."""
    source = original_path.name

    def check(data: dict[str, Any]) -> list[Problem]:
        problems: list[Problem] = []
        given = data.get("language")
        if not isinstance(given, str) or not same_language(given, language):
            problems.append(
                (("language",), f"must be '{language}', the language in the file's name")
            )
        problems += _phases(original, data, source)
        problems += _counted(("warnings",), len(original.warnings), data.get("warnings"), source)
        problems += _counted(
            ("warning_signs",), len(original.warning_signs), data.get("warning_signs"), source
        )
        problems += _counted(("before",), len(original.before), data.get("before"), source)
        problems += _rules(original, data.get("rules"), source)
        problems += _do_dont(original, data.get("do_dont"), source)
        problems += _regimen(original, data.get("regimen"), source)
        problems += _series(original, data.get("series"), source)
        problems += _results(original, data.get("results"), source)
        problems += _variants(original, data.get("variants"), source)
        return problems

    return check


def _counted(loc: Loc, wanted: int, raw: Any, source: str) -> list[Problem]:
    found = len(_items(raw))
    if found == wanted:
        return []
    return [(loc, f"has {found} entries but {source} has {wanted}; translate each one, add none")]


def _phases(original: Protocol, data: dict[str, Any], source: str) -> list[Problem]:
    raw_phases = _items(data.get("phases"))
    problems: list[Problem] = []
    if len(raw_phases) != len(original.phases):
        problems.append(
            (
                ("phases",),
                f"has {len(raw_phases)} phases but {source} has {len(original.phases)}; "
                "a translation keeps the original's phases",
            )
        )
    for index, (raw, phase) in enumerate(zip(raw_phases, original.phases, strict=False)):
        if not isinstance(raw, dict):
            continue
        for key in ("day", "from_day", "to_day"):
            if raw.get(key) != getattr(phase, key):
                shown = getattr(phase, key)
                wanted = f"{key}: {shown}" if shown is not None else f"no {key}"
                problems.append(
                    (("phases", index, key), f"differs from {source}, which has {wanted}")
                )
        for key in _COUNTED:
            problems += _counted(
                ("phases", index, key), len(getattr(phase, key)), raw.get(key), source
            )
    return problems


def _rules(original: Protocol, raw: Any, source: str) -> list[Problem]:
    problems = _counted(("rules",), len(original.rules), raw, source)
    for index, (raw_rule, rule) in enumerate(zip(_items(raw), original.rules, strict=False)):
        if not isinstance(raw_rule, dict):
            continue
        for key in _RULE_SPAN:
            if raw_rule.get(key, _RULE_DEFAULTS.get(key)) != getattr(rule, key):
                shown = getattr(rule, key)
                wanted = f"{key}: {shown}" if shown is not None else f"no {key}"
                problems.append(
                    (("rules", index, key), f"differs from {source}, which has {wanted}")
                )
        # A short name shows in each phase the rule covers: both or neither.
        if (raw_rule.get("short") is None) != (rule.short is None):
            has = "no short name" if rule.short is None else "a short name"
            problems.append((("rules", index, "short"), f"{source} gives {has} here"))
    return problems


def _do_dont(original: Protocol, raw: Any, source: str) -> list[Problem]:
    box = original.do_dont
    if (box is None) != (raw is None):
        has = "has no do and don't box" if box is None else "has a do and don't box"
        return [(("do_dont",), f"{source} {has}; a translation keeps it that way")]
    if box is None or not isinstance(raw, dict):
        return []
    return _counted(("do_dont", "do"), len(box.do), raw.get("do"), source) + _counted(
        ("do_dont", "dont"), len(box.dont), raw.get("dont"), source
    )


def _regimen(original: Protocol, raw: Any, source: str) -> list[Problem]:
    regimen = original.regimen
    if (regimen is None) != (raw is None):
        has = "has no regimen" if regimen is None else "has a regimen"
        return [(("regimen",), f"{source} {has}; a translation keeps it that way")]
    if regimen is None or not isinstance(raw, dict):
        return []
    raw_steps = _items(raw.get("steps"))
    ids = [step.get("id") if isinstance(step, dict) else None for step in raw_steps]
    wanted_ids = [step.id for step in regimen.steps]
    if ids != wanted_ids:
        return [
            (
                ("regimen", "steps"),
                f"step ids {', '.join(map(str, ids))} differ from {source}'s "
                f"{', '.join(wanted_ids)}; keep the same steps in the same order",
            )
        ]
    # Times of day may be translated ("AM" -> "mañana"); each step keeps its
    # place in them.
    raw_times = _items(raw.get("times", ["AM", "PM"]))
    if len(raw_times) != len(regimen.times):
        return [
            (
                ("regimen", "times"),
                f"has {len(raw_times)} times of day but {source} has {len(regimen.times)}",
            )
        ]
    problems: list[Problem] = []
    for index, (raw_step, step) in enumerate(zip(raw_steps, regimen.steps, strict=True)):
        wanted = [regimen.times.index(t) for t in step.times]
        got = [raw_times.index(t) for t in _items(raw_step.get("times")) if t in raw_times]
        if got != wanted:
            names = ", ".join(str(raw_times[i]) for i in wanted)
            problems.append(
                (("regimen", "steps", index, "times"), f"should be {names}, as in {source}")
            )
    return problems


def _series(original: Protocol, raw: Any, source: str) -> list[Problem]:
    series = original.series
    if (series is None) != (raw is None):
        has = "has no series" if series is None else "has a treatment series"
        return [(("series",), f"{source} {has}; a translation keeps it that way")]
    if series is None or not isinstance(raw, dict):
        return []
    problems: list[Problem] = []
    defaults = {"min_count": 1, "maximum": None}
    for key in _SERIES_NUMBERS:
        if raw.get(key, defaults.get(key)) != getattr(series, key):
            problems.append(
                (("series", key), f"differs from {source}, which has {getattr(series, key)}")
            )
    if bool(raw.get("at_least", False)) != series.at_least:
        problems.append((("series", "at_least"), f"differs from {source}"))
    for key in ("interval", "interval_max", "maintenance_interval"):
        wanted = getattr(series, key)
        if _duration(raw.get(key)) != wanted:
            problems.append(
                (("series", key), f"differs from {source}, which has {_describe(wanted)}")
            )
    problems += _counted(("series", "notes"), len(series.notes), raw.get("notes"), source)
    return problems


def _results(original: Protocol, raw: Any, source: str) -> list[Problem]:
    results = original.results
    if (results is None) != (raw is None):
        has = "gives no results" if results is None else "gives when results show"
        return [(("results",), f"{source} {has}; a translation keeps it that way")]
    if results is None or not isinstance(raw, dict):
        return []
    problems: list[Problem] = []
    for key in ("earliest", "latest"):
        wanted = getattr(results, key)
        if _duration(raw.get(key)) != wanted:
            problems.append(
                (("results", key), f"differs from {source}, which has {_describe(wanted)}")
            )
    return problems


def _variants(original: Protocol, raw: Any, source: str) -> list[Problem]:
    ids = [item.get("id") if isinstance(item, dict) else None for item in _items(raw)]
    wanted = [variant.id for variant in original.variants]
    if ids == wanted:
        return []
    shown = ", ".join(wanted) or "none"
    return [
        (("variants",), f"variant ids differ from {source}'s ({shown}); keep the same variants")
    ]
