"""Reading a time of day typed by people: 24-hour "14:30", or "2:30 pm" / "2pm"; and today.

``today()`` is the one place the tool asks the computer for the date. A
whole process can be run as of another day with ``HANDOUTS_TODAY``
(YYYY-MM-DD): tests pin it, so fixed procedure dates never fall into the
past as the calendar moves on, and a list can be checked as of the day it
was meant for.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping

from ..errors import InputError

_TWENTY_FOUR = re.compile(r"^(\d{1,2}):(\d{2})$")
_TWELVE = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*([ap])\.?\s*m\.?$", re.IGNORECASE)


def parse_time(text: str, what: str = "--time") -> dt.time:
    """A time of day, or InputError saying what is wrong."""
    value = text.strip()
    hour = minute = -1
    if match := _TWENTY_FOUR.match(value):
        hour, minute = int(match[1]), int(match[2])
    elif match := _TWELVE.match(value):
        twelve, minute = int(match[1]), int(match[2] or 0)
        afternoon = 12 if match[3].lower() == "p" else 0
        hour = twelve % 12 + afternoon if 1 <= twelve <= 12 else -1
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise InputError(f"{what}: '{text}' is not a time of day; use e.g. 14:30 or 2:30pm")
    return dt.time(hour, minute)


def today(environ: Mapping[str, str] | None = None) -> dt.date:
    """The date today: ``HANDOUTS_TODAY`` (YYYY-MM-DD) if set, else the computer's."""
    env = os.environ if environ is None else environ
    pinned = env.get("HANDOUTS_TODAY", "").strip()
    if not pinned:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(pinned)
    except ValueError:
        raise InputError(
            f"HANDOUTS_TODAY: '{pinned}' is not a date in the form YYYY-MM-DD; "
            "set it so, or unset it to use the computer's date"
        ) from None
