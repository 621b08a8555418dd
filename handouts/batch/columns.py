"""Which column of an export holds what: recognised by name, or named by a profile.

Booking systems call the patient "Client", "Guest Name" or "Patient Name",
the service "Service Name" or "Appointment Type", the clinic "Location" or
"Center Name". Headers are compared without case, punctuation or spacing, so
"Appt. ref." and "APPT REF" are one name. Each field lists its names in order
of preference, for exports that have, say, both "Client" and "Client Name".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..content.import_profiles import ImportProfile
from ..errors import InputError

# Our field -> the headers it goes by, most specific first.
FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "patient": (
        "patient",
        "patient name",
        "client name",
        "guest name",
        "customer name",
        "client",
        "guest",
        "customer",
        "full name",
        "client full name",
        "name",
    ),
    "first_name": (
        "first name",
        "firstname",
        "given name",
        "patient first name",
        "client first name",
        "guest first name",
        "customer first name",
    ),
    "last_name": (
        "last name",
        "lastname",
        "surname",
        "family name",
        "patient last name",
        "client last name",
        "guest last name",
        "customer last name",
    ),
    "date": (
        "date",
        "appointment date",
        "appt date",
        "procedure date",
        "treatment date",
        "service date",
        "booking date time",
        "appointment date time",
        "date time",
        "date and time",
        "scheduled date",
        "start date",
        "start",
        "start time",
        "start date time",
        "appointment start",
        "appointment start time",
        "scheduled",
        "scheduled time",
    ),
    "time": ("time", "start time", "appointment time", "appt time", "scheduled time"),
    "protocol": (
        "protocol",
        "service",
        "service name",
        "services",
        "treatment",
        "treatment name",
        "procedure",
        "appointment type",
        "service type",
        "service title",
    ),
    "clinic": (
        "clinic",
        "location",
        "location name",
        "center",
        "centre",
        "center name",
        "centre name",
        "clinic name",
        "site",
        "branch",
        "business name",
    ),
    # A practitioner's choices and words for this patient (see docs/guide/protocols.md).
    "variant": ("variant", "protocol variant", "treatment variant"),
    "practitioner": ("practitioner", "practitioner name", "provider", "provider name"),
    "areas": ("areas", "treated areas", "treatment areas", "treatment area", "area"),
    "note": ("note", "practitioner note", "notes for patient"),
    "set": ("set", "changed spans", "span changes"),
    "email": (
        "email",
        "email address",
        "patient email",
        "client email",
        "guest email",
        "customer email",
        "client email address",
        "patient email address",
    ),
    "reference": (
        "reference",
        "ref",
        "appointment id",
        "appt id",
        "appointment ref",
        "appt ref",
        "appointment reference",
        "appointment number",
        "appointment no",
        "booking id",
        "booking ref",
        "booking reference",
        "booking number",
        "confirmation number",
        "invoice no",
    ),
    "language": (
        "language",
        "lang",
        "patient language",
        "client language",
        "preferred language",
    ),
    # The patient agreed to follow-up messages (yes/no), and the booked next visit.
    "follow_ups": (
        "follow ups",
        "followups",
        "follow up messages",
        "follow up consent",
        "reminders",
    ),
    "next": (
        "next appointment",
        "next visit",
        "next appointment date",
        "next booking",
        "next appt",
    ),
    "status": (
        "status",
        "appointment status",
        "appt status",
        "booking status",
        "state",
        "appointment state",
        "canceled",
        "cancelled",
    ),
}
# Without these a row cannot become a handout.
NEEDED = ("patient", "date", "protocol")
FIELD_WORDS = {
    "patient": "the patient's name",
    "date": "the appointment date",
    "protocol": "the service",
}


def header_key(text: str) -> str:
    """A header without case, punctuation or spacing: "Appt. ref." -> "appt ref"."""
    joined = re.sub(r"[-.'\u2019]", "", text.casefold().replace("&", " and "))
    return " ".join(re.sub(r"[^\w]+", " ", joined).split())


_NAME_KEYS = {field: tuple(header_key(n) for n in names) for field, names in FIELD_NAMES.items()}


@dataclass(frozen=True)
class ColumnMap:
    """Field -> column position, for one export's header."""

    positions: dict[str, int]
    names: dict[str, str]  # field -> the header as the export spells it
    header: tuple[str, ...] = ()  # every non-empty header cell, for messages

    def has(self, field: str) -> bool:
        return field in self.positions

    def missing(self) -> list[str]:
        named = self.has("patient") or (self.has("first_name") and self.has("last_name"))
        return [f for f in NEEDED if not (named if f == "patient" else self.has(f))]


def recognise(header: Sequence[str]) -> ColumnMap:
    """Our fields found among ``header`` by their usual names, without a profile."""
    keys = [header_key(cell) for cell in header]
    positions: dict[str, int] = {}
    for field, names in _NAME_KEYS.items():
        for name in names:
            if name in keys:
                positions[field] = keys.index(name)
                break
    # "Start Time" is the date when there is no other date column, else the time.
    if positions.get("time") == positions.get("date"):
        positions.pop("time", None)
    if "patient" in positions and "first_name" in positions and "last_name" in positions:
        positions.pop("patient")  # "Name" beside "First Name" and "Last Name" is rarely the person
    return _column_map(header, positions)


def apply_profile(header: Sequence[str], profile: ImportProfile, source: str) -> ColumnMap:
    """The profile's columns, with anything it leaves out recognised by name."""
    keys = [header_key(cell) for cell in header]
    guessed = recognise(header)
    positions = dict(guessed.positions)
    named = profile.columns.model_dump(exclude_none=True)
    if "first_name" in named or "patient" in named:
        for field in ("patient", "first_name", "last_name"):
            positions.pop(field, None)
    if "date" in named and "time" not in named:
        positions.pop("time", None)
    for field, column in named.items():
        key = header_key(column)
        if key not in keys:
            found = ", ".join(cell.strip() for cell in header if cell.strip())
            raise InputError(
                f"{source}: the import profile '{profile.id}' names the column '{column}' "
                f"for {field}, but the header has no such column (it has: {found})"
            )
        positions[field] = keys.index(key)
    return _column_map(header, positions)


def _column_map(header: Sequence[str], positions: dict[str, int]) -> ColumnMap:
    names = {f: header[i].strip() for f, i in positions.items()}
    return ColumnMap(positions, names, tuple(cell.strip() for cell in header if cell.strip()))


def duplicate_columns(header: Sequence[str], columns: ColumnMap) -> list[str]:
    """Columns we use whose header appears twice: which one is meant cannot be told."""
    exact = [cell.strip().casefold() for cell in header]
    used = sorted(set(columns.positions.values()))
    return [header[i].strip() for i in used if exact.count(exact[i]) > 1]


def left_out_value(column: str, value: str) -> bool:
    """A status a booking system gives a cancelled, no-show or deleted appointment.

    A column called "Canceled" holds yes/no instead of a status.
    """
    key = re.sub(r"[^a-z]", "", value.casefold())
    if header_key(column) in ("canceled", "cancelled"):
        return key in ("yes", "y", "true", "x", "1") or value.strip() == "1"
    return key.startswith(("cancel", "latecancel", "noshow", "deleted", "void"))
