"""``handouts init``: a new content folder, started from the bundled examples.

The copy holds the example clinics and protocols, the JSON Schemas their
``# yaml-language-server`` lines point at, and an empty ``templates/`` folder
for the clinic's own template overrides. ``validate`` accepts it as it is.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ..errors import InputError
from .bundled import BUNDLED_ROOT, EXAMPLE_FOLDERS

TEMPLATES_NOTE = """\
Templates put here replace the built-in ones of the same name, file by file.
For example, templates/partials/contact.html replaces only the contact block.
An override can also extend the file it replaces:
    {% extends "!builtin/partials/contact.html" %}
"""


def write_starter(folder: Path) -> list[Path]:
    """Copy the examples into ``folder`` (new or empty); returns the folders written."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InputError(f"{folder}: already exists and is not an empty folder; choose a new name")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in EXAMPLE_FOLDERS:
        source = BUNDLED_ROOT / name
        if source.is_dir():
            shutil.copytree(source, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
            written.append(folder / name)
    templates = folder / "templates"
    templates.mkdir()
    (templates / "README.txt").write_text(TEMPLATES_NOTE, encoding="utf-8")
    written.append(templates)
    return written
