"""A list's two-way dates decided by the list itself; odd dates flagged. Today is injected."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handouts.errors import InputError
from handouts.inputs.date_checks import (
    DateFlag,
    date_flags,
    flag_words,
    list_date_order,
    other_reading,
    usual_date,
)
from handouts.inputs.dates import parse_date

TODAY = dt.date(2026, 12, 4)


def test_a_title_with_a_weekday_decides_a_us_clinics_list_is_day_first() -> None:
    # Only 4 December 2026 is a Friday; 12 April 2026 is a Sunday.
    order = list_date_order(["04/12/2026", "04/12/2026"], ["Friday 04/12/2026"], "us")
    assert order.style == "day-month" and order.from_list
    assert "'Friday 04/12/2026'" in order.reason


def test_a_month_name_elsewhere_decides_the_order() -> None:
    order = list_date_order(["12/04/2026"], ["Appointments for December 4, 2026"], "day-month")
    assert order.style == "us" and order.from_list


def test_a_list_that_says_nothing_is_read_the_clinic_way() -> None:
    for style in ("us", "day-month"):
        order = list_date_order(["04/12/2026", "2026-12-04"], ["Appointments"], style)  # type: ignore[arg-type]
        assert order.style == style and not order.from_list and not order.conflict


def test_one_cell_typed_the_other_way_does_not_turn_the_list_round() -> None:
    # 11/22/2026 reads one way only; it is that row's problem, not evidence for the rest.
    order = list_date_order(["04/12/2026", "11/22/2026"], [], "day-month")
    assert order.style == "day-month" and not order.from_list


def test_a_list_that_says_both_ways_is_asked_about() -> None:
    order = list_date_order(["Fri 04/12/2026", "Sun 04/12/2026"], [], "us")
    assert order.conflict and not order.from_list
    assert "month first" in order.conflict and "day first" in order.conflict


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_a_weekday_always_picks_the_reading_it_fits(date: dt.date) -> None:
    weekday = f"{date:%A}"
    us = f"{weekday} {date.month:02d}/{date.day:02d}/{date.year}"
    day_month = f"{weekday} {date.day:02d}/{date.month:02d}/{date.year}"
    # Whichever way the clinic writes dates, a weekday that fits one reading only wins.
    for text in (us, day_month):
        for style in ("us", "day-month"):
            try:
                read = parse_date(text, date_style=style)  # type: ignore[arg-type]
            except InputError:
                continue  # e.g. 23/11 for a US clinic, with a weekday that does not rescue it
            assert read.weekday() == date.weekday()


def test_a_weekday_that_fits_neither_reading_is_refused() -> None:
    with pytest.raises(InputError, match="weekday that does not match"):
        parse_date("Monday 04/12/2026", date_style="us")
    assert parse_date("Friday 04/12/2026", date_style="us") == dt.date(2026, 12, 4)


def test_past_far_and_away_from_the_list_are_flagged() -> None:
    assert date_flags(TODAY, TODAY) == frozenset()
    assert date_flags(dt.date(2026, 4, 12), TODAY) == {DateFlag.PAST}
    assert date_flags(dt.date(2028, 1, 1), TODAY) == {DateFlag.FAR_AHEAD}
    assert date_flags(dt.date(2026, 12, 14), TODAY, dt.date(2026, 12, 4)) == {
        DateFlag.AWAY_FROM_LIST
    }
    grace = dt.timedelta(days=3)
    assert date_flags(dt.date(2026, 12, 1), TODAY, grace=grace) == frozenset()
    assert date_flags(dt.date(2026, 11, 30), TODAY, grace=grace) == {DateFlag.PAST}


def test_the_usual_day_is_the_most_common() -> None:
    days = [dt.date(2026, 12, 4)] * 3 + [dt.date(2026, 4, 12)]
    assert usual_date(days) == dt.date(2026, 12, 4)
    assert usual_date([]) is None


def test_flags_in_words_spell_the_dates_the_clinics_way() -> None:
    words = flag_words(
        {DateFlag.PAST, DateFlag.AWAY_FROM_LIST},
        dt.date(2026, 4, 12),
        dt.date(2026, 12, 4),
        "us",
    )
    assert words == (
        "the date Sunday, April 12, 2026 is in the past and is far from the list's other "
        "dates (Friday, December 4, 2026)"
    )
    assert flag_words(set(), TODAY, None) == ""


def test_the_other_reading() -> None:
    assert other_reading(dt.date(2026, 4, 12)) == dt.date(2026, 12, 4)
    assert other_reading(dt.date(2026, 4, 4)) is None
    assert other_reading(dt.date(2026, 4, 13)) is None
