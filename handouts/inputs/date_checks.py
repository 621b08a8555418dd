"""Judging the dates of a whole list, so none is misread in silence.

A numeric date such as 04/12/2026 reads two ways. One cell cannot say which,
but the list often can: a title line "Friday 04/12/2026" (only 4 December
2026 is a Friday), a date whose day is over 12 (13/12/2026), or the same day
written with its month name elsewhere ("Appointments for 4 December 2026").
``list_date_order`` weighs that evidence; the clinic's own way is used only
when the list says nothing, and a list that says both is asked about.

Once read, each date is judged against today and the list's other dates
(``date_flags``): a date in the past or far from the day the list is for is
more often a misreading or a typing slip than what was meant.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from .dates import (
    FAR_AWAY,
    DateStyle,
    calendar_words,
    full_year,
    spelled_out,
    style_by_weekday,
    weekday_numbers,
)

# A list is one day's, or a few days'; a date a week from the list's usual day is odd.
AWAY_FROM_LIST = dt.timedelta(days=7)
# ``--date`` a few days back is a handout made again after the visit; further back, ask.
PAST_GRACE = dt.timedelta(days=3)

_NUMERIC_IN_TEXT = re.compile(
    r"(?:(?P<weekday>[^\W\d_]+)\.?,?\s+)?"
    r"(?<!\d)(?P<first>\d{1,2})[-/.](?P<second>\d{1,2})[-/.](?P<year>\d{4}|\d{2})(?!\d)"
)
_DAY_MONTH_YEAR = re.compile(
    r"(?<!\d)(?P<day>\d{1,2})(?:st|nd|rd|th|\.)?\s+(?:de\s+)?(?P<month>[^\W\d_]+)\.?,?\s+"
    r"(?:de\s+)?(?P<year>\d{4})(?!\d)"
)
_MONTH_DAY_YEAR = re.compile(
    r"(?P<month>[^\W\d_]+)\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})(?!\d)"
)


class DateFlag(StrEnum):
    """Why a date a row (or ``--date``) gives needs a person to confirm it."""

    PAST = "past"  # before today
    FAR_AHEAD = "far-ahead"  # more than a year after today
    AWAY_FROM_LIST = "away-from-list"  # a week or more from the list's usual day
    AMBIGUOUS = "ambiguous"  # reads two ways, and the list says both


@dataclass(frozen=True)
class ListOrder:
    """How a list's numeric dates are read, and why."""

    style: DateStyle
    reason: str = ""  # what in the list decided it; empty: the clinic's own way
    conflict: str = ""  # the list says both ways: its two-way dates are asked about

    @property
    def from_list(self) -> bool:
        return bool(self.reason) and not self.conflict


@dataclass(frozen=True)
class _Evidence:
    style: DateStyle
    said_by: str  # the text that says it, quoted in messages


def list_date_order(
    date_cells: Iterable[str],
    titles: Iterable[str],
    clinic_style: DateStyle,
    language: str = "en",
) -> ListOrder:
    """The order the list's own words decide for its numeric dates.

    ``date_cells`` are the rows' date texts, ``titles`` the lines above the
    header (a report's title). Evidence: a two-way numeric date with a
    weekday that fits only one reading, or with one reading equal to a date
    the list writes with its month name. With no evidence the clinic's style
    holds; with evidence both ways the clinic's style holds and ``conflict``
    says why the two-way dates must be confirmed.
    """
    texts = [*titles, *date_cells]
    named = {date for text in texts for date in _named_dates(text, language)}
    evidence: list[_Evidence] = []
    for text in texts:
        for match in _NUMERIC_IN_TEXT.finditer(text):
            found = _evidence_of(match, named, language)
            if found is not None:
                evidence.append(_Evidence(found, f"'{match.group(0).strip()}'"))
    styles = {e.style for e in evidence}
    if not styles:
        return ListOrder(clinic_style)
    if len(styles) == 2:
        us = next(e.said_by for e in evidence if e.style == "us")
        day_month = next(e.said_by for e in evidence if e.style == "day-month")
        return ListOrder(
            clinic_style,
            reason="",
            conflict=f"the list writes dates month first ({us}) and day first ({day_month})",
        )
    style = styles.pop()
    return ListOrder(style, reason=f"the list itself says so ({evidence[0].said_by})")


