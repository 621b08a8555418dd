"""What a content folder holds, for ``handouts list``: read fast, checked elsewhere.

A listing shows ids, titles, names, languages and the default clinic. It
reads just those keys from each file, without building the models: checking
every field, logo and font is ``validate``'s job, and made listing the
slowest command to start. A file that cannot be read is still listed, with
the reason, so nothing goes missing silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ContentError, InputError
from .approval import Approval, file_approval, read_signoffs
from .store import ContentStore
from .yaml_reading import parse_yaml

DEFAULT_LANGUAGE = "en"  # the models' default, for a protocol that names none


@dataclass(frozen=True)
class ListedProtocol:
    id: str
    title: str
    languages: list[str]  # its own first, then its translations'
    problem: str = ""  # why the file could not be read; empty when it was
    # Per language (as ``languages``): may it go to a named patient, and why.
    approvals: dict[str, Approval] = field(default_factory=dict)

    @property
    def draft(self) -> bool:
        """Its own language's file is a draft no clinician signed off (for pickers)."""
        own = self.approvals.get(self.languages[0]) if self.languages else None
        return own is not None and not own.approved


@dataclass(frozen=True)
class ListedClinic:
    id: str
    name: str
    default: bool
    problem: str = ""


@dataclass(frozen=True)
class Listing:
    root: Path
    protocols: list[ListedProtocol]
    clinics: list[ListedClinic]

    @property
    def problems(self) -> list[str]:
        return [item.problem for item in (*self.protocols, *self.clinics) if item.problem]


def _read(path: Path) -> tuple[dict[str, Any], str]:
    try:
        data, _ = parse_yaml(path)
    except ContentError as error:
        return {}, error.problems[0]
    if not isinstance(data, dict):
        return {}, f"{path}: expected a mapping of 'key: value' lines"
    return data, ""


def _text(data: dict[str, Any], key: str, fallback: str) -> str:
    value = data.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else fallback


def _is_draft(data: dict[str, Any]) -> bool:
    review = data.get("review")
    return isinstance(review, dict) and review.get("status", "draft") == "draft"


def list_content(store: ContentStore, environ: Mapping[str, str] | None = None) -> Listing:
    """What the content folder holds, with each protocol's (and translation's) approval."""
    try:
        signoffs = read_signoffs(store.root, environ)
    except InputError:
        signoffs = []  # validate names the broken record; a listing still lists
    protocols = []
    for protocol_id in store.protocol_ids():
        path = store.protocols_dir / f"{protocol_id}.yaml"
        data, problem = _read(path)
        own = _text(data, "language", DEFAULT_LANGUAGE)
        translations = store.translation_paths(protocol_id)
        approvals = {own: file_approval(protocol_id, own, path, signoffs, draft=_is_draft(data))}
        for language, translation in sorted(translations.items()):
            translated, _ = _read(translation)
            approvals[language] = file_approval(
                protocol_id, language, translation, signoffs, draft=_is_draft(translated)
            )
        protocols.append(
            ListedProtocol(
                protocol_id,
                _text(data, "title", "?"),
                [own, *sorted(translations)],
                problem,
                approvals,
            )
        )
    read = [(cid, *_read(store.branding_dir / cid / "clinic.yaml")) for cid in store.clinic_ids()]
    marked = [cid for cid, data, _ in read if data.get("default") is True]
    # As the store decides: the one marked default, or the only clinic there is.
    default = marked[0] if len(marked) == 1 else (read[0][0] if len(read) == 1 else None)
    clinics = [
        ListedClinic(cid, _text(data, "name", "?"), cid == default, problem)
        for cid, data, problem in read
    ]
    return Listing(store.root, protocols, clinics)
