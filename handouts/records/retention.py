"""How long the record keeps what: the data folder's retention settings.

``HANDOUTS_KEEP_DAYS``: how many days handout records, their archived PDFs
and uploaded lists are kept when ``handouts history purge`` runs without
``--older-than`` (unset: until a manager purges them by hand).
``HANDOUTS_KEEP_UPLOADS=1``: keep the CSV files uploaded to the web page
after their list is made (by default each is deleted as soon as it is).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from ..errors import InputError


@dataclass(frozen=True)
class Retention:
    keep_days: int | None = None
    keep_uploads: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Retention:
        env = os.environ if environ is None else environ
        days_text = env.get("HANDOUTS_KEEP_DAYS", "").strip()
        days = None
        if days_text:
            if not days_text.isdigit() or int(days_text) < 1:
                raise InputError(
                    f"HANDOUTS_KEEP_DAYS: '{days_text}' is not a whole number of days (1 or more)"
                )
            days = int(days_text)
        keep = env.get("HANDOUTS_KEEP_UPLOADS", "").strip().lower() in ("1", "yes", "true")
        return cls(days, keep)
