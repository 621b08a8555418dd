"""What identifies one handout: the one request type every layer passes around.

The command line, the web page, a day's list, the ledger and the delivery key
all speak of a handout as a ``HandoutRequest``; nothing below the front ends
converts it into another shape of the same facts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from .content.combining import PractitionerWords

Format = Literal["pdf", "html"]


@dataclass(frozen=True)
class HandoutRequest:
    """One handout, as a front end asks for it: ids and what staff typed."""

    protocol: str
    clinic: str | None = None  # None: the default clinic
    patient: str | None = None
    procedure_date: dt.date | None = None
    format: Format = "pdf"
    pdf_variant: str | None = None
    procedure_time: dt.time | None = None  # turns hour rules into clock times
    language: str | None = None  # None: the protocol's own language
    email: str | None = None  # where it goes by email, if anywhere; not on the page
    also: tuple[str, ...] = ()  # more procedures of the same visit, on the same handout
    variant: str | None = None  # one of the protocol's variants, by id
    words: PractitionerWords | None = None  # the practitioner's own words for this patient
    # A draft with no sign-off for a named patient, for this request (content/approval.py).
    allow_draft: bool = False
    next_visit: dt.date | None = None  # booked: replaces the suggested next treatments
    next_visit_time: dt.time | None = None

    @property
    def named(self) -> bool:
        """Made for a named patient (recorded), rather than a blank or a preview."""
        return bool(self.patient and self.patient.strip())

    def page_only(self) -> HandoutRequest:
        """The same request without what does not change the page, for caches."""
        return HandoutRequest(
            self.protocol,
            self.clinic,
            self.patient,
            self.procedure_date,
            self.format,
            self.pdf_variant,
            self.procedure_time,
            self.language,
            also=self.also,
            variant=self.variant,
            words=self.words,
            next_visit=self.next_visit,
            next_visit_time=self.next_visit_time,
        )
