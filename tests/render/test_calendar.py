"""The patient's calendar: read back with a second parser (vobject), every date checked
against the handout's own schedule, nothing personal in it."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
import vobject

from handouts.content.store import ContentStore
from handouts.render.calendar import build_calendar, calendar_events
from handouts.render.page import HandoutSpec, resolve_spec
from handouts.render.schedule import build_schedule
from tests.support.dates import FIXED_DATE

STAMP = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
PATIENT = "Quintessa Zelborne"
DAY = dt.timedelta(days=1)


def read_back(spec: HandoutSpec) -> dict[str, Any]:
    """The events by summary-independent key: vobject's parse, matched to ours by UID."""
    from handouts.render.calendar import event_uid

    parsed = vobject.readOne(build_calendar(spec, STAMP).decode("utf-8"))
    by_uid = {event.uid.value: event for event in parsed.vevent_list}
    ours = calendar_events(spec)
    assert len(by_uid) == len(ours), "UIDs must be unique within the calendar"
    return {item.key: by_uid[event_uid(spec, item.key)] for item in ours}


def spec_for(
    content: ContentStore,
    protocol: str,
    clinic: str = "harbourside",
    time: dt.time | None = None,
    **extra: Any,
) -> HandoutSpec:
    return resolve_spec(content, protocol, clinic, PATIENT, FIXED_DATE, time, **extra)


CASES = [
    ("light-chemical-peel", "harbourside", dt.time(14, 30)),
    ("light-chemical-peel", "magnolia", None),
    ("botulinum-toxin", "magnolia", dt.time(9, 15)),
    ("botulinum-toxin", "harbourside", None),
    ("microneedling", "harbourside", None),
    ("micropenning", "magnolia", None),
]


@pytest.mark.parametrize(("protocol", "clinic", "time"), CASES)
def test_every_date_matches_the_handout(
    content: ContentStore, protocol: str, clinic: str, time: dt.time | None
) -> None:
    spec = spec_for(content, protocol, clinic, time)
    schedule = build_schedule(spec.protocol, FIXED_DATE, time)
    events = read_back(spec)
    for index, dated in enumerate(schedule.phases):
        event = events[f"phase-{index}"]
        assert event.summary.value == dated.phase.title
        assert event.dtstart.value == dated.first
        assert event.dtend.value == (dated.last or dated.first) + DAY
    zone = zoneinfo.ZoneInfo(spec.clinic.time_zone or "UTC")
    for index, dated in enumerate(schedule.rules):
        event = events[f"rule-{index}"]
        assert event.summary.value == (dated.rule.short or dated.rule.text)
        if dated.rule.in_hours and time is not None:
            # Timed, in the clinic's zone, from the procedure's time for the rule's hours.
            start, end = event.dtstart.value, event.dtend.value
            assert start.utcoffset() == dt.datetime.combine(FIXED_DATE, time, zone).utcoffset()
            begin = dt.datetime.combine(FIXED_DATE, time, zone)
            assert start == begin + dt.timedelta(hours=dated.rule.from_hour or 0)
            hours = dated.rule.to_hour_max or dated.rule.to_hour or 0
            assert end == begin + dt.timedelta(hours=hours)
        else:
            assert event.dtstart.value == dated.first
            assert event.dtend.value == (dated.last or dated.first) + DAY
        ends = events.get(f"rule-{index}-ends")
        if dated.rule.kind == "expect" or dated.last is None:
            assert ends is None
        else:
            assert ends is not None
            assert ends.dtstart.value > dated.first
            assert "no longer applies" in ends.summary.value
    if schedule.series is not None:
        for number, day in enumerate(schedule.series.next_treatments, start=2):
            event = events[f"treatment-{number}"]
            assert event.dtstart.value == day
            assert event.summary.value == f"Treatment {number}, suggested"
        if schedule.series.maintenance:
            assert events["maintenance"].dtstart.value == schedule.series.maintenance


