"""Rules with their own dates, the do/don't box, the before section and per-protocol wording."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handouts.content.models import Phase, Protocol, Rule
from handouts.content.store import ContentStore
from handouts.render.page import render_html, resolve_spec
from handouts.render.schedule import build_schedule, date_rule, rules_in_force
from tests.support.dates import FIXED_DATE  # Sunday 22 November 2026

# The sheet from the issue, written the way the README shows.
DONE_WHEN = """\
title: Chemical peel aftercare
procedure: Chemical peel
short_title: Peel care
timeline_heading: How your skin heals
rules:
  - text: Do not use tretinoin, glycolic acid, benzoyl peroxide or hydroquinone.
    short: no harsh products
    kind: avoid
    from_day: -10
    to_day: 10
  - text: Have no other skin treatment.
    short: no other treatments
    kind: avoid
    from_day: 0
    to_day: 14
  - text: Keep away from saunas and hot tubs.
    short: no heat
    kind: avoid
    to_hour: 48
  - text: Wear sunscreen every day.
    kind: do
    from_day: 0
do_dont:
  do: [Use a gentle cleanser.]
  dont: [Pick at peeling skin.]
phases:
  - title: Day of your peel
    day: 0
    expect: [Your skin may look pink.]
  - title: After two weeks
    from_day: 15
    expect: [Your skin has healed.]
closing:
  - Thank you for choosing us.
