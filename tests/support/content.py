"""One way to copy the bundled content for a test that edits or breaks it."""

from __future__ import annotations

import shutil
from pathlib import Path

from handouts.content.bundled import BUNDLED_ROOT

FOLDERS = ("protocols", "branding")


def copy_content(root: Path, *, templates: bool = False) -> Path:
    """Copy protocols/ and branding/ (and, if asked, templates/) into ``root``."""
    for name in (*FOLDERS, *(("templates",) if templates else ())):
        shutil.copytree(BUNDLED_ROOT / name, root / name)
    return root


SEED_PROTOCOLS = ("microneedling", "micropenning")  # made from the clinic's own sheets


def seed_root(folder: Path) -> Path:
    """A content root with the bundled clinics, import profiles and the seed protocols."""
    for name in ("branding", "imports"):
        shutil.copytree(BUNDLED_ROOT / name, folder / name)
    (folder / "protocols").mkdir()
    for protocol in SEED_PROTOCOLS:
        shutil.copy(BUNDLED_ROOT / "protocols" / f"{protocol}.yaml", folder / "protocols")
    return folder
