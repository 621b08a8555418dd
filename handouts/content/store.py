"""A content root on disk: finding protocols, clinics and templates by id.

A content root is a folder with ``protocols/`` (``<id>.yaml``, and its
translations ``<id>.<language>.yaml``) and ``branding/`` and, optionally,
``templates/`` (any template it holds replaces the built-in one of
the same name, file by file). The tool bundles an example root; a clinic chain
points ``--root`` at its own.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, cast

from ..errors import ContentError, NotFound
from .bundled import BUNDLED_ROOT
from .file_names import same_language, split_protocol_file
from .lookup import Known, find, find_together, not_found

T = TypeVar("T")

if TYPE_CHECKING:
    from .import_profiles import ImportProfile
    from .models import Branding, Protocol

# Finding files needs none of the validation library; the methods that load
# a file import it, so `list` and `--help` start without paying for it.


def default_root() -> Path:
    """``HANDOUTS_ROOT`` if set, else the bundled example content."""
    return Path(os.environ.get("HANDOUTS_ROOT") or BUNDLED_ROOT)


def choose_default(branding_dir: Path, marked: list[str], clinic_ids: list[str]) -> str:
    """The clinic marked ``default: true``, or the only clinic there is.

    ``marked`` are the ids of clinics that say ``default: true``; ``clinic_ids``
    are every clinic folder, including any whose file did not load, so that
    one broken clinic does not make another the default.
    """
    if len(marked) > 1:
        names = ", ".join(marked)
        raise ContentError([f"{branding_dir}: more than one clinic says default: true ({names})"])
    if marked:
        return marked[0]
    if len(clinic_ids) == 1:
        return clinic_ids[0]
    raise ContentError([f"{branding_dir}: several clinics and none says default: true; mark one"])


@dataclass(frozen=True)
class ContentStore:
    root: Path

    @property
    def protocols_dir(self) -> Path:
        return self.root / "protocols"

    @property
    def branding_dir(self) -> Path:
        return self.root / "branding"

    @property
    def templates_dir(self) -> Path:
        """The root's own templates; they may be absent or hold only a few files."""
        return self.root / "templates"

    @property
    def imports_dir(self) -> Path:
        """Import profiles for booking systems' exports: ``imports/<id>.yaml``."""
        return self.root / "imports"

    def import_profile_ids(self) -> list[str]:
        if not self.imports_dir.is_dir():
            return []
        return sorted(p.stem for p in self.imports_dir.glob("*.yaml") if p.is_file())

    def import_profile(self, profile_id: str) -> ImportProfile:
        known = self.import_profile_ids()
        if profile_id not in known:
            listed = [Known(k, k, (k,)) for k in known]
            raise not_found(profile_id, listed, "import profile")
        from .import_profiles import load_import_profile

        return load_import_profile(self.imports_dir / f"{profile_id}.yaml")

    def _protocol_files(self) -> list[Path]:
        # The listing is asked for on every web request that names a procedure; the
        # folder's own change time moves when a file is added, removed or renamed,
        # so one stat tells whether the last listing still holds.
        try:
            changed = self.protocols_dir.stat().st_mtime_ns
        except OSError:
            return []
        # Kept in the instance's own dict (the class is frozen); one assignment is atomic.
        listed: tuple[int, tuple[Path, ...]] | None = self.__dict__.get("_listing")
        if listed is not None and listed[0] == changed:
            return list(listed[1])
        files = sorted(p for p in self.protocols_dir.glob("*.yaml") if p.is_file())
        self.__dict__["_listing"] = (changed, tuple(files))
        return files

    def protocol_ids(self) -> list[str]:
        """The protocols; their translations are not protocols of their own."""
        return [
            split_protocol_file(p)[0]
            for p in self._protocol_files()
            if split_protocol_file(p)[1] is None
        ]

    def translation_paths(self, protocol_id: str) -> dict[str, Path]:
        """``{language: path}`` of the protocol's translations (``<id>.<language>.yaml``)."""
        found = {}
        for path in self._protocol_files():
            owner, language = split_protocol_file(path)
            if owner == protocol_id and language is not None:
                found[language] = path
        return found

    def protocol_languages(self, protocol_id: str) -> list[str]:
        """The original's language first, then its translations'."""
        original = self.protocol(protocol_id).language
        return [original, *sorted(self.translation_paths(protocol_id))]

    def clinic_ids(self) -> list[str]:
        if not self.branding_dir.is_dir():
            return []
        return sorted(d.name for d in self.branding_dir.iterdir() if (d / "clinic.yaml").is_file())

    def protocol_id_for(self, name: str) -> str:
        """The id of the protocol known by ``name``: its id, title, procedure or an alias."""
        if name in self.protocol_ids():
            return name  # the common case, without reading every protocol
        return find(name, self.known_protocols(), "protocol")

    def protocol_ids_for(self, name: str) -> tuple[str, ...]:
        """The protocol known by ``name``, or the several that all list it in their
        ``aliases`` (a booking service that is two procedures: one handout of both)."""
        if name in self.protocol_ids():
            return (name,)
        return find_together(name, self.known_protocols(), "protocol")

    def clinic_id_for(self, name: str) -> str:
        """The id of the clinic known by ``name``: its id, name or an alias."""
        if name in self.clinic_ids():
            return name
        return find(name, self.known_clinics(), "clinic")

    def known_protocols(self) -> list[Known]:
        """Every protocol's names; a file that does not load answers to its id only."""
        known = []
        for pid in self.protocol_ids():
            try:
                p = self.protocol(pid)
            except ContentError:
                known.append(Known(pid, pid, (pid,)))
                continue
            known.append(Known(pid, p.title, (pid, p.title, p.procedure), tuple(p.aliases)))
        return known

    def known_clinics(self) -> list[Known]:
        known = []
        for cid in self.clinic_ids():
            try:
                c = self.clinic(cid)
            except ContentError:
                known.append(Known(cid, cid, (cid,)))
                continue
            known.append(Known(cid, c.name, (cid, c.name), tuple(c.aliases)))
        return known

    def protocol_path(self, protocol_id: str) -> Path:
        return self.protocols_dir / f"{self.protocol_id_for(protocol_id)}.yaml"

    def clinic_dir(self, clinic_id: str) -> Path:
        return self.branding_dir / self.clinic_id_for(clinic_id)

    def protocol(self, protocol_id: str, language: str | None = None) -> Protocol:
        """The protocol, in ``language`` when given (its own language or a translation's).

        ``protocol_id`` may be any name the protocol is known by, as for ``protocol_path``.
        """
        if language is None:
            return self.original_protocol(protocol_id)
        protocol_id = self.protocol_id_for(protocol_id)
        path = self.protocol_path(protocol_id)
        original = self.original_protocol(protocol_id)
        if same_language(language, original.language):
            return original
        translations = self.translation_paths(protocol_id)
        chosen = next(
            (p for lang, p in translations.items() if same_language(lang, language)), None
        )
        if chosen is None:
            languages = ", ".join([original.language, *sorted(translations)])
            raise NotFound(
                f"Protocol '{protocol_id}' has no '{language}' translation. "
                f"Its languages: {languages}."
            )
        from .yaml_loading import load_translation

        return load_translation(chosen, original, path)

    def original_protocol(self, protocol_id: str) -> Protocol:
        from .yaml_loading import load_protocol

        return load_protocol(self.protocol_path(protocol_id))

    def clinic(self, clinic_id: str | None = None) -> Branding:
        from .yaml_loading import load_branding

        return load_branding(self.clinic_dir(clinic_id or self.default_clinic_id))

    def protocols(self) -> list[Protocol]:
        return [self.protocol(pid) for pid in self.protocol_ids()]

    def clinics(self) -> list[Branding]:
        return [self.clinic(cid) for cid in self.clinic_ids()]

    @cached_property
    def default_clinic_id(self) -> str:
        """The clinic marked ``default: true``, or the only clinic there is.

        Only the ``default`` line of each clinic file is read: the clinic
        chosen is then loaded and checked in full, and another clinic's logo or
        fonts (checking them was most of a one-handout command's content time)
        have no say in which clinic is the default. A file that cannot be read
        at all still stops here, since it might be the one marked default.
        """
        clinic_ids = self.clinic_ids()
        if not clinic_ids:
            raise NotFound(f"No clinics found: {self.branding_dir} has no <clinic>/clinic.yaml.")
        marked = [cid for cid in clinic_ids if self.says_default(cid)]
        return choose_default(self.branding_dir, marked, clinic_ids)

    def says_default(self, clinic_id: str) -> bool:
        """Whether the clinic's file says ``default: true``, read without loading the clinic."""
        from .yaml_reading import parse_yaml

        data, _ = parse_yaml(self.branding_dir / clinic_id / "clinic.yaml")
        said = data.get("default", False) if isinstance(data, dict) else None
        if isinstance(said, bool):
            return said
        # Not a plain yes or no: the model decides, and names the line if it is wrong.
        return self.clinic(clinic_id).default