"""
RULE_TEXTS = (
    "Do not use tretinoin, glycolic acid, benzoyl peroxide or hydroquinone.",
    "Have no other skin treatment.",
    "Keep away from saunas and hot tubs.",
    "Wear sunscreen every day.",
)


@pytest.fixture
def peel(content_copy: ContentStore) -> ContentStore:
    (content_copy.protocols_dir / "peel.yaml").write_text(DONE_WHEN, "utf-8")
    return content_copy


def _page(content: ContentStore, clinic: str = "harbourside", **personal) -> str:
    spec = resolve_spec(content, "peel", clinic, **personal)
    return html_lib.unescape(render_html(spec))


def _rule_lines(page: str) -> list[str]:
    """Each rule as the patient reads it: "<when>: <text>"."""
    items = re.findall(r'<li class="rule \w+">(.*?)</li>', page, re.S)
    return [re.sub(r"<[^>]+>", "", item) for item in items]


def test_each_rule_shows_once_with_its_own_dates(peel: ContentStore) -> None:
    page = _page(peel, patient_name="A", procedure_date=FIXED_DATE)
    for text in RULE_TEXTS:
        assert page.count(text) == 1, text
    assert _rule_lines(page) == [
        "From Thursday 12 November 2026 to Wednesday 2 December 2026: " + RULE_TEXTS[0],
        "Until Sunday 6 December 2026: " + RULE_TEXTS[1],
        "For 48 hours after your procedure: " + RULE_TEXTS[2],
        "From Sunday 22 November 2026 on: " + RULE_TEXTS[3],
    ]


def test_hour_rules_show_clock_times_with_a_procedure_time(peel: ContentStore) -> None:
    page = _page(
        peel,
        clinic="magnolia",
        patient_name="A",
        procedure_date=FIXED_DATE,
        procedure_time=dt.time(14, 30),
    )
    assert "Until 2:30 pm on Tuesday, November 24: " + RULE_TEXTS[2] in _rule_lines(page)


def test_a_range_of_hours_gives_both_ends(peel: ContentStore) -> None:
    path = peel.protocols_dir / "peel.yaml"
    path.write_text(DONE_WHEN.replace("to_hour: 48", "to_hour: 24\n    to_hour_max: 48"))
    untimed = _rule_lines(_page(peel, patient_name="A", procedure_date=FIXED_DATE))
    assert "For 24-48 hours after your procedure: " + RULE_TEXTS[2] in untimed
    timed = _page(peel, patient_name="A", procedure_date=FIXED_DATE, procedure_time=dt.time(9, 5))
    assert (
        "Until 9:05 am on Monday 23 November, or up to 9:05 am on Tuesday 24 November: "
        + RULE_TEXTS[2]
    ) in _rule_lines(timed)


def test_a_blank_handout_counts_from_the_procedure(peel: ContentStore) -> None:
    lines = _rule_lines(_page(peel))
    assert lines == [
        "From 10 days before your procedure to 10 days after your procedure: " + RULE_TEXTS[0],
        "Until 14 days after your procedure: " + RULE_TEXTS[1],
        "For 48 hours after your procedure: " + RULE_TEXTS[2],
        "From the day of your procedure on: " + RULE_TEXTS[3],
    ]


def test_rules_starting_before_day_0_go_under_their_own_heading(peel: ContentStore) -> None:
    page = _page(peel)
    before = page.index("<h2>Before your procedure</h2>")
    after = page.index("<h2>What to do, and for how long</h2>")
    assert before < page.index(RULE_TEXTS[0]) < after < page.index(RULE_TEXTS[1])


def test_no_before_section_without_anything_before(content: ContentStore) -> None:
    page = render_html(resolve_spec(content, "microneedling"))
    assert "Before your procedure" not in page
    assert "What to do, and for how long" not in page


def test_phases_before_day_0_move_to_the_before_section(content: ContentStore) -> None:
    page = render_html(resolve_spec(content, "light-chemical-peel"))
    before = page.index("<h2>Before your procedure</h2>")
    timeline = page.index("<h2>How your skin heals</h2>")
    assert before < page.index("The week before your peel") < timeline
    assert timeline < page.index("Day of your peel")


def test_the_timeline_names_the_rules_in_force(peel: ContentStore) -> None:
    page = _page(peel, patient_name="A", procedure_date=FIXED_DATE)
    phases = re.findall(r'<article class="phase">(.*?)</article>', page, re.S)
    in_force = [re.findall(r'class="in-force-rule \w+">([^<]+)<', phase) for phase in phases]
    # The sunscreen rule has no short name, so it is not repeated here.
    assert in_force == [["no harsh products", "no other treatments", "no heat"], []]


def test_do_and_dont_box(peel: ContentStore) -> None:
    page = _page(peel)
    box = page[page.index('<section class="do-dont">') :]
    box = box[: box.index("</section>")]
    assert "<h2>Do and don't</h2>" in box
    assert box.index("Do</th>") < box.index("Don't</th>")
    assert box.index("Use a gentle cleanser.") < box.index("Pick at peeling skin.")


def test_protocol_wording_for_title_and_headings(peel: ContentStore) -> None:
    page = _page(peel)
    assert "<title>Peel care</title>" in page
    assert re.search(r'<div class="running-title">\s*Peel care\s*</div>', page)
    assert "<h2>How your skin heals</h2>" in page
    assert "Your recovery, step by step" not in page


def test_default_wording_without_it(content: ContentStore) -> None:
    page = render_html(resolve_spec(content, "micropenning"))
    assert "<title>Micropenning aftercare</title>" in page
    assert "<h2>Your recovery, step by step</h2>" in page


def test_closing_is_shown_without_series_or_results(peel: ContentStore) -> None:
    page = _page(peel)
    assert "Your treatment plan" not in page
    assert '<section class="closing">' in page and "Thank you for choosing us." in page


def test_draft_mark_only_on_drafts(content: ContentStore) -> None:
    draft = render_html(resolve_spec(content, "dermal-fillers"))
    reviewed = render_html(resolve_spec(content, "micropenning"))
    assert "Draft: not yet reviewed by your clinic" in draft
    assert "Draft:" not in reviewed


# --- dates, for any day and span --------------------------------------------------

DAY = st.integers(min_value=-60, max_value=60)
DATES = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2150, 12, 31))


@st.composite
def day_rules(draw: st.DrawFn) -> Rule:
    first = draw(DAY)
    last = draw(st.one_of(st.none(), st.integers(min_value=first, max_value=first + 60)))
    return Rule(text="x", kind="avoid", from_day=first, to_day=last)


@st.composite
def hour_rules(draw: st.DrawFn) -> Rule:
    start = draw(st.integers(min_value=-96, max_value=96))
    end = draw(st.integers(min_value=start + 1, max_value=start + 200))
    latest = draw(st.one_of(st.none(), st.integers(min_value=end + 1, max_value=end + 100)))
    return Rule(text="x", kind="avoid", from_hour=start, to_hour=end, to_hour_max=latest)


@settings(max_examples=300, deadline=None)
@given(rule=day_rules(), day=DATES)
def test_day_rules_land_on_their_days(rule: Rule, day: dt.date) -> None:
    dated = date_rule(rule, day, None)
    assert dated.first == day + dt.timedelta(days=rule.from_day or 0)
    if rule.to_day is None:
        assert dated.last is None
    else:
        assert dated.last == day + dt.timedelta(days=rule.to_day)


@settings(max_examples=300, deadline=None)
@given(rule=hour_rules(), day=DATES, time=st.times())
def test_hour_rules_keep_their_length_in_clock_time(
    rule: Rule, day: dt.date, time: dt.time
) -> None:
    dated = date_rule(rule, day, time)
    assert dated.start is not None and dated.end is not None
    begin = dt.datetime.combine(day, time)
    assert dated.start - begin == dt.timedelta(hours=rule.from_hour or 0)
    assert dated.end - dated.start == dt.timedelta(hours=rule.to_hour - (rule.from_hour or 0))
    if rule.to_hour_max is not None:
        assert dated.end_latest is not None and dated.end_latest > dated.end
    assert dated.first == dated.start.date()
    assert dated.last == (dated.end_latest or dated.end).date()


@settings(max_examples=200, deadline=None)
@given(
    rules=st.lists(st.one_of(day_rules(), hour_rules()), min_size=1, max_size=5),
    phase_first=DAY,
    phase_length=st.one_of(st.none(), st.integers(min_value=0, max_value=30)),
    time=st.one_of(st.none(), st.times()),
)
def test_a_rule_is_in_force_exactly_on_the_days_it_covers(
    rules: list[Rule], phase_first: int, phase_length: int | None, time: dt.time | None
) -> None:
    phase_last = None if phase_length is None else phase_first + phase_length
    phase = Phase(title="p", from_day=phase_first, to_day=phase_last, do=["x"])
    protocol = Protocol(id="p", title="t", procedure="p", phases=[phase], rules=rules)
    schedule = build_schedule(protocol, FIXED_DATE, time)
    horizon = range(phase_first, (phase_last if phase_last is not None else 400) + 1)

    def covers(dated, offset: int) -> bool:
        day = FIXED_DATE + dt.timedelta(days=offset)
        return dated.first <= day and (dated.last is None or day <= dated.last)

    expected = [dated.rule for dated in schedule.rules if any(covers(dated, d) for d in horizon)]
    assert rules_in_force(phase, rules, schedule) == expected
