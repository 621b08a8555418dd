"""The data a handout is made from: a clinic's branding and a procedure protocol.

Models are strict (unknown keys are errors) so that a typo in a YAML file is
reported instead of silently dropping an instruction from a patient's handout.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from typing import Annotated, Literal

from dateutil.relativedelta import relativedelta
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

COLOUR_PATTERN = r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$"
IDENTIFIER_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
LANGUAGE_PATTERN = r"^[a-z]{2,3}(?:[_-][A-Za-z]{2,4})?$"
URL_PATTERN = r"^https?://\S+$"

# What to tell a clinic manager when a value does not match one of the patterns
# above; pydantic's own message would show them the regular expression.
PATTERN_MESSAGES = {
    COLOUR_PATTERN: "'{value}' is not a colour; use #rgb or #rrggbb, e.g. \"#0f6e73\"",
    IDENTIFIER_PATTERN: "'{value}' is not a valid id; use lowercase letters, digits, - and _",
    LANGUAGE_PATTERN: "'{value}' is not a language code; use e.g. en, fr or en-GB",
    URL_PATTERN: "'{value}' is not a web address; start it with https://",
}

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

# Sane ranges for the calendar: ten years either side of the procedure, and a
# course of treatment that fits in a life. Beyond them a date is a typo, and
# far beyond them it would not fit in the calendar at all.
MAX_DAYS = 3650
MAX_WEEKS = 520
MAX_MONTHS = 120
MAX_TREATMENTS = 100
Day = Annotated[int, Field(ge=-MAX_DAYS, le=MAX_DAYS)]
Colour = Annotated[str, StringConstraints(pattern=COLOUR_PATTERN)]
Identifier = Annotated[str, StringConstraints(pattern=IDENTIFIER_PATTERN)]
Language = Annotated[str, StringConstraints(pattern=LANGUAGE_PATTERN)]

_FONT_FAMILY = re.compile(r"^[A-Za-z0-9 _-]+$")


class ContentModel(BaseModel):
    """A part of a content file: an unknown key is an error (a typo must never drop an
    instruction silently), and a loaded value never changes."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# --- after the handout: follow-up messages, reminders, booking ------------------
# One block, kept apart from the protocol and branding models above, for what
# reaches the patient after the visit (handouts/follow_ups/, render/calendar.py).

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _known_time_zone(name: str) -> str:
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"'{name}' is not a time zone; use a name such as Europe/London or America/New_York"
        ) from None
    return name


TimeZone = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class FollowUp(ContentModel):
    """A message the clinic may send the patient on one day after the procedure."""

    id: Identifier = Field(description="Names the message, e.g. in a clinic's own wording")
    day: int = Field(ge=1, le=MAX_DAYS, description="Days after the procedure (1: the day after)")
    subject: Text
    text: Text


class ClinicFollowUps(ContentModel):
    """Whether and when a clinic sends follow-up messages, and in whose words."""

    send: bool = Field(default=False, description="Send follow-up messages at all")
    rule_reminders: bool = Field(
        default=False,
        description="Also remind patients on the day a dated rule starts or stops applying",
    )
    from_hour: int = Field(
        default=9, ge=0, le=23, description="Earliest hour to send (clinic time)"
    )
    until_hour: int = Field(default=18, ge=1, le=24, description="Send before this hour")
    days: list[Weekday] = Field(
        default=["mon", "tue", "wed", "thu", "fri", "sat"],
        min_length=1,
        description="Days of the week messages may go out",
    )
    wording: dict[Identifier, Text] = Field(
        default_factory=dict,
        description="The clinic's own text for a protocol's follow-up, by its id",
    )

    @model_validator(mode="after")
    def _hours_in_order(self) -> ClinicFollowUps:
        if self.until_hour <= self.from_hour:
            raise ValueError(
                f"until_hour {self.until_hour} is not after from_hour {self.from_hour}"
            )
        return self