def test_reminders_fire_on_the_morning_of_a_change(content: ContentStore) -> None:
    events = read_back(spec_for(content, "light-chemical-peel", time=dt.time(14, 30)))
    for key, event in events.items():
        alarm = event.valarm
        assert alarm.action.value == "DISPLAY"
        assert alarm.description.value
        trigger = alarm.trigger.value
        if isinstance(event.dtstart.value, dt.datetime):
            assert trigger == -dt.timedelta(hours=2), key
        else:
            assert trigger == dt.timedelta(hours=8), key  # 8:00 on the day it starts


def test_nothing_about_the_patient_and_no_detail_beyond_the_title(
    content: ContentStore,
) -> None:
    spec = spec_for(content, "light-chemical-peel", time=dt.time(14, 30))
    text = build_calendar(spec, STAMP).decode("utf-8")
    for private in ("Quintessa", "Zelborne", "@example"):
        assert private not in text
    parsed = vobject.readOne(text)
    for event in parsed.vevent_list:
        assert event.description.value == "Chemical peel care - Harbourside Skin Clinic"
        assert not hasattr(event, "location") and not hasattr(event, "attendee")


def test_uids_are_stable_and_differ_between_procedures(content: ContentStore) -> None:
    spec = spec_for(content, "micropenning")
    first = vobject.readOne(build_calendar(spec, STAMP).decode())
    again = vobject.readOne(build_calendar(spec, STAMP + DAY).decode())
    assert [e.uid.value for e in first.vevent_list] == [e.uid.value for e in again.vevent_list]
    other = resolve_spec(content, "micropenning", "harbourside", PATIENT, FIXED_DATE + DAY)
    later = vobject.readOne(build_calendar(other, STAMP).decode())
    assert not {e.uid.value for e in first.vevent_list} & {e.uid.value for e in later.vevent_list}


def test_a_booked_visit_replaces_the_suggested_dates(content: ContentStore) -> None:
    booked = dt.date(2026, 12, 21)
    spec = spec_for(content, "micropenning", next_visit=booked, next_visit_time=dt.time(10, 0))
    events = read_back(spec)
    assert not any(key.startswith(("treatment-", "maintenance")) for key in events)
    visit = events["next-visit"]
    assert visit.dtstart.value == dt.datetime(
        2026, 12, 21, 10, 0, tzinfo=zoneinfo.ZoneInfo("Europe/London")
    )
    assert visit.summary.value == "Your next appointment at Harbourside Skin Clinic"
    day_only = read_back(spec_for(content, "micropenning", next_visit=booked))
    assert day_only["next-visit"].dtstart.value == booked


def test_titles_in_the_patients_language(content: ContentStore) -> None:
    spec = spec_for(content, "micropenning", language="es")
    events = read_back(spec)
    assert events["treatment-2"].summary.value == "Tratamiento 2, fecha sugerida"
    assert events["phase-0"].summary.value == spec.protocol.phases[0].title


def test_a_clinic_without_a_time_zone_writes_floating_times(content: ContentStore) -> None:
    spec = spec_for(content, "botulinum-toxin", time=dt.time(9, 15))
    spec = HandoutSpec(
        **{**spec.__dict__, "clinic": spec.clinic.model_copy(update={"time_zone": None})}
    )
    text = build_calendar(spec, STAMP).decode()
    assert "VTIMEZONE" not in text and "TZID" not in text
    timed = [
        e for e in vobject.readOne(text).vevent_list if isinstance(e.dtstart.value, dt.datetime)
    ]
    assert timed and all(e.dtstart.value.tzinfo is None for e in timed)


def test_a_blank_handout_has_no_events(content: ContentStore) -> None:
    spec = resolve_spec(content, "micropenning", "harbourside")
    assert calendar_events(spec) == []


def test_a_combined_handout_has_each_procedures_suggested_treatments_named(
    content: ContentStore,
) -> None:
    spec = spec_for(content, "microneedling", also=("micropenning",))
    events = read_back(spec)
    # Micropenning is the second procedure (place 1); a month after 22 November.
    treatment = events["treatment-1-2"]
    assert treatment.summary.value == "Micropenning: Treatment 2, suggested"
    assert treatment.dtstart.value == dt.date(2026, 12, 22)
    assert events["maintenance-1"].dtstart.value == dt.date(2027, 7, 22)
    assert not any(key.startswith("treatment-0") for key in events)
