"""Date maths: phases, the treatment series and the results window."""

from __future__ import annotations

import datetime as dt

import pytest

from handouts.content.models import Duration, Phase, Protocol, Results, Series
from handouts.render.schedule import add_duration, build_schedule, plan_series

D = dt.date


def protocol(**fields) -> Protocol:
    base = {
        "id": "test",
        "title": "Test aftercare",
        "procedure": "Test",
        "phases": [
            {"title": "Before", "from_day": -10, "to_day": -1, "do": ["Stop retinol."]},
            {"title": "Day of procedure", "day": 0, "do": ["Rest."]},
            {"title": "Day 1", "day": 1, "do": ["Cleanse."]},
            {"title": "Days 2-7", "from_day": 2, "to_day": 7, "do": ["Moisturise."]},
            {"title": "After one week", "from_day": 8, "do": ["Resume."]},
        ],
    }
    return Protocol.model_validate({**base, **fields})


def test_day_one_is_the_day_after_the_procedure() -> None:
    schedule = build_schedule(protocol(), D(2026, 11, 22))
    before, day0, day1, week, later = schedule.phases
    assert (before.first, before.last) == (D(2026, 11, 12), D(2026, 11, 21))
    assert (day0.first, day0.last) == (D(2026, 11, 22), D(2026, 11, 22))
    assert (day1.first, day1.last) == (D(2026, 11, 23), D(2026, 11, 23))
    assert (week.first, week.last) == (D(2026, 11, 24), D(2026, 11, 29))
    assert (later.first, later.last) == (D(2026, 11, 30), None)


def test_ranges_cross_month_and_year_ends() -> None:
    schedule = build_schedule(protocol(), D(2026, 12, 28))
    week = schedule.phases[3]
    assert (week.first, week.last) == (D(2026, 12, 30), D(2027, 1, 4))
    before = schedule.phases[0]
    assert before.first == D(2026, 12, 18)


def test_leap_day_procedure() -> None:
    schedule = build_schedule(protocol(), D(2028, 2, 29))
    assert schedule.phases[2].first == D(2028, 3, 1)
    assert schedule.phases[0].first == D(2028, 2, 19)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2027, 1, 31), 1, D(2027, 2, 28)),  # short month: last day, not March
        (D(2028, 1, 31), 1, D(2028, 2, 29)),  # leap year
        (D(2028, 2, 29), 12, D(2029, 2, 28)),  # leap day a year on
        (D(2026, 12, 15), 1, D(2027, 1, 15)),  # year end
    ],
)
def test_months_clamp_to_the_end_of_short_months(start, months, expected) -> None:
    assert add_duration(start, Duration(months=months)) == expected


def test_monthly_series_keeps_its_day_after_a_short_month() -> None:
    # Counted from the start each time, 31 Jan -> 28 Feb -> 31 Mar (not 28 Mar).
    p = protocol(series={"initial_count": 3, "interval": {"months": 1}})
    plan = plan_series(p, D(2027, 1, 31))
    assert plan is not None
    assert plan.next_treatments == [D(2027, 2, 28), D(2027, 3, 31)]
    assert plan.maintenance is None


def test_maintenance_follows_the_last_initial_treatment() -> None:
    p = protocol(
        series={
            "initial_count": 3,
            "interval": {"months": 1},
            "maintenance_interval": {"months": 6},
        }
    )
    plan = plan_series(p, D(2026, 11, 22))
    assert plan is not None
    assert plan.next_treatments == [D(2026, 12, 22), D(2027, 1, 22)]
    assert plan.maintenance == D(2027, 7, 22)


def test_no_interval_means_no_invented_dates() -> None:
    p = protocol(series={"min_count": 1, "initial_count": 3, "maximum": 5})
    assert plan_series(p, D(2026, 11, 22)) is None


def test_weeks_and_days_intervals() -> None:
    p = protocol(series={"initial_count": 2, "interval": {"weeks": 4, "days": 2}})
    plan = plan_series(p, D(2026, 11, 22))
    assert plan is not None
    assert plan.next_treatments == [D(2026, 12, 22)]


def test_results_window() -> None:
    p = protocol(results={"earliest": {"months": 2}, "latest": {"months": 3}, "text": "Soon."})
    schedule = build_schedule(p, D(2026, 11, 30))
    assert schedule.results is not None
    assert schedule.results.earliest == D(2027, 1, 30)
    assert schedule.results.latest == D(2027, 2, 28)


def test_open_ended_results() -> None:
    results = Results(earliest=Duration(weeks=1), text="Smoother skin.")
    p = protocol(results=results.model_dump())
    schedule = build_schedule(p, D(2026, 11, 22))
    assert schedule.results is not None
    assert (schedule.results.earliest, schedule.results.latest) == (D(2026, 11, 29), None)


def test_single_treatment_series_goes_straight_to_maintenance() -> None:
    series = Series(
        initial_count=1, interval=Duration(months=1), maintenance_interval=Duration(months=12)
    )
    p = protocol(series=series.model_dump())
    plan = plan_series(p, D(2026, 11, 22))
    assert plan is not None
    assert plan.next_treatments == []
    assert plan.maintenance == D(2027, 11, 22)


def test_phase_anchor_helpers() -> None:
    assert Phase(title="x", day=3, do=["a"]).last_day == 3
    assert Phase(title="x", from_day=3, do=["a"]).last_day is None
    assert Phase(title="x", from_day=-3, to_day=-1, do=["a"]).first_day == -3