class Booking(ContentModel):
    """Where patients book their next visit; printed as QR codes when asked."""

    url: Annotated[str, StringConstraints(strip_whitespace=True, pattern=URL_PATTERN)] | None = None
    qr_codes: bool = Field(
        default=False, description="Print 'Scan to book' and 'Scan to call us' codes"
    )


# --- protocol -----------------------------------------------------------------


class Duration(ContentModel):
    """A span of calendar time such as "one month" or "six weeks"."""

    days: int = Field(default=0, ge=0, le=MAX_DAYS)
    weeks: int = Field(default=0, ge=0, le=MAX_WEEKS)
    months: int = Field(default=0, ge=0, le=MAX_MONTHS)

    @model_validator(mode="after")
    def _not_empty(self) -> Duration:
        if not (self.days or self.weeks or self.months):
            raise ValueError("give at least one of days, weeks or months")
        return self


class Phase(ContentModel):
    """One stretch of the recovery, anchored in days relative to the procedure.

    Day 0 is the procedure day, day 1 the day after, day -10 ten days before.
    Give either ``day`` (a single day) or ``from_day`` with an optional
    ``to_day``; without ``to_day`` the phase is open-ended ("after one week").
    """

    title: Text
    day: Day | None = None
    from_day: Day | None = None
    to_day: Day | None = None
    expect: list[Text] = Field(default_factory=list)
    do: list[Text] = Field(default_factory=list)
    avoid: list[Text] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_anchor(self) -> Phase:
        if (self.day is None) == (self.from_day is None):
            raise ValueError("give either day (one day) or from_day (a range), not both or neither")
        if self.day is not None and self.to_day is not None:
            raise ValueError("to_day goes with from_day, not with day")
        if self.from_day is not None and self.to_day is not None and self.to_day < self.from_day:
            raise ValueError(f"to_day {self.to_day} is before from_day {self.from_day}")
        if not (self.expect or self.do or self.avoid):
            raise ValueError("a phase needs at least one of expect, do or avoid")
        return self

    @property
    def first_day(self) -> int:
        return self.day if self.day is not None else self.from_day  # type: ignore[return-value]

    @property
    def last_day(self) -> int | None:
        """The last day, or None for an open-ended phase."""
        return self.day if self.day is not None else self.to_day


def phase_order_problems(phases: Sequence[tuple[int, Phase]]) -> list[tuple[int, str]]:
    """Problems with the order of phases, as (index in the list, message).

    Phases must come in time order. Consecutive phases may share one boundary
    day (a sheet's "Days 2-7" then "Days 7+"), but no more; only the last phase
    may be open-ended. ``phases`` pairs each phase with its position in the file,
    so that callers can check just the phases that are valid on their own.
    """
    problems: list[tuple[int, str]] = []
    previous: tuple[int, Phase] | None = None
    reach: int | None = None  # the last day covered by the phases so far
    for index, phase in phases:
        if previous is not None:
            before_index, before = previous
            if before.last_day is None:
                problems.append(
                    (
                        before_index,
                        f"has no to_day, so it never ends, but phases[{index}] comes after it; "
                        "give it a to_day or move it to the end",
                    )
                )
            elif phase.first_day < before.first_day:
                problems.append(
                    (
                        index,
                        f"starts on day {phase.first_day}, before phases[{before_index}] "
                        f"(day {before.first_day}); list phases in time order",
                    )
                )
            elif reach is not None and phase.first_day < reach:
                problems.append(
                    (
                        index,
                        f"starts on day {phase.first_day}, but the phases before it run to day "
                        f"{reach}; consecutive phases may share only their boundary day",
                    )
                )
        previous = (index, phase)
        last = phase.last_day
        reach = None if last is None else max(last, reach if reach is not None else last)
    return problems


RuleKind = Literal["do", "avoid", "expect"]

_DAY_FIELDS = ("day", "from_day", "to_day", "to_day_max")
_HOUR_FIELDS = ("from_hour", "to_hour", "to_hour_max", "at_hour")


