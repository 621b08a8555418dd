"""Reading dates as people write them and booking systems export them.

Staff type "today", "23/11/2026" or "Nov 23, 2026"; exports hold
"11/23/2026 9:00 AM" or "2026-11-23 09:00:00 -0800". A numeric date is read
the clinic's way (day-month or US), never guessed; a date with its month
written out needs no such rule. Whatever was read is shown back spelled out,
so a slip (2062 for 2026) is seen before a handout goes out.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Literal

from babel.core import Locale, UnknownLocaleError
from babel.dates import format_date, format_time, get_day_names, get_month_names

from ..errors import InputError
from . import clock

DateStyle = Literal["us", "day-month"]
# A procedure booked further ahead than this is more often a typing slip than a plan.
FAR_AWAY = dt.timedelta(days=366)
# Procedure dates a clinic can mean; a protocol's dates reach years beyond them.
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2199, 12, 31)

_RELATIVE = {"today": 0, "tomorrow": 1, "yesterday": -1}
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})$")
# A time of day at the end of the text: "9:00", "09:00:00", "9:00am", "9 PM", then
# perhaps a UTC offset or zone name. The time as exported is the clinic's own
# wall-clock time, so an offset is not applied.
_TIME_AT_END = re.compile(
    r"(?:^|(?<=[\sT,@]))(?P<hour>\d{1,2})(?::(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d+)?)?)?"
    r"\s*(?:(?P<half>[ap])\.?\s*m\.?)?"
    r"\s*(?:z|utc|gmt|[+-]\d{2}:?\d{2}|\([^)]*\)|[a-z]{3,4})?\s*$",
    re.IGNORECASE,
)
_WORD_OR_NUMBER = re.compile(r"[^\W\d_]+\.?|\d+")
_ORDINAL_SUFFIXES = {"st", "nd", "rd", "th", "er", "e", "o"}
_STYLE_EXAMPLES = {"us": "11/23/2026", "day-month": "23/11/2026"}
_SPELLED = {"us": "EEEE, MMMM d, y", "day-month": "EEEE d MMMM y"}


@dataclass(frozen=True)
class ProcedureWhen:
    """A procedure's date, and its time of day when the source gave one."""

    date: dt.date
    time: dt.time | None = None


def parse_date(
    text: str,
    what: str = "--date",
    *,
    today: dt.date | None = None,
    date_style: DateStyle = "us",
    language: str = "en",
) -> dt.date:
    """The calendar date in ``text`` (any form ``read_when`` reads), or InputError."""
    return read_when(text, what, today=today, date_style=date_style, language=language).date


def read_when(
    text: str,
    what: str = "--date",
    *,
    today: dt.date | None = None,
    date_style: DateStyle = "us",
    language: str = "en",
    date_format: str | None = None,
) -> ProcedureWhen:
    """A date, or a date and time, as people and exports write them.

    ``today`` anchors "today", "tomorrow" and "yesterday" (default: the
    computer's date). ``date_style`` says how to read 03/04/2026. Month and
    day names are read in ``language`` and in English. ``date_format`` (an
    import profile's) is a ``strptime`` format or one of ``iso``, ``us``,
    ``day-month``, and replaces the rules above for that file.
    """
    value = " ".join(text.split())
    if not value:
        raise InputError(
            f"{what}: '{text}' is not a date in the form YYYY-MM-DD or any other; "
            "give the procedure date, e.g. 2026-11-23 or today"
        )
    if date_format and "%" in date_format:
        return _by_format(value, text, what, date_format)
    if date_format in ("us", "day-month"):
        date_style = date_format  # type: ignore[assignment]
    relative = _RELATIVE.get(value.casefold())
    if relative is not None:
        return ProcedureWhen((today or clock.today()) + dt.timedelta(days=relative))
    date_text, time = _split_time(value, text, what)
    date = _read_date(date_text, text, what, date_style, language, iso_only=date_format == "iso")
    return ProcedureWhen(date, time)


def read_time(text: str, what: str = "time") -> dt.time:
    """A time of day on its own ("9:00 AM", "14:30"), or one inside a date and time."""
    value = " ".join(text.split())
    _, time = _split_time(value, text, what)
    if time is None:
        raise InputError(f"{what}: '{text}' is not a time of day, e.g. 9:30 or 2:15 PM")
    return time


