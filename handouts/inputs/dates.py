"""Reading dates typed by people: YYYY-MM-DD only, and a clear word otherwise."""

from __future__ import annotations

import datetime as dt
import re

from ..errors import InputError

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Procedure dates a clinic can mean; a protocol's dates reach years beyond them.
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2199, 12, 31)


def parse_date(text: str, what: str = "--date") -> dt.date:
    """A calendar date written as YYYY-MM-DD, or InputError saying what is wrong."""
    value = text.strip()
    if not _ISO_DATE.match(value):
        raise InputError(f"{what}: '{text}' is not a date in the form YYYY-MM-DD (e.g. 2026-11-22)")
    try:
        date = dt.date.fromisoformat(value)
    except ValueError as error:
        raise InputError(f"{what}: '{text}' is not a real calendar date ({error})") from None
    return check_range(date, what)


def check_range(date: dt.date, what: str = "--date") -> dt.date:
    """Refuse a date no procedure could have (a typo like 9999 or 0202)."""
    if not EARLIEST <= date <= LATEST:
        raise InputError(
            f"{what}: '{date.isoformat()}' is outside the years {EARLIEST.year}-{LATEST.year}; "
            "check the year"
        )
    return date
