"""Import profiles: how to read one booking system's export, where it cannot be guessed.

``imports/<id>.yaml`` in the content root names the export's columns for our
fields, the header's line when title lines come first, how its dates are
written, the order of names, and which rows to leave out. It is checked like
every other content file (unknown keys, ``file:line:column``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from .models import ContentModel, Identifier, Text
from .yaml_loading import load_model

NAMED_DATE_FORMATS = ("iso", "us", "day-month")


class ProfileColumns(ContentModel):
    """Our field: the export's column, as its header spells it (case and spacing do not matter)."""

    patient: Text | None = Field(default=None, description="The patient's full name")
    first_name: Text | None = Field(default=None, description="With last_name, instead of patient")
    last_name: Text | None = None
    date: Text | None = Field(default=None, description="A date, or a date and time")
    time: Text | None = Field(default=None, description="A time of day, when apart from the date")
    protocol: Text | None = Field(
        default=None, description="The service; matched by protocol id, title or alias"
    )
    clinic: Text | None = Field(default=None, description="Matched by clinic id, name or alias")
    email: Text | None = None
    reference: Text | None = Field(
        default=None, description="The booking system's id for the appointment"
    )
    language: Text | None = Field(
        default=None, description="The patient's language, e.g. es (a protocol's translation)"
    )

    @model_validator(mode="after")
    def _one_way_to_name(self) -> ProfileColumns:
        if self.patient and (self.first_name or self.last_name):
            raise ValueError("give patient, or first_name and last_name, not both")
        if bool(self.first_name) != bool(self.last_name):
            raise ValueError("first_name and last_name go together")
        return self


class ImportProfile(ContentModel):
    """How to read one booking system's export."""

    id: Identifier
    header_row: int | None = Field(
        default=None, ge=1, description="The header's line number, when title lines come first"
    )
    columns: ProfileColumns = Field(default_factory=ProfileColumns)
    date_format: Text | None = Field(
        default=None,
        description="A strptime format such as '%B %d, %Y %H:%M', or iso, us or day-month",
    )
    name_order: Literal["first_last", "last_first"] = Field(
        default="first_last", description="last_first turns 'Silva, Ana' into 'Ana Silva'"
    )
    skip: dict[Text, list[Text]] = Field(
        default_factory=dict,
        description="Rows to leave out by a column's value, e.g. {Status: [Cancelled, No Show]}",
    )

    @field_validator("date_format")
    @classmethod
    def _known_date_format(cls, value: str | None) -> str | None:
        if value is None or value in NAMED_DATE_FORMATS:
            return value
        if "%" not in value:
            raise ValueError(
                f"'{value}' is not a date format; use iso, us, day-month or a strptime "
                "format such as '%m/%d/%Y %I:%M %p'"
            )
        # Aware, so %z and %Z write an offset and a zone name that strptime reads back.
        sample = dt.datetime(2026, 11, 23, 9, 5, 7, tzinfo=dt.UTC)
        try:
            round_trip = dt.datetime.strptime(sample.strftime(value), value)
        except ValueError:
            raise ValueError(f"'{value}' is not a strptime format Python can read") from None
        if round_trip.date() != sample.date():
            raise ValueError(f"'{value}' needs a day, a month and a year (%d, %m or %b, %Y)")
        return value


def load_import_profile(path: Path) -> ImportProfile:
    return load_model(path, ImportProfile, path.stem)
