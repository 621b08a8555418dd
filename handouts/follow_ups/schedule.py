"""An emailed handout's follow-ups into the outbox, with the patient's consent recorded."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..render.page import HandoutSpec
from .outbox import NewHandout, Outbox
from .plan import handout_title, plan_follow_ups


def schedule_for_handout(
    spec: HandoutSpec, recipient: str, folder: Path, now: dt.datetime, consent: str
) -> tuple[int, str | None]:
    """(how many were scheduled, the handout's stop token or None when there were none).

    The messages go to ``recipient``, the address the handout went to, and
    nowhere else. A clinic that does not send follow-ups schedules nothing.
    """
    planned = [item for item in plan_follow_ups(spec) if item.due > now]
    if not planned or spec.procedure_date is None:
        return 0, None
    handout = NewHandout(
        clinic=spec.clinic.id,
        protocol=spec.protocol.id,
        language=spec.language,
        procedure_date=spec.procedure_date,
        patient=spec.patient_name or "",
        recipient=recipient,
        title=handout_title(spec),
        consent=consent,
    )
    with Outbox(folder) as outbox:
        token = outbox.schedule(handout, planned, now)
    return len(planned), token
