"""Times of day as staff type them."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handouts.errors import InputError
from handouts.inputs.clock import parse_time


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14:30", dt.time(14, 30)),
        ("9:05", dt.time(9, 5)),
        (" 00:00 ", dt.time(0, 0)),
        ("2:30pm", dt.time(14, 30)),
        ("2:30 PM", dt.time(14, 30)),
        ("12am", dt.time(0, 0)),
        ("12 pm", dt.time(12, 0)),
        ("9 a.m.", dt.time(9, 0)),
    ],
)
def test_times_people_write(text: str, expected: dt.time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["24:00", "14:60", "13pm", "0am", "2.30", "noon", "", "14"])
def test_nonsense_is_refused_with_the_option_named(text: str) -> None:
    with pytest.raises(InputError, match=r"^--time: .* is not a time of day; use e\.g\. 14:30"):
        parse_time(text)


@given(st.times())
def test_every_clock_time_reads_back_both_ways(time: dt.time) -> None:
    minute = time.replace(second=0, microsecond=0)
    assert parse_time(minute.strftime("%H:%M")) == minute
    assert parse_time(minute.strftime("%I:%M %p")) == minute
