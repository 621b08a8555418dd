"""Where protocols, clinics and templates live, and finding them by id.

A content root is a folder with ``protocols/`` and ``branding/`` and, optionally,
``templates/``. The tool ships one; a clinic chain can point ``--root`` at its
own and keep its content apart from the tool.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .errors import ContentError, NotFound
from .loading import load_branding, load_protocol
from .models import Branding, Protocol

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUILTIN_TEMPLATES = PROJECT_ROOT / "templates"


def default_root() -> Path:
    return Path(os.environ.get("HANDOUTS_ROOT") or PROJECT_ROOT)


def _suggest(wanted: str, known: list[str], kind: str) -> NotFound:
    close = difflib.get_close_matches(wanted, known, n=1, cutoff=0.5)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    listing = f" Known {kind}s: {', '.join(known)}." if known else f" There are no {kind}s yet."
    return NotFound(f"Unknown {kind} '{wanted}'.{hint}{listing}")


def choose_default(branding_dir: Path, clinics: list[Branding], clinic_count: int) -> str:
    """The clinic marked ``default: true``, or the only clinic there is.

    ``clinic_count`` counts every clinic folder, including any whose file did
    not load, so that one broken clinic does not make another the default.
    """
    marked = [c.id for c in clinics if c.default]
    if len(marked) > 1:
        names = ", ".join(marked)
        raise ContentError([f"{branding_dir}: more than one clinic says default: true ({names})"])
    if marked:
        return marked[0]
    if clinic_count == 1 and clinics:
        return clinics[0].id
    raise ContentError([f"{branding_dir}: several clinics and none says default: true; mark one"])


@dataclass(frozen=True)
class Content:
    root: Path

    @property
    def protocols_dir(self) -> Path:
        return self.root / "protocols"

    @property
    def branding_dir(self) -> Path:
        return self.root / "branding"

    @property
    def templates_dir(self) -> Path:
        """The root's own templates if it has them, else the built-in ones."""
        own = self.root / "templates"
        return own if own.is_dir() else BUILTIN_TEMPLATES

    def protocol_ids(self) -> list[str]:
        if not self.protocols_dir.is_dir():
            return []
        return sorted(p.stem for p in self.protocols_dir.glob("*.yaml") if p.is_file())

    def clinic_ids(self) -> list[str]:
        if not self.branding_dir.is_dir():
            return []
        return sorted(d.name for d in self.branding_dir.iterdir() if (d / "clinic.yaml").is_file())

    def protocol_path(self, protocol_id: str) -> Path:
        known = self.protocol_ids()
        if protocol_id not in known:
            raise _suggest(protocol_id, known, "protocol")
        return self.protocols_dir / f"{protocol_id}.yaml"

    def clinic_dir(self, clinic_id: str) -> Path:
        known = self.clinic_ids()
        if clinic_id not in known:
            raise _suggest(clinic_id, known, "clinic")
        return self.branding_dir / clinic_id

    def protocol(self, protocol_id: str) -> Protocol:
        return load_protocol(self.protocol_path(protocol_id))

    def clinic(self, clinic_id: str | None = None) -> Branding:
        return load_branding(self.clinic_dir(clinic_id or self.default_clinic_id))

    def protocols(self) -> list[Protocol]:
        return [self.protocol(pid) for pid in self.protocol_ids()]

    def clinics(self) -> list[Branding]:
        return [self.clinic(cid) for cid in self.clinic_ids()]

    @cached_property
    def default_clinic_id(self) -> str:
        """The clinic marked ``default: true``, or the only clinic there is."""
        clinics = self.clinics()
        if not clinics:
            raise NotFound(f"No clinics found: {self.branding_dir} has no <clinic>/clinic.yaml.")
        return choose_default(self.branding_dir, clinics, len(clinics))
