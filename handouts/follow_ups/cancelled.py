"""A day's list that marks an appointment cancelled stops that appointment's follow-ups.

The row names the patient, the service, the clinic and the date, as the row
that first gave the handout did; a row that cannot be read that far stops
nothing (and the list reports it as it always does).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from ..batch.rows import RawRow
from ..content.store import ContentStore
from ..errors import HandoutError
from ..inputs.dates import read_when
from ..inputs.names import clean_name
from .outbox import Outbox


def cancel_left_out(
    rows: Sequence[RawRow],
    store: ContentStore,
    clinic_id: str | None,
    folder: Path,
    now: dt.datetime,
    *,
    date_format: str | None = None,
) -> int:
    """Cancel the follow-ups of every cancelled row; how many messages were stopped."""
    left_out = [row for row in rows if row.left_out is not None]
    if not left_out:
        return 0
    stopped = 0
    with Outbox(folder) as outbox:
        for row in left_out:
            values = row.values
            patient = clean_name(values.get("patient"))
            service = values.get("service", values.get("protocol", ""))
            try:
                # A service several protocols name made one handout, kept under all their ids.
                ids = store.protocol_ids_for(service)
                protocol = store.protocol(ids[0])
                clinic = store.clinic(values.get("clinic") or clinic_id)
                when = read_when(
                    values.get("date", ""),
                    "date",
                    today=now.date(),
                    date_style=clinic.date_style,
                    language=protocol.language,
                    date_format=date_format,
                )
            except HandoutError:
                continue
            if patient:
                stopped += outbox.cancel_appointment(
                    clinic.id, "+".join(ids), when.date, patient, now
                )
    return stopped