class CachedContentStore(ContentStore):
    """A ``ContentStore`` that parses each protocol and clinic file once.

    A batch or a server asks for the same few files hundreds of times; YAML
    parsing and validation would otherwise cost about a tenth of each
    handout's time. Edits made while it lives are not seen; a new store (the
    next batch run) sees them. The parses belong to this store, not to every
    store of the same folder: stores of one root compare equal, and a cache
    shared by them would keep the first parse for the life of the process.
    """

    def _kept(self, key: tuple[object, ...], parse: Callable[[], T]) -> T:
        # In the instance's own dict (the class is frozen); setdefault is atomic.
        parsed: dict[tuple[object, ...], object] = self.__dict__.setdefault("_parsed", {})
        if key not in parsed:
            parsed[key] = parse()
        return cast(T, parsed[key])

    def protocol(self, protocol_id: str, language: str | None = None) -> Protocol:
        return self._kept(
            ("protocol", protocol_id, language),
            lambda: ContentStore.protocol(self, protocol_id, language),
        )

    def original_protocol(self, protocol_id: str) -> Protocol:
        return self._kept(
            ("original", protocol_id), lambda: ContentStore.original_protocol(self, protocol_id)
        )

    def clinic(self, clinic_id: str | None = None) -> Branding:
        return self._kept(("clinic", clinic_id), lambda: ContentStore.clinic(self, clinic_id))
