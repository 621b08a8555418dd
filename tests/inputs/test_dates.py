"""Dates as people type them and booking systems export them; "today" is always injected."""

from __future__ import annotations

import datetime as dt

import pytest
from babel.dates import format_date
from hypothesis import given
from hypothesis import strategies as st

from handouts.errors import InputError
from handouts.inputs.dates import (
    ProcedureWhen,
    far_from_today,
    parse_date,
    read_time,
    read_when,
    spelled_out,
)

TODAY = dt.date(2026, 11, 23)
dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31))
times = st.times().map(lambda t: t.replace(second=0, microsecond=0))


@given(dates)
def test_iso_is_read_whatever_the_clinic_style(date: dt.date) -> None:
    for style in ("us", "day-month"):
        assert parse_date(date.isoformat(), date_style=style) == date  # type: ignore[arg-type]


@given(dates)
def test_numeric_dates_are_read_the_clinic_way(date: dt.date) -> None:
    us = f"{date.month}/{date.day}/{date.year}"
    day_month = f"{date.day:02d}/{date.month:02d}/{date.year}"
    assert parse_date(us, date_style="us") == date
    assert parse_date(day_month, date_style="day-month") == date
    assert parse_date(day_month.replace("/", "."), date_style="day-month") == date


@given(dates)
def test_a_numeric_date_is_never_guessed_the_other_way(date: dt.date) -> None:
    # 11/23 for a day-month clinic has no month 23: refused, not swapped.
    text = f"{date.month}/{date.day}/{date.year}"
    if date.day > 12:
        with pytest.raises(InputError, match="not a date written day/month/year"):
            parse_date(text, date_style="day-month")
    elif date.day != date.month:
        assert parse_date(text, date_style="day-month") == date.replace(
            month=date.day, day=date.month
        )


@given(dates, st.sampled_from(["d MMMM y", "MMM d, y", "MMMM d, y", "EEEE d MMMM y", "d MMM y"]))
def test_month_names_need_no_style(date: dt.date, pattern: str) -> None:
    text = format_date(date, format=pattern, locale="en")
    for style in ("us", "day-month"):
        assert parse_date(text, date_style=style) == date  # type: ignore[arg-type]


@given(dates, st.sampled_from(["fr", "de", "es"]))
def test_month_names_in_the_protocol_language(date: dt.date, language: str) -> None:
    text = format_date(date, format="d MMMM y", locale=language)
    assert parse_date(text, language=language) == date


@given(dates, times)
def test_date_and_time_as_exports_write_them(date: dt.date, time: dt.time) -> None:
    hour12 = time.strftime("%I:%M %p").lstrip("0")
    forms = {
        f"{date.month}/{date.day}/{date.year} {hour12}": "us",
        f"{format_date(date, 'MMMM d, y', locale='en')} {time:%H:%M}": "us",
        f"{format_date(date, 'd MMM y', locale='en')}, {hour12.replace(' ', '').lower()}": "us",
        f"{date.isoformat()} {time:%H:%M:%S} -0800": "day-month",
        f"{date.isoformat()}T{time:%H:%M:%S}": "day-month",
        f"{date.day:02d}/{date.month:02d}/{date.year} {time:%H:%M}": "day-month",
        f"{date:%a} {date.day:02d}/{date.month:02d}/{date.year} {time:%H:%M}": "day-month",
        f"{date:%A}, {date.month}/{date.day}/{date.year} {hour12}": "us",
    }
    for text, style in forms.items():
        assert read_when(text, date_style=style) == ProcedureWhen(date, time), text  # type: ignore[arg-type]


@pytest.mark.parametrize(("word", "days"), [("today", 0), ("Tomorrow", 1), (" YESTERDAY ", -1)])
def test_relative_words_count_from_the_given_today(word: str, days: int) -> None:
    assert parse_date(word, today=TODAY) == TODAY + dt.timedelta(days=days)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "'' is not a date"),
        ("2026-02-30", "not a real calendar date"),
        ("Nov 2026", "not a date this tool can read"),
        ("next week", "not a date this tool can read"),
        ("2026-11-23 25:00", "time of day that does not exist"),
        ("2026-11-23 13:00 PM", "time of day that does not exist"),
    ],
)
def test_what_cannot_be_read_is_refused_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_when(text, today=TODAY)


def test_a_profile_format_replaces_the_rules() -> None:
    assert read_when("23-Nov-2026 09:05", date_format="%d-%b-%Y %H:%M") == ProcedureWhen(
        TODAY, dt.time(9, 5)
    )
    assert read_when("03/04/2026", date_format="day-month") == ProcedureWhen(dt.date(2026, 4, 3))
    with pytest.raises(InputError, match="YYYY-MM-DD, as the profile says"):
        read_when("03/04/2026", date_format="iso")
    with pytest.raises(InputError, match="does not match the import profile's date_format"):
        read_when("2026-11-23", date_format="%d-%b-%Y %H:%M")


def test_a_time_on_its_own() -> None:
    assert read_time("9:00 AM") == dt.time(9, 0)
    assert read_time("14:30") == dt.time(14, 30)
    with pytest.raises(InputError, match="not a time of day"):
        read_time("morning")


def test_spelled_out_the_clinic_way() -> None:
    assert spelled_out(TODAY, "us") == "Monday, November 23, 2026"
    assert spelled_out(TODAY, "day-month") == "Monday 23 November 2026"
    assert spelled_out(ProcedureWhen(TODAY, dt.time(14, 5)), "us").startswith(
        "Monday, November 23, 2026, 2:05"
    )


@given(dates)
def test_far_means_more_than_a_year_ahead(date: dt.date) -> None:
    assert far_from_today(date, TODAY) == (date > TODAY + dt.timedelta(days=366))


@given(st.text(max_size=40), st.sampled_from(["us", "day-month"]), st.sampled_from(["en", "fr"]))
def test_any_text_is_read_or_refused_in_words_never_a_crash(
    text: str, style: str, language: str
) -> None:
    try:
        when = read_when(text, today=TODAY, date_style=style, language=language)  # type: ignore[arg-type]
    except InputError as error:
        assert str(error).startswith("--date: ")
    else:
        assert isinstance(when.date, dt.date)