def _by_format(value: str, text: str, what: str, date_format: str) -> ProcedureWhen:
    try:
        parsed = dt.datetime.strptime(value, date_format)
    except ValueError:
        raise InputError(
            f"{what}: '{text}' does not match the import profile's date_format '{date_format}'"
        ) from None
    has_time = any(code in date_format for code in ("%H", "%I", "%M"))
    # The wall-clock time as exported: an offset (%z) says where, not a time to convert.
    return ProcedureWhen(check_range(parsed.date(), what), parsed.time() if has_time else None)


def _split_time(value: str, text: str, what: str) -> tuple[str, dt.time | None]:
    """The text before the time of day, and the time (None if there is none)."""
    match = _TIME_AT_END.search(value)
    if match is None or not (match["minute"] or match["half"]):
        return value, None  # "Nov 23" ends in a number, but it is not a time
    hour, minute, second = int(match["hour"]), int(match["minute"] or 0), int(match["second"] or 0)
    half = match["half"]
    if half:
        if not 1 <= hour <= 12:
            raise InputError(f"{what}: '{text}' has a time of day that does not exist")
        hour = hour % 12 + (12 if half.casefold() == "p" else 0)
    try:
        time = dt.time(hour, minute, second)
    except ValueError:
        raise InputError(f"{what}: '{text}' has a time of day that does not exist") from None
    before = value[: match.start()].rstrip(" ,@")
    if before.endswith("T") and before[:-1][-1:].isdigit():
        before = before[:-1]  # ISO 8601's "2026-11-23T09:00"
    return before, time


def _read_date(
    date_text: str, text: str, what: str, style: DateStyle, language: str, *, iso_only: bool
) -> dt.date:
    weekday, date_text = _weekday_and_rest(date_text, language)  # "Mon 23/11/2026"
    date = _read_plain_date(date_text, text, what, style, language, iso_only, weekday)
    if weekday is not None and date.weekday() != weekday:
        named = format_date(date, format="EEEE", locale=_babel_locale(language))
        raise InputError(
            f"{what}: '{text}' names a weekday that does not match: "
            f"{spelled_out(date, style, language)} is a {named}; check the date"
        )
    return date


def _read_plain_date(
    date_text: str,
    text: str,
    what: str,
    style: DateStyle,
    language: str,
    iso_only: bool,
    weekday: int | None,
) -> dt.date:
    iso = _ISO.match(date_text)
    if iso:
        return _real_date(text, what, int(iso[1]), int(iso[2]), int(iso[3]))
    if iso_only:
        raise InputError(
            f"{what}: '{text}' is not a date in the form YYYY-MM-DD, as the profile says"
        )
    numeric = _NUMERIC.match(date_text)
    if numeric:
        first, second, year = int(numeric[1]), int(numeric[2]), full_year(numeric[3])
        if weekday is not None:
            # "Friday 04/12/2026": the weekday says which of the two readings is meant.
            style = style_by_weekday(first, second, year, weekday) or style
        month, day = (first, second) if style == "us" else (second, first)
        if not 1 <= month <= 12:
            order = "month/day/year" if style == "us" else "day/month/year"
            raise InputError(
                f"{what}: '{text}' is not a date written {order}, as this clinic writes "
                f"dates (e.g. {_STYLE_EXAMPLES[style]}); write it as YYYY-MM-DD to be sure"
            )
        return _real_date(text, what, year, month, day)
    named = _named_month_date(date_text, language)
    if named is not None:
        return _real_date(text, what, *named)
    raise InputError(
        f"{what}: '{text}' is not a date this tool can read; write it as YYYY-MM-DD "
        f"(2026-11-23), {_STYLE_EXAMPLES[style]}, 23 November 2026, or today"
    )


def _weekday_and_rest(date_text: str, language: str) -> tuple[int | None, str]:
    """The weekday a date starts with (Monday is 0), and the text after it."""
    first, _, rest = date_text.partition(" ")
    weekday = weekday_numbers(language).get(first.casefold().rstrip(".,"))
    if rest and weekday is not None:
        return weekday, rest.strip()
    return None, date_text


def style_by_weekday(first: int, second: int, year: int, weekday: int) -> DateStyle | None:
    """The one order in which first/second/year falls on ``weekday``; None if not exactly one."""
    fits = [
        style
        for style, (month, day) in (("us", (first, second)), ("day-month", (second, first)))
        if _falls_on(year, month, day, weekday)
    ]
    return fits[0] if len(fits) == 1 else None  # type: ignore[return-value]


