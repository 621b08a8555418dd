"""Only what the clinic approved reaches a patient: drafts, and clinicians' sign-offs.

A protocol or translation whose ``review.status`` is ``draft`` may be given
to a named patient only when

- the clinic allows drafts (``allow_drafts: true`` in its clinic.yaml),
- the person making it allows them for that run (``--allow-draft``), or
- a clinician signed off that file's exact content: name, date and the
  file's sha256. Editing the file changes the hash, and the sign-off lapses
  until someone signs the new text off.

Blank handouts and previews are always possible; they carry the draft mark.

Where sign-offs are kept: in the data folder (``HANDOUTS_DATA``, else the
user's data directory), one JSON file per content root, named by a hash of
the root's path. Not in the content folder, because the bundled starter
content lives inside the installed package: a wheel upgrade replaces it
(and it may be read-only), while the data folder survives upgrades. Per
content root, because two content folders may hold different files under
the same protocol id. The hash in each record ties it to the content, so
a sign-off carried over to changed text does not count.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

import platformdirs

from ..errors import HandoutError, InputError
from ..inputs import clock
from .file_names import same_language
from .models import Protocol, Review
from .store import ContentStore

SIGNOFF_FOLDER = "signoffs"
MAX_NAME = 120  # a clinician's name and credentials, e.g. "Dr Ana Silva, MD"


class DraftRefused(HandoutError):
    """A draft with no valid sign-off, asked for a named patient."""


@dataclass(frozen=True)
class SignOff:
    """A clinician's approval of one file's exact content."""

    protocol: str  # the protocol's id
    language: str  # the file's language (the original's, or a translation's)
    clinician: str
    signed_on: dt.date
    sha256: str  # of the file as signed off

    def to_json(self) -> dict[str, str]:
        data = asdict(self)
        data["signed_on"] = self.signed_on.isoformat()
        return data


@dataclass(frozen=True)
class Approval:
    """Whether a protocol in a language may go to a named patient, and why."""

    protocol: str
    language: str
    draft: bool  # the file says review.status: draft
    signoff: SignOff | None = None  # a sign-off of the file as it is now
    lapsed: SignOff | None = None  # the latest sign-off of an earlier version of the file

    @property
    def approved(self) -> bool:
        """Not a draft, or a draft a clinician signed off as it is now."""
        return not self.draft or self.signoff is not None

    @property
    def status(self) -> str:
        """A word for lists and pickers: reviewed, signed off, draft, or draft (sign-off lapsed)."""
        if not self.draft:
            return "reviewed"
        if self.signoff is not None:
            return "signed off"
        return "draft (sign-off lapsed)" if self.lapsed else "draft"

    def describe(self) -> str:
        """One line for ``list`` and ``validate``: the status, and who signed off when."""
        if self.signoff is not None:
            shown = self.signoff.signed_on.isoformat()
            return f"signed off by {self.signoff.clinician} on {shown}"
        if self.lapsed is not None:
            shown = self.lapsed.signed_on.isoformat()
            return (
                f"draft: the sign-off by {self.lapsed.clinician} on {shown} lapsed "
                "because the file changed since"
            )
        return "draft, not signed off by a clinician" if self.draft else "reviewed"


def data_folder(environ: Mapping[str, str] | None = None) -> Path:
    """``HANDOUTS_DATA`` if set, else the user's data directory (as the web's users live)."""
    env = os.environ if environ is None else environ
    return Path(env.get("HANDOUTS_DATA") or platformdirs.user_data_dir("handouts"))


def signoff_file(root: Path, environ: Mapping[str, str] | None = None) -> Path:
    """The file holding one content root's sign-offs, in the data folder."""
    key = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
    return data_folder(environ) / SIGNOFF_FOLDER / f"{key}.json"


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_signoffs(root: Path, environ: Mapping[str, str] | None = None) -> list[SignOff]:
    """Every sign-off recorded for this content root, oldest first."""
    path = signoff_file(root, environ)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [
            SignOff(
                str(item["protocol"]),
                str(item["language"]),
                str(item["clinician"]),
                dt.date.fromisoformat(str(item["signed_on"])),
                str(item["sha256"]),
            )
            for item in data["signoffs"]
        ]
    except FileNotFoundError:
        return []
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise InputError(
            f"{path}: the record of sign-offs cannot be read ({error}); "
            "fix or remove it and sign off again"
        ) from None


