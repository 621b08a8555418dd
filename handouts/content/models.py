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


class Rule(ContentModel):
    """One instruction with its own time span, apart from the phases.

    A span in days works like a phase's (``day``, or ``from_day`` with an
    optional ``to_day``; no ``to_day`` means it never ends). A span in hours
    counts from the procedure's start: ``to_hour`` is when it ends, and
    ``to_hour_max`` the latest it may end ("for 24-48 hours" is ``to_hour: 24,
    to_hour_max: 48``); ``from_hour`` (default 0) may be negative for a rule
    that starts before the procedure.
    """

    text: Text
    kind: RuleKind
    short: Text | None = Field(
        default=None, description="A few words naming the rule in the timeline, e.g. 'no sun'"
    )
    day: int | None = None
    from_day: int | None = None
    to_day: int | None = None
    from_hour: int | None = None
    to_hour: int | None = None
    to_hour_max: int | None = None

    @model_validator(mode="after")
    def _one_span(self) -> Rule:
        days = any(v is not None for v in (self.day, self.from_day, self.to_day))
        hours = any(v is not None for v in (self.from_hour, self.to_hour, self.to_hour_max))
        if days and hours:
            raise ValueError("give a span in days or in hours, not both")
        if hours:
            self._check_hours()
        elif (self.day is None) == (self.from_day is None):
            raise ValueError(
                "give day (one day), from_day with an optional to_day (days), "
                "or to_hour with an optional from_hour (hours)"
            )
        elif self.day is not None and self.to_day is not None:
            raise ValueError("to_day goes with from_day, not with day")
        elif self.from_day is not None and self.to_day is not None and self.to_day < self.from_day:
            raise ValueError(f"to_day {self.to_day} is before from_day {self.from_day}")
        return self

    def _check_hours(self) -> None:
        if self.to_hour is None:
            raise ValueError("a span in hours needs to_hour (when the rule ends)")
        start = self.from_hour or 0
        if self.to_hour <= start:
            raise ValueError(f"to_hour {self.to_hour} is not after from_hour {start}")
        if self.to_hour_max is not None and self.to_hour_max <= self.to_hour:
            raise ValueError(f"to_hour_max {self.to_hour_max} is not after to_hour {self.to_hour}")

    @property
    def in_hours(self) -> bool:
        return self.to_hour is not None

    @property
    def first_day(self) -> int:
        """The first day the rule touches (day 0 is the procedure day)."""
        if self.in_hours:
            return math.floor((self.from_hour or 0) / 24)
        return self.day if self.day is not None else self.from_day  # type: ignore[return-value]

    @property
    def last_day(self) -> int | None:
        """The last day the rule touches, or None when it never ends.

        Without a time of day, a span of a day or more is taken to reach into
        the day it ends on (24 hours after an afternoon procedure is the next
        afternoon); a few hours are taken to end on the procedure day.
        """
        if self.in_hours:
            end: int = self.to_hour_max if self.to_hour_max is not None else self.to_hour  # type: ignore[assignment]
            return 0 if 0 < end < 24 else math.ceil(end / 24)
        return self.day if self.day is not None else self.to_day

    @property
    def before_procedure(self) -> bool:
        """Starts before the procedure day, so the patient must act on it beforehand."""
        return self.first_day < 0


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
    maintenance_interval: Duration | None = None
    notes: list[Text] = Field(default_factory=list)

    @model_validator(mode="after")
    def _counts_in_order(self) -> Series:
        if self.min_count > self.initial_count:
            raise ValueError("min_count is larger than initial_count")
        if self.maximum is not None and self.maximum < self.initial_count:
            raise ValueError("maximum is smaller than initial_count")
        return self


class Results(ContentModel):
    """When results show, counted from the procedure date."""

    earliest: Duration
    latest: Duration | None = None
    text: Text


class Contact(ContentModel):
    """When to call the clinic; the numbers themselves come from branding."""

    when: Text
    urgent: Text | None = None


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
    rules: list[Rule] = Field(default_factory=list)
    do_dont: DoDont | None = None
    phases: list[Phase] = Field(min_length=1)
    regimen: Regimen | None = None
    series: Series | None = None
    results: Results | None = None
    closing: list[Text] = Field(default_factory=list)
    contact: Contact | None = None

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

    @property
    def is_draft(self) -> bool:
        """A protocol marked as not yet reviewed; one without review fields is the clinic's own."""
        return self.review is not None and self.review.is_draft


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
