"""The ledger's typed values: results, delivery keys, and what a record holds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from ..channel import Channel
from ..request import HandoutRequest


class Result(StrEnum):
    """What happened, in the words the history and the manifest show."""

    MADE = "made"
    PRINTED = "printed"
    EMAILED = "emailed"
    SAVED_EML = "saved as .eml"
    DOWNLOADED = "downloaded"
    # Written before an email or print job goes out; still there means the
    # sender was cut off, or the server never confirmed: never resent by itself.
    MAY_HAVE_BEEN_SENT = "may have been sent"
    FAILED = "failed"


DELIVERED = frozenset({Result.PRINTED, Result.EMAILED})
RESULT_OF = {Channel.EMAIL: Result.EMAILED, Channel.PRINT: Result.PRINTED}


def same_person(name: str) -> str:
    """A patient's name as compared: spacing and case do not make another person."""
    return " ".join(name.split()).casefold()


@dataclass(frozen=True)
class DeliveryKey:
    """What was delivered to whom: one email or print job per key, unless sent again."""

    channel: Channel
    recipient: str  # the email address as compared (case-folded); "" for print
    patient: str  # as compared (``same_person``)
    clinic: str
    protocol: str
    procedure_date: str  # ISO date, "" without one
    occurrence: int = 1  # the n-th identical row of one list, for print

    @classmethod
    def for_handout(
        cls, channel: Channel, request: HandoutRequest, clinic: str, occurrence: int = 1
    ) -> DeliveryKey:
        """The key of ``request``'s handout by ``channel`` (``clinic``: its resolved id)."""
        email = channel is Channel.EMAIL
        return cls(
            channel,
            (request.email or "").strip().casefold() if email else "",
            same_person(request.patient or ""),
            clinic,
            request.protocol,
            request.procedure_date.isoformat() if request.procedure_date else "",
            1 if email else occurrence,
        )


@dataclass(frozen=True)
class NewHandout:
    """A handout just made for a named patient, as the ledger records it.

    ``request`` is resolved: its clinic and protocol are ids, its language
    the one the page is in.
    """

    request: HandoutRequest
    made_by: str
    source: str  # "handout" (the command), "batch", "web", "day's list"
    pdf_sha256: str
    content_version: str
    review_status: str  # "reviewed", "draft" or "clinic's own"
    pages: int | None = None
    run: str | None = None  # the batch run it was made in


@dataclass(frozen=True)
class HandoutRecord:
    """One recorded handout."""

    id: int
    made_at: dt.datetime
    made_by: str
    source: str
    run: str | None
    request: HandoutRequest  # resolved ids; ``email`` is the address it was meant for
    pdf_sha256: str
    pages: int | None
    content_version: str
    review_status: str

    @property
    def clinic(self) -> str:
        return self.request.clinic or ""

    @property
    def patient(self) -> str:
        return self.request.patient or ""


@dataclass(frozen=True)
class Delivery:
    """One attempt to give a handout: emailed, printed, downloaded, saved, or failed."""

    id: int
    handout_id: int
    at: dt.datetime
    by: str
    run: str | None
    channel: Channel | None
    recipient: str
    result: Result
    reason: str  # why it failed or may have been sent
    detail: str  # printer and job id, .eml file
    again: bool  # sent again on purpose


@dataclass(frozen=True)
class HandoutHistory:
    """A handout with every delivery of it, oldest first."""

    handout: HandoutRecord
    deliveries: list[Delivery]


@dataclass(frozen=True)
class Claim:
    """The answer to "may I send this?": a delivery id to finish, or what came before."""

    delivery_id: int | None  # set when granted: finish it with the result
    previous: Delivery | None = None  # when refused: the delivery that holds the key

    @property
    def granted(self) -> bool:
        return self.delivery_id is not None


@dataclass(frozen=True)
class Search:
    """A manager's search; every field narrows it. Newest first, a page at a time."""

    patient: str | None = None  # any part of the name or email address
    since: dt.date | None = None  # made on or after (local days)
    until: dt.date | None = None  # made on or before
    clinic: str | None = None
    protocol: str | None = None
    page: int = 1
    per_page: int = 50


@dataclass(frozen=True)
class SearchPage:
    records: list[HandoutRecord]
    page: int
    more: bool  # a next page exists


@dataclass(frozen=True)
class Purged:
    """What ``purge`` removed."""

    handouts: int
    deliveries: int
    pdfs: int
    uploads: int
    day_lists: int = 0  # the web page's batches/<date>/ folders
    runs: int = 0  # batch runs, with the record of each row of their lists

    def lines(self) -> list[str]:
        return [
            f"{self.handouts} handout records and {self.deliveries} delivery records",
            f"{self.runs} batch runs with their rows",
            f"{self.pdfs} archived PDFs",
            f"{self.uploads} uploaded lists",
            f"{self.day_lists} day's list folders (batches/<date>/)",
        ]


__all__ = [
    "DELIVERED",
    "RESULT_OF",
    "Channel",
    "Claim",
    "Delivery",
    "DeliveryKey",
    "HandoutHistory",
    "HandoutRecord",
    "NewHandout",
    "Purged",
    "Result",
    "Search",
    "SearchPage",
    "same_person",
]
