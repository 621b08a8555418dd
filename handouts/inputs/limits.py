"""How much one request may ask of the tool: the length of what people type, and render time.

One table, so that the web page (``maxlength``), the server's check of each
posted field, the command line's help and its checks all state the same
numbers. Limits are in characters, counted after surrounding spaces are cut.

The name limit is also what bounds layout time: a handout's name sits in an
auto-width table cell, whose narrowest width WeasyPrint finds by breaking the
text at every break opportunity and laying out the rest each time. CJK text
may break between any two characters, so a name of n such characters costs
about n^2 (200: 0.25 s, 1,000: 1.6 s, 2,000: 7.7 s on one core).
"""

from __future__ import annotations

from ..errors import InputError

NAME = 200  # a patient's or user's name; longer than any real one
EMAIL = 254  # the longest address SMTP can carry (RFC 5321 path limit)
TEXT = 200  # every other one-line field: ids, dates, times, printers, search words
PASSWORD = 1024  # pass phrases may be long; hashing cost grows with length
LONG_TEXT = 60_000  # a field that carries a drawing (a signature), still under the form limit

# Posted fields and their limits; any field not named here gets TEXT.
FIELD_LIMITS: dict[str, int] = {
    "patient": NAME,
    "name": NAME,
    "email": EMAIL,
    "password": PASSWORD,
    "new_password": PASSWORD,
    "current_password": PASSWORD,
    "signature": LONG_TEXT,
}

FIELD_LABELS: dict[str, str] = {
    "patient": "The patient's name",
    "name": "The name",
    "email": "The email address",
}

# Seconds one handout or preview may take in a worker before the worker is
# ended and replaced. A normal handout takes well under a second.
RENDER_DEADLINE = 20.0
# Previews one browser session may have waiting for a worker; a newer one
# replaces the oldest (staff typing a name only need the last).
QUEUED_PREVIEWS_PER_SESSION = 1
# Renders one browser session may have running at once; its next waits even
# when a worker is free, which stays free for another session.
RUNNING_PER_SESSION = 1


class TooLong(InputError):
    """A value over its limit; the message never quotes the value (it may be a name)."""


def limit_for(field: str) -> int:
    return FIELD_LIMITS.get(field, TEXT)


def check_length(label: str, value: str, limit: int) -> str:
    """``value`` unchanged, or TooLong naming ``label`` and the limit."""
    if len(value) > limit:
        raise TooLong(f"{label} is {len(value)} characters long; at most {limit} are allowed.")
    return value


def check_field(field: str, value: str) -> str:
    """A posted form field, checked against its limit."""
    label = FIELD_LABELS.get(field, f"The field '{field[:40]}'")
    return check_length(label, value.strip(), limit_for(field))


def check_name(name: str | None) -> str | None:
    if name is not None:
        check_length("The patient's name", name, NAME)
    return name


def check_email(address: str) -> str:
    return check_length("The email address", address.strip(), EMAIL)
