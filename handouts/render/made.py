"""A request made into a handout: what it is made from, and what making it gives.

Below the service so that recording (``giving``) and the batch can build
handouts without reaching back up to the module that calls them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..content.file_names import default_filename

if TYPE_CHECKING:
    from ..content.store import ContentStore
    from ..request import Format, HandoutRequest
    from .page import HandoutSpec


@dataclass(frozen=True)
class MadeHandout:
    """A rendered handout, ready to save, email or print."""

    spec: HandoutSpec
    data: bytes
    pages: int | None  # None for HTML
    filename: str  # the default file name: <clinic>_<protocol>_<date>_<patient>.<ext>
    format: Format

    @classmethod
    def of(cls, spec: HandoutSpec, data: bytes, pages: int | None, format: Format) -> MadeHandout:
        """The handout rendered from ``spec``, with its default file name."""
        filename = default_filename(
            spec.clinic.id, spec.protocol.id, spec.procedure_date, spec.patient_name, format
        )
        return cls(spec, data, pages, filename, format)


def spec_for_request(
    store: ContentStore, request: HandoutRequest, *, preview: bool = False
) -> HandoutSpec:
    """What the handout is made from; refusals every front end shares are made here.

    A draft for a named patient is refused (``DraftRefused``); blank handouts
    and previews of drafts are made, with the draft mark. A translation for a
    clinic without its own words in that language is refused (``InputError``
    naming the fields to add)."""
    from ..content.approval import approval_of, as_signed_off, check_approved
    from ..content.wording import check_one_language
    from .page import resolve_spec

    # One language per page, for every handout: blank stock is read by patients too.
    check_one_language(store, request.protocol, request.clinic, request.language)
    procedures = (request.protocol, *request.also)
    if request.patient and not preview:
        # Each procedure of a combined handout is approved on its own.
        approvals = [
            check_approved(
                store, each, request.clinic, request.language, allow_draft=request.allow_draft
            )
            for each in procedures
        ]
    else:
        approvals = [approval_of(store, each, request.language) for each in procedures]
    spec = resolve_spec(
        store,
        request.protocol,
        request.clinic,
        request.patient,
        request.procedure_date,
        request.procedure_time,
        language=request.language,
        also=request.also,
        variant=request.variant,
        words=request.words,
        next_visit=request.next_visit,
        next_visit_time=request.next_visit_time,
    )
    if not all(each.approved for each in approvals):
        # One draft without a sign-off keeps the draft mark on the whole page, even
        # when another procedure on it was signed off.
        return spec
    signed = next((each for each in approvals if each.signoff is not None), None)
    if signed is None:
        return spec
    return replace(spec, protocol=as_signed_off(spec.protocol, signed))
