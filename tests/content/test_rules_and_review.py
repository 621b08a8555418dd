"""Rules with their own spans, the do/don't box, review and sources: loading and validating."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pydantic import ValidationError

from handouts.content.bundled import BUNDLED_ROOT as PROJECT_ROOT
from handouts.content.models import Review, Rule
from handouts.content.readability import reading_grade
from handouts.content.store import ContentStore
from handouts.content.yaml_loading import load_protocol
from handouts.errors import ContentError
from handouts.validate import validate_root

HEAD = "title: T\nprocedure: P\nphases:\n  - {title: Day 0, day: 0, do: [Rest.]}\n"
SEEDS = ("microneedling", "micropenning")


def _problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "p.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(ContentError) as caught:
        load_protocol(path)
    return [p.replace(f"{tmp_path}/", "") for p in caught.value.problems]


def test_a_sheet_with_every_new_part_loads(tmp_path: Path) -> None:
    path = tmp_path / "peel.yaml"
    path.write_text(
        HEAD
        + "short_title: Peel care\n"
        + "timeline_heading: How your skin heals\n"
        + "review: {status: reviewed, reviewed_by: Dr A, reviewed_on: 2026-11-01,"
        + " next_review: 2027-11-01}\n"
        + "sources:\n  - {url: 'https://example.org/peel', title: A sheet, read_on: 2026-11-23}\n"
        + "rules:\n"
        + "  - {text: No sun., kind: avoid, from_day: -10, to_day: 10}\n"
        + "  - {text: Sunscreen daily., kind: do, from_day: 0}\n"
        + "  - {text: No heat., kind: avoid, to_hour: 24, to_hour_max: 48}\n"
        + "do_dont: {do: [Be gentle.], dont: [Pick.]}\n",
        "utf-8",
    )
    protocol = load_protocol(path)
    assert [rule.kind for rule in protocol.rules] == ["avoid", "do", "avoid"]
    assert [(r.first_day, r.last_day) for r in protocol.rules] == [(-10, 10), (0, None), (0, 2)]
    assert protocol.review is not None and protocol.review.reviewed_on == dt.date(2026, 11, 1)
    assert not protocol.is_draft


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (
            "{text: x, kind: avoid, from_day: 3, to_day: 1}",
            "rules[0]: to_day 1 is before from_day 3",
        ),
        ("{text: x, kind: avoid, day: 1, to_hour: 4}", "rules[0]: give a span in days or in hours"),
        ("{text: x, kind: avoid, to_hour: 48, to_hour_max: 24}", "rules[0]: to_hour_max 24 is not"),
        ("{text: x, kind: avoid, from_hour: 12, to_hour: 6}", "rules[0]: to_hour 6 is not after"),
        ("{text: x, kind: avoid, from_hour: -24}", "rules[0]: a span in hours needs to_hour"),
        ("{text: x, kind: avoid}", "rules[0]: give day (one day), from_day"),
        ("{text: x, kind: avoid, day: 2, to_day: 4}", "rules[0]: to_day goes with from_day"),
        ("{text: x, kind: never, day: 2}", "rules[0].kind: must be one of 'do', 'avoid' or"),
        ("{text: x, day: 2}", "rules[0].kind: this field is required"),
        ("{text: x, kind: do, from_day: 1, ot_day: 2}", "'ot_day' is not a field here. Did you"),
    ],
)
def test_bad_rule_spans_are_named_at_their_line(tmp_path: Path, rule: str, expected: str) -> None:
    problems = _problems(tmp_path, HEAD + "rules:\n  - " + rule + "\n")
    assert len(problems) == 1, problems
    assert problems[0].startswith("p.yaml:6:"), problems
    assert expected in problems[0], problems


def test_every_bad_part_is_reported_at_once(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path,
        HEAD
        + "rules:\n"
        + "  - text: ok\n    kind: do\n    day: 1\n"
        + "  - text: backwards\n    kind: avoid\n    from_day: 5\n    to_day: 2\n"
        + "do_dont: {}\n"
        + "review: {status: reviewed, reviewed_on: 23/11/2026}\n"
        + "sources:\n  - {url: example.org, read_on: 2026-11-23}\n",
    )
    assert problems == [
        "p.yaml:9:5: rules[1]: to_day 2 is before from_day 5",
        "p.yaml:13:10: do_dont: give at least one of do or dont",
        "p.yaml:14:41: review.reviewed_on: expected a date as YYYY-MM-DD, e.g. 2026-11-23",
        "p.yaml:16:11: sources[0].url: 'example.org' is not a web address; start it with https://",
    ]


def test_a_reviewed_protocol_names_its_reviewer(tmp_path: Path) -> None:
    problems = _problems(tmp_path, HEAD + "review: {status: reviewed, reviewed_on: 2026-11-01}\n")
    assert problems == [
        "p.yaml:5:9: review: a reviewed protocol needs reviewed_by (who checked it)"
    ]


def test_review_dates_in_order() -> None:
    with pytest.raises(ValidationError, match="next_review is before reviewed_on"):
        Review(
            status="reviewed",
            reviewed_by="Dr A",
            reviewed_on=dt.date(2026, 5, 1),
            next_review=dt.date(2026, 4, 1),
        )


def test_hour_rules_touch_the_days_they_may_reach() -> None:
    def days(**span: int) -> tuple[int, int | None]:
        rule = Rule(text="x", kind="avoid", **span)
        return rule.first_day, rule.last_day

    assert days(to_hour=4) == (0, 0)
    assert days(to_hour=24) == (0, 1)
    assert days(to_hour=24, to_hour_max=48) == (0, 2)
    assert days(from_hour=-24, to_hour=24) == (-1, 1)
    assert days(from_hour=-48, to_hour=-24) == (-2, -1)


def _content_with_review(content_copy: ContentStore, review: str) -> ContentStore:
    path = content_copy.protocols_dir / "micropenning.yaml"
    text = path.read_text("utf-8")
    start = text.index("review:")
    end = text.index("\n\n", start)
    path.write_text(text[:start] + review + text[end:], "utf-8")
    return content_copy


def test_validate_warns_when_a_review_is_overdue(content_copy: ContentStore) -> None:
    content = _content_with_review(
        content_copy,
        "review:\n  status: reviewed\n  reviewed_by: Dr A\n  reviewed_on: 2025-11-01\n"
        "  next_review: 2026-11-01",
    )
    late = validate_root(content, today=dt.date(2026, 11, 23))
    assert late.ok
    overdue = [w for w in late.warnings if "micropenning.yaml" in w]
    assert len(overdue) == 1
    assert "review.next_review 2026-11-01 has passed" in overdue[0]
    on_time = validate_root(content, today=dt.date(2026, 11, 1))
    assert not [w for w in on_time.warnings if "review" in w]


# --- the starter library --------------------------------------------------------

LIBRARY = ContentStore(PROJECT_ROOT)
STARTERS = [pid for pid in LIBRARY.protocol_ids() if pid not in SEEDS]
# The days the starter library's sources were read: the first sources, then the
# pages added for the warning signs.
READING_DAYS = {dt.date(2026, 11, 23), dt.date(2026, 12, 4)}


def test_there_are_at_least_eight_starter_protocols() -> None:
    assert len(STARTERS) >= 8


@pytest.mark.parametrize("protocol_id", STARTERS)
def test_starter_protocol_is_a_sourced_draft_at_grade_8(protocol_id: str) -> None:
    protocol = LIBRARY.protocol(protocol_id)
    assert protocol.is_draft, "a starter protocol stays a draft until a clinician signs it off"
    assert len({source.url for source in protocol.sources}) >= 2
    assert {source.read_on for source in protocol.sources} <= READING_DAYS
    assert reading_grade(protocol) <= 8


@pytest.mark.parametrize("protocol_id", SEEDS)
def test_seed_protocols_are_the_clinics_own_reviewed_sheets(protocol_id: str) -> None:
    review = LIBRARY.protocol(protocol_id).review
    assert review is not None and review.status == "reviewed"
    assert review.reviewed_by == "Clinic's own sheet"


def test_the_shipped_content_validates_at_grade_8() -> None:
    report = validate_root(LIBRARY, grade_target=8, today=dt.date(2026, 11, 23))
    assert report.problems == []
    assert report.warnings == []
