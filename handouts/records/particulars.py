"""What a handout was made with for this one patient, kept beside its record.

The protocol, clinic, date and language have columns of their own; the rest of
what staff set for a patient (other procedures of the same visit, a variant,
the practitioner's name, areas, note and changed spans, a booked next visit)
is kept as one JSON object, so the history shows the handout as it was given.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

from ..content.combining import PractitionerWords, SpanChange
from ..request import HandoutRequest


def particulars_json(request: HandoutRequest) -> str:
    """The request's particulars as JSON; ``{}`` when it has none."""
    found: dict[str, object] = {}
    if request.also:
        found["also"] = list(request.also)
    if request.variant:
        found["variant"] = request.variant
    words = request.words
    if words is not None and not words.empty:
        found["practitioner"] = words.practitioner
        found["areas"] = words.areas
        found["note"] = words.note
        found["changes"] = [
            {"topic": c.topic, "hours": c.hours, "days": c.days} for c in words.changes
        ]
    if request.next_visit:
        found["next_visit"] = request.next_visit.isoformat()
        if request.next_visit_time:
            found["next_visit_time"] = request.next_visit_time.isoformat("minutes")
    return json.dumps(found, ensure_ascii=False, sort_keys=True)


def with_particulars(request: HandoutRequest, text: str) -> HandoutRequest:
    """``request`` with the particulars a record kept put back."""
    found = json.loads(text or "{}")
    words = None
    if any(key in found for key in ("practitioner", "areas", "note", "changes")):
        words = PractitionerWords(
            practitioner=found.get("practitioner"),
            areas=found.get("areas"),
            note=found.get("note"),
            changes=tuple(
                SpanChange(c["topic"], hours=c.get("hours"), days=c.get("days"))
                for c in found.get("changes", [])
            ),
        )
    next_visit = found.get("next_visit")
    next_time = found.get("next_visit_time")
    return replace(
        request,
        also=tuple(found.get("also", ())),
        variant=found.get("variant"),
        words=words,
        next_visit=dt.date.fromisoformat(next_visit) if next_visit else None,
        next_visit_time=dt.time.fromisoformat(next_time) if next_time else None,
    )