class Rule(ContentModel):
    """One instruction with its own time span, apart from the phases.

    A span in days works like a phase's (``day``, or ``from_day`` with an
    optional ``to_day``; no ``to_day`` means it never ends); ``to_day_max`` makes
    the end a range ("for 3-4 days") and ``at_least`` says the end is the
    shortest time ("for at least a week"). A span in hours counts from the
    procedure's start: ``to_hour`` is when it ends, and ``to_hour_max`` the
    latest it may end ("for 24-48 hours" is ``to_hour: 24, to_hour_max: 48``);
    ``from_hour`` (default 0) may be negative for a rule that starts before the
    procedure, and alone it means "not before hour N". ``at_hour`` is a one-off
    action at an hour ("wash after 4 hours"). A span may start in days and end in
    hours (``from_day: -7, to_hour: 72``). ``until`` and ``once`` name an event
    that ends or starts the rule ("the scabs have fallen off"); its days are then
    when it usually happens. A rule with a ``condition`` may have no span at all.
    """

    text: Text
    kind: RuleKind
    topic: Identifier | None = Field(
        default=None,
        description="Names the rule so that variants, a practitioner's changed span and "
        "combined procedures can refer to it, e.g. 'sun' or 'exercise'. Two protocols' rules "
        "with the same topic are one rule on a combined handout.",
    )
    short: Text | None = Field(
        default=None, description="A few words naming the rule in the timeline, e.g. 'no sun'"
    )
    items: list[Text] = Field(
        default_factory=list,
        description="Several things sharing the rule's span, listed under its text "
        "('For 2 weeks avoid:' saunas, swimming, hot yoga)",
    )
    condition: Text | None = Field(
        default=None,
        description="When the rule applies, as the sheet words it: 'If swelling persists'. "
        "A rule with a condition may have no span.",
    )
    day: int | None = Field(
        default=None, description="The one day the rule applies (0: procedure day)"
    )
    from_day: int | None = Field(default=None, description="The first day of the rule")
    to_day: int | None = Field(
        default=None, description="The last day (without it the rule never ends)"
    )
    to_day_max: int | None = Field(
        default=None, description="The latest last day, for a range such as 'for 3-4 days'"
    )
    at_least: bool = Field(
        default=False,
        description="The end is the shortest time: 'for at least a week' (to_day or to_hour)",
    )
    from_hour: int | None = Field(
        default=None,
        description="Hours from the procedure when the rule starts; alone it means "
        "'not before hour N' ('you may shower after 2 hours')",
    )
    to_hour: int | None = Field(default=None, description="Hours from the procedure when it ends")
    to_hour_max: int | None = Field(
        default=None, description="The latest end in hours, for 'for 24-48 hours'"
    )
    at_hour: int | None = Field(
        default=None, description="A one-off action this many hours after the procedure"
    )
    until: Text | None = Field(
        default=None,
        description="The event that ends the rule, e.g. 'the scabs have fallen off'; "
        "to_day and to_day_max then say when it usually happens",
    )
    once: Text | None = Field(
        default=None,
        description="The event that starts the rule, e.g. 'your skin has healed'; "
        "from_day, if the sheet says, is when it usually happens",
    )

    @model_validator(mode="after")
    def _one_span(self) -> Rule:
        given = {name for name in (*_DAY_FIELDS, *_HOUR_FIELDS) if getattr(self, name) is not None}
        if not given:
            if self.condition is None and self.once is None:
                raise ValueError(
                    "give day (one day), from_day with an optional to_day (days), "
                    "or to_hour with an optional from_hour (hours); "
                    "only a rule with a condition or once may have no span"
                )
            if self.at_least or self.until:
                raise ValueError("at_least and until need a span in days or hours")
            return self
        if self.until is not None and self.once is not None:
            raise ValueError(
                "give until (an event that ends the rule) or once (one that starts it), not both"
            )
        if self.at_hour is not None:
            self._check_at_hour(given)
        elif given & {"from_hour", "to_hour", "to_hour_max"}:
            self._check_hours(given)
        else:
            self._check_days()
        if self.at_least and self.to_day is None and self.to_hour is None:
            raise ValueError(
                "at_least goes with to_day or to_hour: the shortest time the rule lasts"
            )
        if self.once is not None and (self.to_day is not None or self.to_hour is not None):
            raise ValueError(
                "a rule that starts once something happens has no end; leave out to_day"
            )
        if self.once is not None and self.from_day is None:
            raise ValueError(
                "with once, give only from_day (the day it usually happens), or no span at all"
            )
        return self

    def _check_at_hour(self, given: set[str]) -> None:
        if given != {"at_hour"}:
            others = ", ".join(sorted(given - {"at_hour"}))
            raise ValueError(f"at_hour is a one-off action at an hour; leave out {others}")
        if self.until or self.once:
            raise ValueError("at_hour is a one-off action; until and once do not go with it")

    def _check_hours(self, given: set[str]) -> None:
        if given & {"day", "to_day", "to_day_max"}:
            raise ValueError(
                "give a span in days or in hours, not both; only from_day may start "
                "a span that ends in hours (from_day: -7, to_hour: 72)"
            )
        if "from_day" in given and "from_hour" in given:
            raise ValueError("give from_day or from_hour, not both")
        if self.to_hour is None:
            if self.to_hour_max is not None:
                raise ValueError("to_hour_max goes with to_hour")
            if self.from_day is not None:
                raise ValueError("a span from a day in hours needs to_hour (when the rule ends)")
            if self.from_hour is not None and self.from_hour < 0:
                raise ValueError(
                    "a span in hours needs to_hour (when the rule ends); from_hour alone "
                    "('not before hour N') must count hours after the procedure"
                )
            return  # from_hour alone: "not before hour N", open-ended
        if self.from_day is not None and self.to_hour <= self.from_day * 24:
            raise ValueError(f"to_hour {self.to_hour} is not after from_day {self.from_day}")
        start = self.from_hour or 0
        if self.from_day is None and self.to_hour <= start:
            raise ValueError(f"to_hour {self.to_hour} is not after from_hour {start}")
        if self.to_hour_max is not None and self.to_hour_max <= self.to_hour:
            raise ValueError(f"to_hour_max {self.to_hour_max} is not after to_hour {self.to_hour}")

    def _check_days(self) -> None:
        if (self.day is None) == (self.from_day is None):
            raise ValueError(
                "give day (one day), from_day with an optional to_day (days), "
                "or to_hour with an optional from_hour (hours)"
            )
        if self.day is not None and self.to_day is not None:
            raise ValueError("to_day goes with from_day, not with day")
        if self.day is not None and self.to_day_max is not None:
            raise ValueError("to_day_max goes with from_day and to_day, not with day")
        if self.from_day is not None and self.to_day is not None and self.to_day < self.from_day:
            raise ValueError(f"to_day {self.to_day} is before from_day {self.from_day}")
        if self.to_day_max is not None:
            if self.to_day is None:
                raise ValueError(
                    "to_day_max goes with to_day: 'for 3-4 days' is to_day: 3, to_day_max: 4"
                )
            if self.to_day_max <= self.to_day:
                raise ValueError(f"to_day_max {self.to_day_max} is not after to_day {self.to_day}")
        if self.day is not None and self.until is not None:
            raise ValueError("until goes with from_day (when the rule starts), not with day")

    @property
    def dated(self) -> bool:
        """Whether the rule has a span; an undated rule has only a condition."""
        return any(getattr(self, name) is not None for name in (*_DAY_FIELDS, *_HOUR_FIELDS))

    @property
    def in_hours(self) -> bool:
        """Whether the rule ends (or happens) at an hour, so a clock time can say when."""
        return self.to_hour is not None or self.from_hour is not None or self.at_hour is not None

    @property
    def first_day(self) -> int:
        """The first day the rule touches (day 0 is the procedure day; 0 when undated)."""
        if self.at_hour is not None:
            return math.floor(self.at_hour / 24)
        if self.from_day is not None:
            return self.from_day
        if self.day is not None:
            return self.day
        return math.floor((self.from_hour or 0) / 24)

    @property
    def last_day(self) -> int | None:
        """The last day the rule touches, or None when it never ends.

        Without a time of day, a span of a day or more is taken to reach into
        the day it ends on (24 hours after an afternoon procedure is the next
        afternoon); a few hours are taken to end on the procedure day.
        """
        if not self.dated:
            return 0
        if self.at_hour is not None:
            return self.first_day
        if self.to_hour is not None:
            end = self.to_hour_max if self.to_hour_max is not None else self.to_hour
            return 0 if 0 < end < 24 else math.ceil(end / 24)
        if self.from_hour is not None:
            return None
        if self.day is not None:
            return self.day
        return self.to_day_max if self.to_day_max is not None else self.to_day

    @property
    def before_procedure(self) -> bool:
        """Starts before the procedure day, so the patient must act on it beforehand."""
        return self.dated and self.first_day < 0


