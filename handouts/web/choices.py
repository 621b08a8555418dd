"""The clinics and procedures a page can offer, with the broken ones left out and named.

One clinic's file with a typo must not take the front page down for every
clinic: each file is loaded on its own, a file that does not load is listed
as a problem, and the page offers the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..content.models import Branding, Protocol
from ..content.store import ContentStore
from ..errors import HandoutError
from ..messages import error_message


@dataclass(frozen=True)
class Unusable:
    """A clinic or procedure whose file does not load, and why, for whoever can fix it."""

    kind: str  # "clinic" or "procedure", in the words staff use
    id: str
    problem: str


@dataclass(frozen=True)
class Choices:
    clinics: list[Branding]
    protocols: list[Protocol]  # by title, as the form lists them
    default_clinic: str  # "" when no clinic loads at all
    unusable: list[Unusable]


def choices(store: ContentStore) -> Choices:
    """Every clinic and procedure that loads; the others as ``unusable``."""
    unusable: list[Unusable] = []
    clinics: list[Branding] = []
    for clinic_id in store.clinic_ids():
        try:
            clinics.append(store.clinic(clinic_id))
        except HandoutError as error:
            unusable.append(Unusable("clinic", clinic_id, error_message(error)))
    protocols: list[Protocol] = []
    for protocol_id in store.protocol_ids():
        try:
            protocols.append(store.protocol(protocol_id))
        except HandoutError as error:
            unusable.append(Unusable("procedure", protocol_id, error_message(error)))
    protocols.sort(key=lambda p: p.title.casefold())
    return Choices(clinics, protocols, _default_clinic(store, clinics), unusable)


def _default_clinic(store: ContentStore, usable: list[Branding]) -> str:
    """The content's default clinic if it loads, else the first clinic that does."""
    ids = [clinic.id for clinic in usable]
    try:
        chosen = store.default_clinic_id
    except HandoutError:  # e.g. the broken file might be the one marked default
        chosen = ""
    if chosen in ids:
        return chosen
    return ids[0] if ids else ""
