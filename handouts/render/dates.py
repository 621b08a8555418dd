"""Dates and clock times written the way a reader of the page's language writes them.

Used by the page, the email that carries it, calendar events and follow-ups,
so it sits apart from the HTML renderer.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from babel.dates import format_date, format_skeleton, format_time, match_skeleton

from ..templating.catalogs import babel_locale

# English dates follow the clinic's date style: US "Monday, November 23, 2026",
# elsewhere "Monday 23 November 2026"; "day" is a date beside a clock time.
_DATE_PATTERNS = {
    "us": {
        "long": "EEEE, MMMM d, y",
        "short": "EEE, MMM d",
        "short_year": "EEE, MMM d, y",
        "day": "EEEE, MMMM d",
        "day_year": "EEEE, MMMM d, y",
    },
    "day-month": {
        "long": "EEEE d MMMM y",
        "short": "EEE d MMM",
        "short_year": "EEE d MMM y",
        "day": "EEEE d MMMM",
        "day_year": "EEEE d MMMM y",
    },
}
# Other languages write dates their own way (Spanish "lunes, 23 de noviembre de
# 2026", "lun, 23 nov"): the locale's full date and its skeletons.
_LOCALE_SKELETONS = {
    "short": "MMMEd",
    "short_year": "yMMMEd",
    "day": "MMMMEEEEd",
    "day_year": "yMMMMEEEEd",
}
# A date beside a clock time names the whole weekday, as the long dates of day
# rules do; a locale's skeletons often have only the short one ("jue").
_FULL_WEEKDAY = re.compile(r"(?<!E)E{1,3}(?!E)")


def date_formatter(style: str, language: str, kind: str) -> Callable[[dt.date], str]:
    """``kind`` is long, short, short_year, day or day_year; ``style`` matters for English only."""
    locale = babel_locale(language)
    if locale.language == "en":
        pattern = _DATE_PATTERNS[style][kind]
        return lambda value: format_date(value, format=pattern, locale=locale)
    if kind == "long":
        return lambda value: format_date(value, format="full", locale=locale)
    skeleton = _LOCALE_SKELETONS[kind]
    if kind.startswith("day"):
        key = match_skeleton(skeleton, locale.datetime_skeletons)
        if key is not None:
            found = _FULL_WEEKDAY.sub("EEEE", locale.datetime_skeletons[key].pattern)
            return lambda value: format_date(value, format=found, locale=locale)
    return lambda value: format_skeleton(skeleton, value, locale=locale)


def clock_day_formatter(
    style: str, language: str, procedure_date: dt.date | None
) -> Callable[[dt.date], str]:
    """The day beside a clock time, with the year when it is not the procedure's year."""
    day = date_formatter(style, language, "day")
    day_year = date_formatter(style, language, "day_year")

    def format_(value: dt.date) -> str:
        same_year = procedure_date is None or value.year == procedure_date.year
        return day(value) if same_year else day_year(value)

    return format_


def clock_formatter(language: str) -> Callable[[dt.datetime | dt.time], str]:
    """English "2:30 pm", as aftercare sheets write times; other languages their own way."""
    locale = babel_locale(language)

    def format_(value: dt.datetime | dt.time) -> str:
        if locale.language != "en":
            return format_time(value, format="short", locale=locale)  # Spanish "14:30"
        text = format_time(value, format="h:mm a", locale=locale)
        return text.replace("AM", "am").replace("PM", "pm")

    return format_