def _file_and_language(
    store: ContentStore, protocol_id: str, language: str | None
) -> tuple[str, Path, Protocol]:
    """The protocol's id, the file a handout in ``language`` is made from, and its model."""
    protocol_id = store.protocol_id_for(protocol_id)
    original = store.protocol(protocol_id)
    if language is None or same_language(language, original.language):
        return protocol_id, store.protocol_path(protocol_id), original
    translated = store.protocol(protocol_id, language)  # NotFound names the languages there are
    path = next(
        p
        for lang, p in store.translation_paths(protocol_id).items()
        if same_language(lang, language)
    )
    return protocol_id, path, translated


def approval_of(
    store: ContentStore,
    protocol: str,
    language: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Approval:
    """Whether ``protocol`` (in ``language``; None: its own) is a draft, and its sign-off."""
    protocol_id, path, model = _file_and_language(store, protocol, language)
    if not model.is_draft:
        return Approval(protocol_id, model.language, False)
    return file_approval(
        protocol_id, model.language, path, read_signoffs(store.root, environ), draft=True
    )


def file_approval(
    protocol_id: str, language: str, path: Path, signoffs: list[SignOff], *, draft: bool
) -> Approval:
    """The approval of one protocol file whose draft status is already known (``list`` reads
    it without building the model); ``signoffs`` are the content root's."""
    if not draft:
        return Approval(protocol_id, language, False)
    current = file_hash(path)
    mine = [
        s for s in signoffs if s.protocol == protocol_id and same_language(s.language, language)
    ]
    valid = next((s for s in reversed(mine) if s.sha256 == current), None)
    lapsed = None if valid else (mine[-1] if mine else None)
    return Approval(protocol_id, language, True, valid, lapsed)


def sign_off(
    store: ContentStore,
    protocol: str,
    clinician: str,
    *,
    language: str | None = None,
    today: dt.date | None = None,
    environ: Mapping[str, str] | None = None,
) -> SignOff:
    """Record that ``clinician`` approved the protocol's file (or a translation's) as it is now."""
    from ..private_files import write_atomic

    name = " ".join(clinician.split())
    if not name:
        raise InputError("--clinician: give the name of the clinician who signs it off")
    if len(name) > MAX_NAME or any(not ch.isprintable() for ch in name):
        raise InputError(f"--clinician: a name of at most {MAX_NAME} printable characters")
    protocol_id, path, model = _file_and_language(store, protocol, language)
    record = SignOff(protocol_id, model.language, name, today or clock.today(), file_hash(path))
    existing = read_signoffs(store.root, environ)
    target = signoff_file(store.root, environ)
    data = {
        "root": str(store.root.resolve()),
        "signoffs": [s.to_json() for s in (*existing, record)],
    }
    write_atomic(target, json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"))
    return record


def check_approved(
    store: ContentStore,
    protocol: str,
    clinic: str | None,
    language: str | None = None,
    *,
    allow_draft: bool = False,
    environ: Mapping[str, str] | None = None,
) -> Approval:
    """The approval, or ``DraftRefused`` for a draft no one approved for a named patient."""
    approval = approval_of(store, protocol, language, environ)
    if approval.approved or allow_draft or store.clinic(clinic).allow_drafts:
        return approval
    translated = language is not None and not same_language(
        language, store.protocol(protocol).language
    )
    what = f"the protocol '{approval.protocol}'"
    language_option = ""
    if translated:
        what = f"the {approval.language} translation of '{approval.protocol}'"
        language_option = f" --language {approval.language}"
    lapse = ""
    if approval.lapsed is not None:
        lapse = f" (the sign-off by {approval.lapsed.clinician} lapsed: the file changed since)"
    raise DraftRefused(
        f"{what} is a draft not yet signed off by a clinician{lapse}, so it cannot be given "
        f"to a patient. A clinician can sign it off (handouts signoff {approval.protocol}"
        f"{language_option} --clinician NAME), or make it this once with --allow-draft; "
        "a blank handout is still possible."
    )


def as_signed_off(protocol: Protocol, approval: Approval) -> Protocol:
    """The protocol as a handout shows it: a signed-off draft carries its sign-off, not the
    draft mark."""
    if approval.signoff is None or not protocol.is_draft:
        return protocol
    review = Review(
        status="reviewed",
        reviewed_by=approval.signoff.clinician,
        reviewed_on=approval.signoff.signed_on,
    )
    return protocol.model_copy(update={"review": review})
