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