class DoDont(ContentModel):
    """The undated two-column box: what to do and what not to do."""

    title: Text | None = None
    do: list[Text] = Field(default_factory=list)
    dont: list[Text] = Field(default_factory=list)

    @model_validator(mode="after")
    def _not_empty(self) -> DoDont:
        if not (self.do or self.dont):
            raise ValueError("give at least one of do or dont")
        return self


class Review(ContentModel):
    """Who checked the protocol's clinical wording, and when it is due again."""

    status: Literal["draft", "reviewed"] = "draft"
    reviewed_by: Text | None = None
    reviewed_on: dt.date | None = None
    next_review: dt.date | None = None

    @model_validator(mode="after")
    def _reviewed_by_someone(self) -> Review:
        if self.status == "reviewed" and self.reviewed_by is None:
            raise ValueError("a reviewed protocol needs reviewed_by (who checked it)")
        if (
            self.reviewed_on is not None
            and self.next_review is not None
            and self.next_review < self.reviewed_on
        ):
            raise ValueError("next_review is before reviewed_on")
        return self

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"


class Source(ContentModel):
    """A public source the protocol's wording was written from."""

    url: Annotated[str, StringConstraints(strip_whitespace=True, pattern=URL_PATTERN)]
    title: Text | None = None
    read_on: dt.date


