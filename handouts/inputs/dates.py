"""Reading dates typed by people: YYYY-MM-DD only, and a clear word otherwise."""

from __future__ import annotations

import datetime as dt
import re

from ..errors import InputError

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_date(text: str, what: str = "--date") -> dt.date:
    """A calendar date written as YYYY-MM-DD, or InputError saying what is wrong."""
    value = text.strip()
    if not _ISO_DATE.match(value):
        raise InputError(f"{what}: '{text}' is not a date in the form YYYY-MM-DD (e.g. 2026-11-22)")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise InputError(f"{what}: '{text}' is not a real calendar date ({error})") from None
