"""The handout's dates as an iCalendar file (RFC 5545) for the patient's own calendar.

Calendars sync to other companies' services, so an event says no more than
the handout does on its cover: the handout's title, a phase's title, a rule's
short name. Never the patient's name, email address, or anything else typed
at the desk.

- A phase or a rule counted in days is an all-day event over its days.
- A rule counted in hours is a timed event when the procedure time is known
  (in the clinic's time zone, or the patient's local time when the clinic
  gives none); otherwise all-day over the days its hours reach.
- The next treatments are events of their own: "suggested" dates (each
  procedure's, named, on a handout of several), or the booked visit at its time.
- Each event that changes what the patient does carries a reminder on the
  morning it starts, and a rule that ends gets a morning "from today ..."
  event of its own with a reminder.

UIDs are built from the clinic, protocol, procedure date and the event's
place in the protocol, so sending the same handout again updates the events
already in the patient's calendar instead of adding copies.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zoneinfo
from dataclasses import dataclass

import icalendar

from ..templating.catalogs import catalog
from .page import HandoutSpec, plan_views
from .schedule import Schedule, build_schedule

# The reminder on the morning of a change: 8:00 in the patient's own day.
MORNING = dt.timedelta(hours=8)
# A timed event (a booked visit, an hour rule) is announced this long before it.
BEFORE_TIMED = dt.timedelta(hours=2)
PRODUCT_ID = "-//handouts//aftercare calendar//EN"

When = dt.date | dt.datetime


@dataclass(frozen=True)
class CalendarEvent:
    """One event, before it becomes iCalendar text (tests compare these with the schedule)."""

    key: str  # stable within one handout: "phase-2", "rule-0-ends", "treatment-2"
    summary: str
    start: When  # a date for all-day events, an aware or floating datetime otherwise
    end: When  # exclusive, as in iCalendar: the day after an all-day event's last day
    alarm: str | None = None  # the reminder's text; None: no reminder


def calendar_events(spec: HandoutSpec, schedule: Schedule | None = None) -> list[CalendarEvent]:
    """Every dated event of the handout; empty for a handout without a procedure date."""
    if spec.procedure_date is None:
        return []
    if schedule is None:
        schedule = build_schedule(spec.protocol, spec.procedure_date, spec.procedure_time)
    words = catalog(spec.language)
    _ = words.gettext
    zone = _zone(spec)
    events: list[CalendarEvent] = []
    for index, phase in enumerate(schedule.phases):
        title = phase.phase.title
        # An open-ended phase is the day it begins: a "forever" event helps no one.
        last_day = phase.first if phase.last is None else phase.last
        events.append(_all_day(f"phase-{index}", title, phase.first, last_day, title))
    for index, dated in enumerate(schedule.rules):
        rule = dated.rule
        name = rule.short or rule.text
        key = f"rule-{index}"
        if dated.start is not None and dated.end is not None:
            end = dated.end_latest or dated.end
            events.append(
                CalendarEvent(key, name, _at(dated.start, zone), _at(end, zone), alarm=name)
            )
        else:
            last = dated.last if dated.last is not None else dated.first
            events.append(_all_day(key, name, dated.first, last, name))
        after = _day_after(dated.last, dated.end_latest or dated.end)
        # What to expect has no "from today" news; what to do or avoid does.
        if after is not None and rule.kind != "expect":
            ended = _("From today, this no longer applies: %(rule)s") % {"rule": name}
            events.append(_all_day(f"{key}-ends", ended, after, after, ended))
    events.extend(_next_visits(spec, schedule, zone))
    return events


def _next_visits(
    spec: HandoutSpec, schedule: Schedule, zone: zoneinfo.ZoneInfo | None
) -> list[CalendarEvent]:
    _ = catalog(spec.language).gettext
    booked = spec.next_visit
    if booked is not None:
        title = _("Your next appointment at %(clinic)s") % {"clinic": spec.clinic.name}
        if spec.next_visit_time is not None:
            start = _at(dt.datetime.combine(booked, spec.next_visit_time), zone)
            return [CalendarEvent("next-visit", title, start, start + dt.timedelta(hours=1), title)]
        return [_all_day("next-visit", title, booked, booked, title)]
    events = []
    for place, plan in enumerate(plan_views(spec, schedule)):
        if plan.series_dates is None:
            continue
        # On a handout of several procedures, each one's dates are named and keyed apart.
        named = f"{plan.procedure}: " if plan.procedure else ""
        keyed = f"-{place}" if plan.procedure else ""
        for number, day in enumerate(plan.series_dates.next_treatments, start=2):
            label = named + _("Treatment %(number)s, suggested") % {"number": number}
            events.append(_all_day(f"treatment{keyed}-{number}", label, day, day, label))
        if plan.series_dates.maintenance is not None:
            label = named + _("First maintenance, suggested")
            day = plan.series_dates.maintenance
            events.append(_all_day(f"maintenance{keyed}", label, day, day, label))
    return events


def _all_day(key: str, summary: str, first: dt.date, last: dt.date, alarm: str) -> CalendarEvent:
    return CalendarEvent(key, summary, first, last + dt.timedelta(days=1), alarm)


def _day_after(last: dt.date | None, end: dt.datetime | None) -> dt.date | None:
    """The first day a rule no longer applies (None: it never ends)."""
    if end is not None:
        # An hour rule ending at 14:30 no longer applies that evening, but the
        # patient hears about it the next morning, with the day's other news.
        return end.date() + dt.timedelta(days=1)
    return None if last is None else last + dt.timedelta(days=1)


def _zone(spec: HandoutSpec) -> zoneinfo.ZoneInfo | None:
    name = spec.clinic.time_zone
    return None if name is None else zoneinfo.ZoneInfo(name)


def _at(moment: dt.datetime, zone: zoneinfo.ZoneInfo | None) -> dt.datetime:
    # Without a clinic time zone the time is "floating": the same wall-clock
    # time wherever the patient's calendar is, which is right for a patient
    # who lives near the clinic, and never silently shifted by hours.
    return moment if zone is None else moment.replace(tzinfo=zone)


def event_uid(spec: HandoutSpec, key: str) -> str:
    """Stable across sends of the same handout; says nothing about the patient."""
    assert spec.procedure_date is not None
    parts = [
        spec.clinic.id,
        spec.protocol.id,
        spec.language,
        spec.procedure_date.isoformat(),
        "" if spec.procedure_time is None else spec.procedure_time.isoformat(),
        key,
    ]
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]
    domain = spec.clinic.email.rpartition("@")[2] or "handouts.invalid"
    return f"{digest}@{domain}"


def calendar_name(spec: HandoutSpec) -> str:
    """The calendar's title: the handout's own short title and the clinic."""
    wording = catalog(spec.language).gettext("%(procedure)s aftercare")
    title = spec.protocol.short_title or wording % {"procedure": spec.protocol.procedure}
    return f"{title} - {spec.clinic.name}"


def build_calendar(spec: HandoutSpec, stamp: dt.datetime | None = None) -> bytes:
    """The .ics file's bytes. ``stamp`` (UTC) is DTSTAMP; tests pass a fixed one."""
    now = (stamp or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    title = calendar_name(spec)
    cal = icalendar.Calendar()
    cal.add("prodid", PRODUCT_ID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", title)
    events = calendar_events(spec)
    for item in events:
        event = icalendar.Event()
        event.add("uid", event_uid(spec, item.key))
        event.add("dtstamp", now)
        event.add("summary", item.summary)
        event.add("description", title)
        event.add("dtstart", item.start)
        event.add("dtend", item.end)
        event.add("transp", "TRANSPARENT")  # aftercare does not make the patient busy
        if item.alarm is not None:
            event.add_component(_alarm(item))
        cal.add_component(event)
    timed = [item.start for item in events if isinstance(item.start, dt.datetime)]
    if spec.clinic.time_zone is not None and timed:
        # Only the years the events fall in: a zone's whole history since 1970 is
        # long, and some calendar programs misread its older changes.
        first, last = min(timed).year, max(timed).year
        cal.add_missing_timezones(dt.date(first - 1, 1, 1), dt.date(last + 2, 1, 1))
    data: bytes = cal.to_ical()
    return data


def _alarm(item: CalendarEvent) -> icalendar.Alarm:
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", item.alarm)
    # An all-day event starts at midnight: 8 hours later is the morning of that
    # day. A timed one is announced a little before it starts.
    is_timed = isinstance(item.start, dt.datetime)
    alarm.add("trigger", -BEFORE_TIMED if is_timed else MORNING)
    return alarm
