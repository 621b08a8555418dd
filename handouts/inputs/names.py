"""A patient's name as typed or exported, made fit for a page and a file name."""

from __future__ import annotations

import unicodedata

from ..errors import InputError


def clean_name(text: str | None) -> str | None:
    """A name on one line: control characters and runs of white space become one space.

    Booking-system exports carry tabs and line breaks; they have no place on a
    page or in a file name. Format characters (joiners, direction marks) stay,
    as names in some scripts and emoji need them.
    """
    if not text:
        return None
    if any("\ud800" <= ch <= "\udfff" for ch in text):
        # Bytes that are not UTF-8 arrive from the command line as lone surrogates.
        raise InputError(
            "the patient's name is not valid UTF-8 text; check the character set of the "
            "terminal or of the file it was copied from"
        )
    spaced = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    return " ".join(spaced.split()) or None
