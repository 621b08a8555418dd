"""A patient's name as typed or exported, made fit for a page and a file name."""

from __future__ import annotations

import unicodedata


def clean_name(text: str | None) -> str | None:
    """A name on one line: control characters and runs of white space become one space.

    Booking-system exports carry tabs and line breaks; they have no place on a
    page or in a file name. Format characters (joiners, direction marks) stay,
    as names in some scripts and emoji need them.
    """
    if not text:
        return None
    spaced = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    return " ".join(spaced.split()) or None
