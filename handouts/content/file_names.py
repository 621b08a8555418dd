"""What a content file's name says: a protocol's id, and a translation's language.

Kept apart from the models so that finding files never loads the validation
library (``list`` and ``--help`` start without it).
"""

from __future__ import annotations

from pathlib import Path


def split_protocol_file(path: Path) -> tuple[str, str | None]:
    """``microneedling.es.yaml`` -> (``microneedling``, ``es``); an original has no language."""
    stem = path.name.removesuffix(".yaml")
    protocol_id, _, language = stem.partition(".")
    return protocol_id, language or None


def same_language(a: str, b: str) -> bool:
    """``es-MX``, ``es_mx`` and ``ES-mx`` name one language."""
    return a.replace("_", "-").casefold() == b.replace("_", "-").casefold()
