"""Which follow-up messages a handout gives, and when each may go out.

Two kinds: the protocol's own messages ("day 2: dry, flaking skin is normal"),
and, when the clinic asks for them, a reminder on the day a dated rule starts
or stops applying. Each is due on its day at the first hour the clinic sends
(its own time zone), moved on to the next day it sends when that day is not
one. A message holds the handout's title and its own text: nothing else about
the patient's health, and never the patient's name.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from ..content.catalogs import catalog
from ..content.models import WEEKDAYS, Branding, ClinicFollowUps
from ..render.page import HandoutSpec, date_formatter
from ..render.schedule import build_schedule

# A message more than this late (the sender was not run for days) is not sent:
# "day 1: how is your skin?" on day 6 helps no one.
STALE_AFTER = dt.timedelta(days=2)


@dataclass(frozen=True)
class PlannedFollowUp:
    key: str  # unique within the handout: "day-2", "rule-3-ends"
    day: dt.date  # the patient's date it is about
    due: dt.datetime  # aware, UTC: the first moment it may be sent
    heading: str
    text: str


def handout_title(spec: HandoutSpec) -> str:
    wording = catalog(spec.language).gettext("%(procedure)s aftercare")
    return spec.protocol.short_title or wording % {"procedure": spec.protocol.procedure}


def plan_follow_ups(spec: HandoutSpec) -> list[PlannedFollowUp]:
    """The handout's follow-ups in time order; none without a date or when the clinic
    does not send them."""
    clinic = spec.clinic
    if spec.procedure_date is None or not clinic.follow_ups.send:
        return []
    _ = catalog(spec.language).gettext
    long_date = date_formatter(clinic.date_style, spec.language, "long")
    start = spec.procedure_date
    planned: list[tuple[str, dt.date, str, str]] = []
    for message in spec.protocol.follow_ups:
        text = clinic.follow_ups.wording.get(message.id, message.text)
        planned.append((message.id, start + dt.timedelta(days=message.day), message.subject, text))
    if clinic.follow_ups.rule_reminders:
        schedule = build_schedule(spec.protocol, start, spec.procedure_time)
        for index, dated in enumerate(schedule.rules):
            rule = dated.rule
            if rule.kind == "expect":
                continue  # what to expect is news on the handout, not a change of what to do
            name = rule.short or rule.text
            if dated.first > start:
                heading = _("From today: %(rule)s") % {"rule": name}
                planned.append((f"rule-{index}-starts", dated.first, heading, rule.text))
            end = dated.end_latest or dated.end
            last = end.date() if end is not None else dated.last
            if last is not None and last >= start:
                day = last + dt.timedelta(days=1)
                heading = _("From today, this no longer applies: %(rule)s") % {"rule": name}
                text = _("Your handout gave this until %(date)s: %(rule)s") % {
                    "date": long_date(last),
                    "rule": rule.text,
                }
                planned.append((f"rule-{index}-ends", day, heading, text))
    follow_ups = [
        PlannedFollowUp(key, day, sending_time(clinic, day), heading, text)
        for key, day, heading, text in planned
    ]
    return sorted(follow_ups, key=lambda f: (f.due, f.key))


def clinic_zone(clinic: Branding) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(clinic.time_zone or "UTC")


def sending_time(clinic: Branding, day: dt.date) -> dt.datetime:
    """The first moment on or after ``day`` the clinic sends, in UTC."""
    settings, zone = clinic.follow_ups, clinic_zone(clinic)
    for offset in range(7):
        candidate = day + dt.timedelta(days=offset)
        if WEEKDAYS[candidate.weekday()] in settings.days:
            local = dt.datetime.combine(candidate, dt.time(settings.from_hour), zone)
            return local.astimezone(dt.UTC)
    raise AssertionError("a clinic sends on at least one day of the week")  # model rule


def may_send_now(settings: ClinicFollowUps, zone: zoneinfo.ZoneInfo, now: dt.datetime) -> bool:
    """Whether ``now`` is within the clinic's sending hours and days."""
    local = now.astimezone(zone)
    in_hours = settings.from_hour <= local.hour < settings.until_hour
    return in_hours and WEEKDAYS[local.weekday()] in settings.days
