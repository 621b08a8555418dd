"""Calendar dates for a protocol: each phase and rule, the treatment series, the results.

Day 0 is the procedure day and day 1 the day after. Rules in hours become
clock times only when the procedure's time of day is known. Month arithmetic uses
dateutil, so "one month after 31 January" is the last day of February rather
than an error or a date in March.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from ..content.models import Duration, Phase, Protocol, Results, Rule, Series
from ..errors import InputError


def add_duration(start: dt.date, duration: Duration, times: int = 1) -> dt.date:
    """``start`` plus ``times`` x ``duration``, each multiple counted from ``start``.

    Counting every multiple from the start (not chaining) keeps a monthly series
    on the same day of the month after a short month.
    """
    later: dt.date = start + relativedelta(
        days=duration.days * times, weeks=duration.weeks * times, months=duration.months * times
    )
    return later


@dataclass(frozen=True)
class DatedPhase:
    phase: Phase
    first: dt.date
    last: dt.date | None  # None: open-ended


@dataclass(frozen=True)
class DatedRule:
    """A rule with its calendar span.

    ``first``/``last`` are the days a day-span rule runs (``last`` None: it
    never ends). An hour-span rule has them too, as the days its hours fall
    on; with a procedure time it also has exact ``start``, ``end`` and
    ``end_latest`` (the latest end of "24-48 hours", else None).
    """

    rule: Rule
    first: dt.date
    last: dt.date | None
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    end_latest: dt.datetime | None = None
    last_earliest: dt.date | None = None  # the earlier end of "for 3-4 days"


@dataclass(frozen=True)
class SeriesPlan:
    """Suggested dates; with a range of intervals, ``next_latest`` holds each one's latest."""

    next_treatments: list[dt.date]
    maintenance: dt.date | None
    next_latest: list[dt.date] | None = None
    at_least: bool = False  # each date is the earliest, with no latest


@dataclass(frozen=True)
class ResultsWindow:
    earliest: dt.date
    latest: dt.date | None


@dataclass(frozen=True)
class Schedule:
    procedure_date: dt.date
    procedure_time: dt.time | None
    phases: list[DatedPhase]
    rules: list[DatedRule]
    series: SeriesPlan | None
    results: ResultsWindow | None


def day_to_date(procedure_date: dt.date, day: int) -> dt.date:
    return procedure_date + dt.timedelta(days=day)


def date_rule(rule: Rule, procedure_date: dt.date, procedure_time: dt.time | None) -> DatedRule:
    """The dates (and, for an hour span with a known time, the clock times) of a rule.

    An undated rule (one with only a condition) gets the procedure day; the
    page never shows it a date.
    """
    if not rule.in_hours or procedure_time is None:
        # Without a time of day, hours could end on any of the days they reach;
        # the page then speaks in hours and these dates are not shown.
        last = rule.last_day
        earliest = rule.to_day if rule.to_day_max is not None else None
        return DatedRule(
            rule=rule,
            first=day_to_date(procedure_date, rule.first_day),
            last=None if last is None else day_to_date(procedure_date, last),
            last_earliest=None if earliest is None else day_to_date(procedure_date, earliest),
        )
    begin = dt.datetime.combine(procedure_date, procedure_time)

    def at(hours: int | None) -> dt.datetime | None:
        return None if hours is None else begin + dt.timedelta(hours=hours)

    if rule.at_hour is not None:
        moment = begin + dt.timedelta(hours=rule.at_hour)
        return DatedRule(rule=rule, first=moment.date(), last=moment.date(), start=moment)
    end, latest = at(rule.to_hour), at(rule.to_hour_max)
    if rule.from_day is not None:
        # Starts on a day (no clock time), ends at an hour.
        first = day_to_date(procedure_date, rule.from_day)
        start = None
    else:
        start = begin + dt.timedelta(hours=rule.from_hour or 0)
        first = start.date()
    last_moment = latest or end
    return DatedRule(
        rule=rule,
        first=first,
        last=None if last_moment is None else last_moment.date(),
        start=start,
        end=end,
        end_latest=latest,
    )


