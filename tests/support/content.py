"""One way to copy the bundled content for a test that edits or breaks it, to give its
protocols a name, and to find a line in it that an error message names."""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path

from handouts.content.bundled import BUNDLED_ROOT
from handouts.content.store import ContentStore

FOLDERS = ("protocols", "branding")


@cache
def bundled_content() -> ContentStore:
    """The content shipped with the tool, read once per process; tests that edit edit a copy."""
    return ContentStore(BUNDLED_ROOT)


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


def line_of(path: Path, needle: str) -> int:
    """The number of the first line of ``path`` holding ``needle`` (as messages count, from 1)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if needle in line)


def add_alias(protocols_dir: Path, alias: str, *protocol_ids: str) -> None:
    """List ``alias`` first among each protocol's aliases: given to several, the name
    leads to all of them (one handout of both)."""
    for protocol_id in protocol_ids:
        path = protocols_dir / f"{protocol_id}.yaml"
        text = path.read_text(encoding="utf-8")
        assert "aliases: [" in text, f"{path} lists no aliases to add to"
        path.write_text(text.replace("aliases: [", f"aliases: [{alias}, ", 1), encoding="utf-8")
