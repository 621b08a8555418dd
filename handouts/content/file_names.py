"""File names: what a content file's name says (a protocol's id, a translation's
language), and the names handouts are saved under (``default_filename``).

Kept apart from the models so that finding files never loads the validation
library (``list`` and ``--help`` start without it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from pathlib import Path

from slugify import slugify


def split_protocol_file(path: Path) -> tuple[str, str | None]:
    """``microneedling.es.yaml`` -> (``microneedling``, ``es``); an original has no language."""
    stem = path.name.removesuffix(".yaml")
    protocol_id, _, language = stem.partition(".")
    return protocol_id, language or None


def same_language(a: str, b: str) -> bool:
    """``es-MX``, ``es_mx`` and ``ES-mx`` name one language."""
    return a.replace("_", "-").casefold() == b.replace("_", "-").casefold()


# Names the ASCII slug keeps whole (up to letter case): plain words and single spaces.
_PLAIN_NAME = re.compile(r"[A-Za-z0-9]+(?: [A-Za-z0-9]+)*")


def patient_slug(patient_name: str | None, max_length: int = 60) -> str:
    """A file-name-safe form of a name: ASCII, no separators, no leading dot.

    When the slug loses something (accents, apostrophes, hyphens, other
    scripts, emoji, length), a short hash of the exact name is added, so
    "Zoë O'Brien" and "Zoe O'Brien", or two names made only of emoji, never
    share a file.
    """
    name = " ".join(unicodedata.normalize("NFC", patient_name or "").split())
    slug = slugify(name, max_length=max_length, word_boundary=True) or "patient"
    if _PLAIN_NAME.fullmatch(name) and len(name) <= max_length:
        return slug
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    return f"{slug}-{digest}"


def default_filename(
    clinic_id: str,
    protocol_id: str,
    procedure_date: dt.date | None,
    patient_name: str | None,
    extension: str,
) -> str:
    if procedure_date is None and not patient_name:
        return f"{clinic_id}_{protocol_id}_blank.{extension}"
    date_part = procedure_date.isoformat() if procedure_date else "undated"
    name_part = patient_slug(patient_name) if patient_name else "patient"
    return f"{clinic_id}_{protocol_id}_{date_part}_{name_part}.{extension}"