class Callout(ContentModel):
    """A prominent callout, e.g. "no anti-inflammatory medicines"."""

    title: Text
    text: Text


class RegimenStep(ContentModel):
    id: Identifier = Field(description="Key a clinic uses to name its own product for this step")
    name: Text
    products: list[Text] = Field(default_factory=list)
    times: list[Text] = Field(min_length=1)
    note: Text | None = None


class Regimen(ContentModel):
    title: Text
    times: list[Text] = Field(default=["AM", "PM"], min_length=1)
    notes: list[Text] = Field(default_factory=list)
    steps: list[RegimenStep] = Field(min_length=1)

    @model_validator(mode="after")
    def _known_times(self) -> Regimen:
        for step in self.steps:
            unknown = [t for t in step.times if t not in self.times]
            if unknown:
                used, allowed = ", ".join(unknown), ", ".join(self.times)
                raise ValueError(f"step {step.id!r} uses {used}, not one of {allowed}")
        return self


class Series(ContentModel):
    """How many treatments make a course, and how often."""

    min_count: int = Field(default=1, ge=1, le=MAX_TREATMENTS)
    initial_count: int = Field(ge=1, le=MAX_TREATMENTS)
    maximum: int | None = Field(default=None, ge=1, le=MAX_TREATMENTS)
    interval: Duration | None = None
    interval_max: Duration | None = Field(
        default=None,
        description="The longest time between treatments, for a range such as '30-60 days' "
        "(interval is then the shortest)",
    )
    at_least: bool = Field(
        default=False,
        description="The interval is the shortest time between treatments: "
        "'no sooner than 4 weeks'",
    )
    maintenance_interval: Duration | None = None
    notes: list[Text] = Field(default_factory=list)

    @model_validator(mode="after")
    def _counts_in_order(self) -> Series:
        if self.min_count > self.initial_count:
            raise ValueError("min_count is larger than initial_count")
        if self.maximum is not None and self.maximum < self.initial_count:
            raise ValueError("maximum is smaller than initial_count")
        if (self.interval_max is not None or self.at_least) and self.interval is None:
            raise ValueError("interval_max and at_least go with interval (the shortest time apart)")
        if self.interval_max is not None and self.at_least:
            raise ValueError("give interval_max (a range) or at_least (no upper limit), not both")
        if self.interval is not None and self.interval_max is not None:
            soon = dt.date(2000, 1, 31)  # a month end: the hardest case for month arithmetic
            if _plus(soon, self.interval_max) <= _plus(soon, self.interval):
                raise ValueError("interval_max is not longer than interval")
        return self