def _falls_on(year: int, month: int, day: int, weekday: int) -> bool:
    try:
        return dt.date(year, month, day).weekday() == weekday
    except ValueError:
        return False


_Width = Literal["wide", "abbreviated"]
_Context = Literal["format", "stand-alone"]


def _name_forms(language: str) -> Iterator[tuple[_Width, _Context, Locale]]:
    """(width, context, locale) for every form of a calendar name: the language's, then English."""
    for code in dict.fromkeys((language, "en")):
        try:
            locale = Locale.parse(code.replace("-", "_"))
        except (UnknownLocaleError, ValueError):
            continue
        widths: tuple[_Width, ...] = ("wide", "abbreviated")
        contexts: tuple[_Context, ...] = ("format", "stand-alone")
        for width in widths:
            for context in contexts:
                yield width, context, locale


@cache
def weekday_numbers(language: str) -> dict[str, int]:
    """Weekday names (wide and short) to numbers, Monday 0, in a language and English."""
    numbers: dict[str, int] = {}
    for width, context, locale in _name_forms(language):
        for number, name in get_day_names(width, context, locale).items():
            numbers.setdefault(name.casefold().rstrip("."), number)
    return numbers


def _babel_locale(language: str) -> str:
    try:
        Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return "en"
    return language.replace("-", "_")


def full_year(digits: str) -> int:
    # Spreadsheets shorten years to two digits; appointments are this century.
    return 2000 + int(digits) if len(digits) == 2 else int(digits)


def _real_date(text: str, what: str, year: int, month: int, day: int) -> dt.date:
    try:
        date = dt.date(year, month, day)
    except ValueError as error:
        raise InputError(f"{what}: '{text}' is not a real calendar date ({error})") from None
    return check_range(date, what)


def check_range(date: dt.date, what: str = "--date") -> dt.date:
    """Refuse a date no procedure could have (a typo like 9999 or 0202)."""
    if not EARLIEST <= date <= LATEST:
        raise InputError(
            f"{what}: '{date.isoformat()}' is outside the years {EARLIEST.year}-{LATEST.year}; "
            "check the year"
        )
    return date


def _named_month_date(date_text: str, language: str) -> tuple[int, int, int] | None:
    """(year, month, day) from "Nov 23, 2026", "23. November 2026", "Monday 23rd Nov 2026"."""
    months, weekdays = calendar_words(language)
    month = None
    numbers: list[str] = []
    for token in _WORD_OR_NUMBER.findall(date_text.casefold()):
        word = token.rstrip(".")
        if word.isdigit():
            numbers.append(word)
        elif word in months and month is None:
            month = months[word]
        elif word in weekdays or (word in _ORDINAL_SUFFIXES and numbers):
            continue
        elif word not in ("de", "of", "the"):
            return None
    if month is None or len(numbers) != 2:
        return None
    days = [n for n in numbers if len(n) <= 2]
    years = [n for n in numbers if len(n) == 4]
    if len(days) != 1 or len(years) != 1:
        return None
    return int(years[0]), month, int(days[0])


@cache
def calendar_words(language: str) -> tuple[dict[str, int], set[str]]:
    """Month names (wide and short) to numbers, and weekday names, in a language and English."""
    months: dict[str, int] = {}
    weekdays: set[str] = set()
    for width, context, locale in _name_forms(language):
        for number, name in get_month_names(width, context, locale).items():
            months.setdefault(name.casefold().rstrip("."), number)
        for name in get_day_names(width, context, locale).values():
            weekdays.add(name.casefold().rstrip("."))
    months.setdefault("sept", 9)  # a common English short form Babel does not list
    return months, weekdays


def spelled_out(
    when: ProcedureWhen | dt.date, date_style: DateStyle = "us", language: str = "en"
) -> str:
    """The date as the handout writes it, with the time if there is one."""
    if isinstance(when, dt.date):
        when = ProcedureWhen(when)
    text = format_date(when.date, format=_SPELLED[date_style], locale=language)
    if when.time is not None:
        text += ", " + format_time(when.time, format="short", locale=language)
    return text


def far_from_today(date: dt.date, today: dt.date) -> bool:
    """More than a year after ``today``: more often a slip (2062 for 2026) than a plan.

    Dates long past are not asked about: a handout is sometimes made again
    for a treatment done long ago.
    """
    return date - today > FAR_AWAY
