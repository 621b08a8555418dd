"""The constructs real sheets need: each one's mistakes are named at their file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from handouts.content.yaml_loading import load_protocol
from handouts.errors import ContentError

HEAD = "title: T\nprocedure: P\nphases:\n  - {title: Day 0, day: 0, do: [Rest.]}\n"


def _problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "p.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(ContentError) as caught:
        load_protocol(path)
    return [p.replace(f"{tmp_path}/", "") for p in caught.value.problems]


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        # until / once: an event that ends or starts a rule
        ("{text: x, kind: do, until: healed, once: healed, from_day: 0}", "until (an event"),
        ("{text: x, kind: do, day: 2, until: healed}", "until goes with from_day"),
        ("{text: x, kind: do, once: healed, from_day: 3, to_day: 5}", "has no end"),
        ("{text: x, kind: do, once: healed, day: 3}", "with once, give only from_day"),
        # ranges of days and "at least"
        ("{text: x, kind: do, from_day: 0, to_day_max: 4}", "to_day_max goes with to_day"),
        ("{text: x, kind: do, from_day: 0, to_day: 4, to_day_max: 3}", "to_day_max 3 is not"),
        ("{text: x, kind: do, from_day: 0, at_least: true}", "at_least goes with to_day"),
        ("{text: x, kind: do, day: 2, to_day_max: 3}", "to_day_max goes with from_day"),
        # conditional steps
        ("{text: x, kind: do}", "only a rule with a condition or once may have no span"),
        ("{text: x, kind: do, once: healed}", ""),
        ("{text: x, kind: do, condition: If sore, at_least: true}", "need a span"),
        # one-off at an hour, not before an hour
        ("{text: x, kind: do, at_hour: 4, to_hour: 6}", "leave out to_hour"),
        ("{text: x, kind: do, from_hour: -2}", "must count hours after"),
        ("{text: x, kind: do, to_hour_max: 6, from_hour: 2}", "to_hour_max goes with to_hour"),
        # several items sharing a span
        ("{text: x, kind: do, day: 1, items: [a, '']}", "rules[0].items[1]"),
        # days then hours
        ("{text: x, kind: do, from_day: -7}", ""),
        ("{text: x, kind: do, from_day: 2, to_hour: 24}", "to_hour 24 is not after from_day 2"),
        ("{text: x, kind: do, from_day: -7, from_hour: 2, to_hour: 24}", "not both"),
        ("{text: x, kind: do, to_day: 3, to_hour: 24}", "only from_day may start"),
        # topics
        ("{text: x, kind: do, day: 1, topic: Sun}", "is not a valid id"),
    ],
)
def test_bad_constructs_are_named_at_their_line(tmp_path: Path, rule: str, expected: str) -> None:
    if not expected:  # a valid rule: the list must load
        load_protocol(_write(tmp_path, HEAD + "rules:\n  - " + rule + "\n"))
        return
    problems = _problems(tmp_path, HEAD + "rules:\n  - " + rule + "\n")
    assert len(problems) == 1, problems
    assert problems[0].startswith("p.yaml:6:"), problems
    assert expected in problems[0], problems


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "p.yaml"
    path.write_text(text, "utf-8")
    return path


@pytest.mark.parametrize(
    ("tail", "line", "expected"),
    [
        ("warning_signs: [A fever., '']\n", 5, "warning_signs[1]"),
        ("before: []\nwarning_signs: 3\n", 6, "warning_signs"),
        (
            "series: {initial_count: 3, interval: {weeks: 8}, interval_max: {weeks: 4}}\n",
            5,
            "interval_max is not longer than interval",
        ),
        ("series: {initial_count: 3, interval_max: {weeks: 4}}\n", 5, "go with interval"),
        (
            "series: {initial_count: 3, interval: {weeks: 4}, interval_max: {weeks: 8},"
            " at_least: true}\n",
            5,
            "not both",
        ),
        ("variants:\n  - {id: lips, name: Lips}\n", 6, "a variant needs rules"),
        (
            "rules:\n  - {text: x, kind: do, day: 1, topic: sun}\n"
            "variants:\n  - {id: lips, name: Lips, drop: [heat]}\n",
            8,
            "variants[0].drop[0]: variant 'lips' drops topic 'heat', which no rule has",
        ),
        (
            "rules:\n  - {text: x, kind: do, day: 1, topic: sun}\n"
            "  - {text: y, kind: do, day: 2, topic: sun}\n",
            7,
            "rules[1].topic: 'sun' is already the topic of rules[0]",
        ),
        (
            "variants:\n  - {id: lips, name: Lips, rules: [{text: x, kind: do}]}\n",
            6,
            "variants[0].rules[0]: give day",
        ),
    ],
)
def test_bad_protocol_parts_are_named_at_their_line(
    tmp_path: Path, tail: str, line: int, expected: str
) -> None:
    problems = _problems(tmp_path, HEAD + tail)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"p.yaml:{line}:"), problems
    assert expected in problems[0], problems
