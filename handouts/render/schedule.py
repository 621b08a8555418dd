"""Calendar dates for a protocol: each phase, the treatment series, the results.

Day 0 is the procedure day and day 1 the day after. Month arithmetic uses
dateutil, so "one month after 31 January" is the last day of February rather
than an error or a date in March.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from ..content.models import Duration, Phase, Protocol
from ..errors import InputError


def add_duration(start: dt.date, duration: Duration, times: int = 1) -> dt.date:
    """``start`` plus ``times`` x ``duration``, each multiple counted from ``start``.

    Counting every multiple from the start (not chaining) keeps a monthly series
    on the same day of the month after a short month.
    """
    return start + relativedelta(
        days=duration.days * times, weeks=duration.weeks * times, months=duration.months * times
    )


@dataclass(frozen=True)
class DatedPhase:
    phase: Phase
    first: dt.date
    last: dt.date | None  # None: open-ended


@dataclass(frozen=True)
class SeriesPlan:
    next_treatments: list[dt.date]
    maintenance: dt.date | None


@dataclass(frozen=True)
class ResultsWindow:
    earliest: dt.date
    latest: dt.date | None


@dataclass(frozen=True)
class Schedule:
    procedure_date: dt.date
    phases: list[DatedPhase]
    series: SeriesPlan | None
    results: ResultsWindow | None


def day_to_date(procedure_date: dt.date, day: int) -> dt.date:
    return procedure_date + dt.timedelta(days=day)


def plan_series(protocol: Protocol, procedure_date: dt.date) -> SeriesPlan | None:
    """Suggested dates for the rest of the initial series, then maintenance.

    Today's procedure counts as the first treatment of the series. Without an
    interval in the protocol there are no dates to suggest.
    """
    series = protocol.series
    if series is None or series.interval is None:
        return None
    upcoming = [
        add_duration(procedure_date, series.interval, n) for n in range(1, series.initial_count)
    ]
    maintenance = None
    if series.maintenance_interval is not None:
        last = upcoming[-1] if upcoming else procedure_date
        maintenance = add_duration(last, series.maintenance_interval)
    return SeriesPlan(next_treatments=upcoming, maintenance=maintenance)


def build_schedule(protocol: Protocol, procedure_date: dt.date) -> Schedule:
    """Every date of the handout; InputError if one falls outside the calendar."""
    try:
        return _dated(protocol, procedure_date)
    except (OverflowError, ValueError):
        raise InputError(
            f"the dates of protocol '{protocol.id}' counted from {procedure_date.isoformat()} "
            "fall outside the calendar; check the procedure date"
        ) from None


def _dated(protocol: Protocol, procedure_date: dt.date) -> Schedule:
    phases = [
        DatedPhase(
            phase=phase,
            first=day_to_date(procedure_date, phase.first_day),
            last=None if phase.last_day is None else day_to_date(procedure_date, phase.last_day),
        )
        for phase in protocol.phases
    ]
    results = None
    if protocol.results is not None:
        latest = protocol.results.latest
        results = ResultsWindow(
            earliest=add_duration(procedure_date, protocol.results.earliest),
            latest=None if latest is None else add_duration(procedure_date, latest),
        )
    return Schedule(
        procedure_date=procedure_date,
        phases=phases,
        series=plan_series(protocol, procedure_date),
        results=results,
    )