def _plus(start: dt.date, duration: Duration) -> dt.date:
    later: dt.date = start + relativedelta(
        days=duration.days, weeks=duration.weeks, months=duration.months
    )
    return later


class Results(ContentModel):
    """When results show, counted from the procedure date."""

    earliest: Duration
    latest: Duration | None = None
    text: Text


class Contact(ContentModel):
    """When to call the clinic; the numbers themselves come from branding."""

    when: Text
    urgent: Text | None = None


class Variant(ContentModel):
    """A version of the protocol for one area, skin type or depth: it changes some rules.

    A rule here with the ``topic`` of one of the protocol's rules takes its
    place; any other rule is added. ``drop`` takes out rules by topic.
    """

    id: Identifier
    name: Text = Field(description="What staff choose, e.g. 'Lips' or 'Deep peel'")
    rules: list[Rule] = Field(default_factory=list)
    drop: list[Identifier] = Field(
        default_factory=list, description="Topics of the protocol's rules this variant leaves out"
    )
    warning_signs: list[Text] = Field(
        default_factory=list, description="More warning signs for this variant only"
    )

    @model_validator(mode="after")
    def _changes_something(self) -> Variant:
        if not (self.rules or self.drop or self.warning_signs):
            raise ValueError("a variant needs rules, drop or warning_signs: what it changes")
        return self


ALIASES_HELP = "Other names it is known by, e.g. in a booking system's export"


