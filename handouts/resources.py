"""Which files a handout may load, and nothing else.

Branding files come from clinics; a logo path like ``../../etc/passwd`` or
``https://...`` must never make us read outside the clinic's folder or touch the
network. Every path named in content goes through ``clinic_file`` before use,
and the PDF renderer's URL fetcher refuses anything outside ``allowed`` roots.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from .errors import ResourceRefused

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def clinic_file(clinic_dir: Path, relative: str, field: str) -> Path:
    """Resolve a path written in ``clinic.yaml`` to a file inside ``clinic_dir``.

    Raises ``ResourceRefused`` naming the file and field for absolute paths,
    URLs of any scheme, ``..`` escapes (also through symlinks) and missing files.
    """
    where = f"{clinic_dir / 'clinic.yaml'}: {field}"
    if _SCHEME.match(relative) or relative.startswith("//"):
        raise ResourceRefused(f"{where}: '{relative}' is a URL; give a file in the clinic's folder")
    pure = PurePosixPath(relative.replace("\\", "/"))
    if pure.is_absolute() or ".." in pure.parts:
        raise ResourceRefused(
            f"{where}: '{relative}' points outside the clinic's folder; "
            "give a path relative to the folder, without '..'"
        )
    base = clinic_dir.resolve()
    target = (base / pure).resolve()
    if not target.is_relative_to(base):
        raise ResourceRefused(f"{where}: '{relative}' leads outside the clinic's folder")
    if not target.is_file():
        raise ResourceRefused(f"{where}: file '{relative}' does not exist in {clinic_dir}")
    return target


def is_allowed(path: Path, allowed: tuple[Path, ...]) -> bool:
    resolved = path.resolve()
    return any(resolved.is_relative_to(root.resolve()) for root in allowed)