def overlaps(first: int, last: int | None, other_first: int, other_last: int | None) -> bool:
    """Whether two day spans (``last`` None: open-ended) share at least one day."""
    starts_in_time = other_last is None or first <= other_last
    ends_in_time = last is None or last >= other_first
    return starts_in_time and ends_in_time


def rules_in_force(phase: Phase, rules: list[Rule], schedule: Schedule | None = None) -> list[Rule]:
    """The rules whose span shares a day with the phase, in the protocol's order.

    With a schedule, a rule's days are its dates (exact for hours when the
    procedure time is known); without one, the protocol's day numbers.
    """
    spans: list[tuple[int, int | None]] = [(rule.first_day, rule.last_day) for rule in rules]
    if schedule is not None:
        start = schedule.procedure_date
        spans = [
            ((d.first - start).days, None if d.last is None else (d.last - start).days)
            for d in schedule.rules
        ]
    return [
        rule
        for rule, (first, last) in zip(rules, spans, strict=True)
        if rule.dated and overlaps(first, last, phase.first_day, phase.last_day)
    ]


def plan_series(protocol: Protocol, procedure_date: dt.date) -> SeriesPlan | None:
    """Suggested dates for the rest of the initial series, then maintenance.

    Today's procedure counts as the first treatment of the series. Without an
    interval in the protocol there are no dates to suggest.
    """
    return series_dates(protocol.series, procedure_date)


def series_dates(series: Series | None, procedure_date: dt.date) -> SeriesPlan | None:
    """``plan_series`` for one series (one procedure's, on a handout of several)."""
    if series is None or series.interval is None:
        return None
    upcoming = [
        add_duration(procedure_date, series.interval, n) for n in range(1, series.initial_count)
    ]
    latest = None
    if series.interval_max is not None:
        latest = [
            add_duration(procedure_date, series.interval_max, n)
            for n in range(1, series.initial_count)
        ]
    maintenance = None
    if series.maintenance_interval is not None:
        last = upcoming[-1] if upcoming else procedure_date
        maintenance = add_duration(last, series.maintenance_interval)
    return SeriesPlan(
        next_treatments=upcoming,
        maintenance=maintenance,
        next_latest=latest,
        at_least=series.at_least,
    )


def build_schedule(
    protocol: Protocol, procedure_date: dt.date, procedure_time: dt.time | None = None
) -> Schedule:
    """Every date of the handout; InputError if one falls outside the calendar."""
    try:
        return _dated(protocol, procedure_date, procedure_time)
    except (OverflowError, ValueError):
        raise InputError(
            f"the dates of protocol '{protocol.id}' counted from {procedure_date.isoformat()} "
            "fall outside the calendar; check the procedure date"
        ) from None


def _dated(protocol: Protocol, procedure_date: dt.date, procedure_time: dt.time | None) -> Schedule:
    phases = [
        DatedPhase(
            phase=phase,
            first=day_to_date(procedure_date, phase.first_day),
            last=None if phase.last_day is None else day_to_date(procedure_date, phase.last_day),
        )
        for phase in protocol.phases
    ]
    return Schedule(
        procedure_date=procedure_date,
        procedure_time=procedure_time,
        phases=phases,
        rules=[date_rule(rule, procedure_date, procedure_time) for rule in protocol.rules],
        series=plan_series(protocol, procedure_date),
        results=results_window(protocol.results, procedure_date),
    )


def results_window(results: Results | None, procedure_date: dt.date) -> ResultsWindow | None:
    if results is None:
        return None
    latest = results.latest
    return ResultsWindow(
        earliest=add_duration(procedure_date, results.earliest),
        latest=None if latest is None else add_duration(procedure_date, latest),
    )


def course_dates(
    series: Series | None, results: Results | None, procedure_date: dt.date
) -> tuple[SeriesPlan | None, ResultsWindow | None]:
    """One procedure's suggested treatment dates and results window, on a handout of several."""
    try:
        return series_dates(series, procedure_date), results_window(results, procedure_date)
    except (OverflowError, ValueError):
        raise InputError(
            f"the treatment dates counted from {procedure_date.isoformat()} fall outside "
            "the calendar; check the procedure date"
        ) from None