class Protocol(ContentModel):
    id: Identifier
    title: Text
    aliases: list[Text] = Field(default_factory=list, description=ALIASES_HELP)
    procedure: Text = Field(description="Name of the procedure")
    short_title: Text | None = Field(
        default=None,
        description="Title for the running header and the PDF's title "
        "(default: '<procedure> aftercare')",
    )
    timeline_heading: Text | None = Field(
        default=None, description="Heading over the phases (default: 'Your recovery, step by step')"
    )
    before_heading: Text | None = Field(
        default=None,
        description="Heading over what to do before the procedure "
        "(default: 'Before your procedure')",
    )
    review: Review | None = None
    sources: list[Source] = Field(default_factory=list)
    language: Language = "en"
    reading_grade_target: float | None = Field(default=None, gt=0)
    intro: list[Text] = Field(default_factory=list)
    warnings: list[Callout] = Field(default_factory=list)
    warning_signs: list[Text] = Field(
        default_factory=list,
        description="Signs that mean 'call us straight away', e.g. 'A fever'; shown on page 1 "
        "with the clinic's urgent number",
    )
    before: list[Text] = Field(
        default_factory=list,
        description="Things to do or tell the clinic before the procedure that have no date, "
        "e.g. 'Tell us if you have had cold sores'",
    )
    rules: list[Rule] = Field(default_factory=list)
    do_dont: DoDont | None = None
    phases: list[Phase] = Field(min_length=1)
    regimen: Regimen | None = None
    series: Series | None = None
    results: Results | None = None
    closing: list[Text] = Field(default_factory=list)
    contact: Contact | None = None
    variants: list[Variant] = Field(
        default_factory=list,
        description="Versions for an area, skin type or depth that change some rules",
    )
    follow_ups: list[FollowUp] = Field(default_factory=list)  # see "after the handout"

    @model_validator(mode="after")
    def _phases_in_order(self) -> Protocol:
        # loading.py reports every such problem at its line; this keeps models
        # built in code (tests, other tools) from holding phases out of order.
        problems = phase_order_problems(list(enumerate(self.phases)))
        if problems:
            index, message = problems[0]
            raise PydanticCustomError(
                "phase_order", "phases[{index}] {message}", {"index": index, "message": message}
            )
        return self

    @model_validator(mode="after")
    def _topics_and_variants(self) -> Protocol:
        # loading.py reports each at its line (rules[3].topic); this keeps models
        # built in code from holding them.
        problems = topic_problems(
            [(i, rule.topic) for i, rule in enumerate(self.rules) if rule.topic],
            [(i, v.id, v.drop) for i, v in enumerate(self.variants)],
        )
        if problems:
            loc, message = problems[0]
            raise PydanticCustomError(
                "topics", "{where}: {message}", {"where": dotted(loc), "message": message}
            )
        return self

    @property
    def is_draft(self) -> bool:
        """A protocol marked as not yet reviewed; one without review fields is the clinic's own."""
        return self.review is not None and self.review.is_draft

    def variant(self, variant_id: str) -> Variant:
        """The variant with this id; KeyError naming the ones there are."""
        for variant in self.variants:
            if variant.id == variant_id:
                return variant
        known = ", ".join(v.id for v in self.variants) or "none"
        raise KeyError(f"protocol '{self.id}' has no variant '{variant_id}' (it has: {known})")

    def with_variant(self, variant_id: str | None) -> Protocol:
        """This protocol with a variant's rules in place of those it changes."""
        if variant_id is None:
            return self
        variant = self.variant(variant_id)
        replacing = {rule.topic: rule for rule in variant.rules if rule.topic}
        rules = [replacing.pop(rule.topic, rule) if rule.topic else rule for rule in self.rules]
        rules = [rule for rule in rules if rule.topic not in variant.drop]
        added = [rule for rule in variant.rules if not rule.topic or rule.topic in replacing]
        return self.model_copy(
            update={
                "rules": rules + added,
                "warning_signs": [*self.warning_signs, *variant.warning_signs],
                "variants": [],
                "title": f"{self.title} ({variant.name})",
            }
        )


TopicLoc = tuple[str | int, ...]