def _evidence_of(match: re.Match[str], named: set[dt.date], language: str) -> DateStyle | None:
    first, second = int(match["first"]), int(match["second"])
    year = full_year(match["year"])
    # 23/11/2026 reads one way only, but says nothing of the list's other dates: one
    # cell typed the other way must not turn a whole list round (it is refused alone).
    if first == second or first > 12 or second > 12:
        return None
    weekday_word = (match["weekday"] or "").casefold()
    weekday = weekday_numbers(language).get(weekday_word)
    if weekday is not None:
        by_weekday = style_by_weekday(first, second, year, weekday)
        if by_weekday is not None:
            return by_weekday
    readings: dict[DateStyle, tuple[int, int]] = {
        "us": (first, second),
        "day-month": (second, first),
    }
    fits = [style for style, (month, day) in readings.items() if _date(year, month, day) in named]
    return fits[0] if len(fits) == 1 else None


def two_way(text: str) -> bool:
    """Whether a date text holds a numeric date that reads two real ways (04/12/2026)."""
    for match in _NUMERIC_IN_TEXT.finditer(text):
        first, second = int(match["first"]), int(match["second"])
        if first != second and first <= 12 and second <= 12:
            return True
    return False


def _named_dates(text: str, language: str) -> set[dt.date]:
    months, _ = calendar_words(language)
    found = set()
    for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
        for match in pattern.finditer(text):
            month = months.get(match["month"].casefold())
            if month is not None:
                date = _date(int(match["year"]), month, int(match["day"]))
                if date is not None:
                    found.add(date)
    return found


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def usual_date(dates: Iterable[dt.date]) -> dt.date | None:
    """The day most of a list's rows are on (the earliest of equals); None for no dates."""
    counts = Counter(dates)
    if not counts:
        return None
    most = max(counts.values())
    return min(date for date, count in counts.items() if count == most)


def date_flags(
    date: dt.date,
    today: dt.date,
    usual: dt.date | None = None,
    *,
    grace: dt.timedelta = dt.timedelta(0),
) -> frozenset[DateFlag]:
    """What about ``date`` needs confirming: in the past (beyond ``grace``), a year
    ahead, or a week or more from the list's ``usual`` day."""
    flags = set()
    if date < today - grace:
        flags.add(DateFlag.PAST)
    if date - today > FAR_AWAY:
        flags.add(DateFlag.FAR_AHEAD)
    if usual is not None and abs(date - usual) >= AWAY_FROM_LIST:
        flags.add(DateFlag.AWAY_FROM_LIST)
    return frozenset(flags)


def flag_words(
    flags: Iterable[DateFlag],
    date: dt.date,
    usual: dt.date | None,
    style: DateStyle = "us",
    language: str = "en",
) -> str:
    """One sentence a person reads: what is odd about ``date``; empty if nothing is."""
    shown = spelled_out(date, style, language)
    reasons = []
    chosen = set(flags)
    if DateFlag.PAST in chosen:
        reasons.append("is in the past")
    if DateFlag.FAR_AHEAD in chosen:
        reasons.append("is more than a year from today")
    if DateFlag.AWAY_FROM_LIST in chosen and usual is not None:
        usual_shown = spelled_out(usual, style, language)
        reasons.append(f"is far from the list's other dates ({usual_shown})")
    if DateFlag.AMBIGUOUS in chosen:
        reasons.append("could be read the other way round, and the list writes dates both ways")
    if not reasons:
        return ""
    return f"the date {shown} " + " and ".join(reasons)


def other_reading(date: dt.date) -> dt.date | None:
    """The same numbers read the other way round (4 Dec for 12 Apr); None if there is none."""
    if date.day > 12 or date.day == date.month:
        return None
    return _date(date.year, date.day, date.month)
