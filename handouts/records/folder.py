"""Where the record lives: the data folder, shared by the command line and the web server."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import platformdirs


def data_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``HANDOUTS_DATA`` if set, else the user's data directory (e.g. ~/.local/share/handouts)."""
    env = os.environ if environ is None else environ
    return Path(env.get("HANDOUTS_DATA") or platformdirs.user_data_dir("handouts"))