def dotted(loc: Sequence[str | int]) -> str:
    """A place in a file as messages name it: ``rules[3].topic``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def topic_problems(
    topics: Sequence[tuple[int, str]], variants: Sequence[tuple[int, str, Sequence[str]]]
) -> list[tuple[TopicLoc, str]]:
    """A rule topic named twice, a variant id used twice, or a variant dropping a topic
    no rule has, each as (where in the file, message).

    ``topics`` pairs each rule's position with its topic; ``variants`` gives each
    variant's position, id and the topics it drops. Positions let ``validate`` name
    the line (``yaml_loading``), so only the parts valid on their own need be passed.
    """
    problems: list[tuple[TopicLoc, str]] = []
    first_rule: dict[str, int] = {}
    for index, topic in topics:
        if topic in first_rule:
            problems.append(
                (
                    ("rules", index, "topic"),
                    f"'{topic}' is already the topic of rules[{first_rule[topic]}]; "
                    "each topic names one rule",
                )
            )
        else:
            first_rule[topic] = index
    first_variant: dict[str, int] = {}
    for index, variant_id, drop in variants:
        if variant_id in first_variant:
            problems.append(
                (
                    ("variants", index, "id"),
                    f"'{variant_id}' is already the id of variants[{first_variant[variant_id]}]; "
                    "each variant needs its own",
                )
            )
        else:
            first_variant[variant_id] = index
        for position, topic in enumerate(drop):
            if topic and topic not in first_rule:
                known = ", ".join(first_rule) or "none"
                problems.append(
                    (
                        ("variants", index, "drop", position),
                        f"variant '{variant_id}' drops topic '{topic}', which no rule has "
                        f"(topics: {known})",
                    )
                )
    return problems


# --- branding -----------------------------------------------------------------


class Colours(ContentModel):
    primary: Colour
    accent: Colour
    text: Colour = "#222222"
    warning: Colour = "#b3261e"


class FontFiles(ContentModel):
    regular: Text
    bold: Text | None = None
    italic: Text | None = None


class Font(ContentModel):
    family: Text
    files: FontFiles | None = None
    size_pt: float = Field(default=11, ge=10.5, le=14)

    @model_validator(mode="after")
    def _safe_family(self) -> Font:
        # The family name lands inside the stylesheet; keep it a plain name.
        if not _FONT_FAMILY.match(self.family):
            raise ValueError("family may hold only letters, digits, spaces, - and _")
        return self


class ClinicWording(ContentModel):
    """What a clinic writes on the page in one more language (what it leaves out stays)."""

    after_hours: Text | None = None
    footer: Text | None = None
    products: dict[Identifier, Text] = Field(default_factory=dict)


class Branding(ContentModel):
    id: Identifier
    name: Text
    aliases: list[Text] = Field(default_factory=list, description=ALIASES_HELP)
    default: bool = False
    logo: Text
    colours: Colours
    font: Font
    phone: Text
    email: Text
    website: Text | None = None
    address: list[Text] = Field(default_factory=list)
    after_hours: Text | None = None
    paper: Literal["letter", "a4"] = "letter"
    date_style: Literal["us", "day-month"] = "us"
    products: dict[Identifier, Text] = Field(default_factory=dict)
    footer: Text | None = None
    printer: Text | None = None
    acknowledgement: bool = Field(
        default=False,
        description=(
            "Print a proof-of-receipt block at the end of each handout: 'I have received and "
            "understood these instructions', with patient signature, staff signature and date lines"
        ),
    )
    languages: dict[Language, ClinicWording] = Field(
        default_factory=dict,
        description="The clinic's own words in other languages, by language code (e.g. es)",
    )
    # --- front desk settings (content/approval.py, render header) ---
    allow_drafts: bool = Field(
        default=False,
        description="Let staff give draft protocols and translations to patients without a "
        "clinician's sign-off (normally false: a draft needs 'handouts signoff')",
    )
    logo_shows_name: bool = Field(
        default=False,
        description="The logo already spells the clinic's name (a wordmark), so the page "
        "header does not repeat the name beside it",
    )
    # After the handout (see the block above): the clinic's clock, follow-ups, booking.
    time_zone: TimeZone | None = Field(
        default=None, description="The clinic's time zone, e.g. Europe/London"
    )
    follow_ups: ClinicFollowUps = Field(default_factory=ClinicFollowUps)
    booking: Booking = Field(default_factory=Booking)

    @model_validator(mode="after")
    def _time_zone_known(self) -> Branding:
        if self.time_zone is not None:
            _known_time_zone(self.time_zone)
        return self

    def in_language(self, language: str) -> Branding:
        """This clinic with its words in ``language`` where it gives them."""
        wanted = language.replace("_", "-").casefold()
        words = next(
            (w for tag, w in self.languages.items() if tag.replace("_", "-").casefold() == wanted),
            None,
        )
        if words is None:
            return self
        update = words.model_dump(exclude_none=True, exclude={"products"})
        update["products"] = {**self.products, **words.products}
        return self.model_copy(update=update)
