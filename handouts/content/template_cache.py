"""Compiled templates kept between runs, so a one-handout command skips compiling them.

Compiling the page templates is about 50 ms of a cold ``handouts handout``;
loading them compiled takes a few. The cache lives in the user's cache folder
(``$XDG_CACHE_HOME/handouts``, else ``~/.cache/handouts``), one subfolder per
Jinja version and per version of the environment settings, because compiled
code depends on both (the sandbox, autoescaping and the gettext style are
written into it). Each entry is also checked against its template's source,
so an edited template is compiled afresh.

Compiled code is run as it is, so the folder must be the user's own and
writable by nobody else; when it is not, or cannot be made, or an entry
cannot be read or written, templates are simply compiled as before.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket, FileSystemBytecodeCache


def cache_home() -> Path:
    configured = Path(os.environ.get("XDG_CACHE_HOME", ""))
    # The XDG rules ignore a relative path (and an unset variable reads as one).
    base = configured if configured.is_absolute() else Path.home() / ".cache"
    return base / "handouts"


def _private_folder(folder: Path) -> bool:
    """Make ``folder`` owner-only if it is new; True when it is safe to run code from."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.lstat()
    except OSError:
        return False
    return (
        stat.S_ISDIR(info.st_mode)
        and info.st_uid == os.getuid()
        and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    )


class QuietBytecodeCache(FileSystemBytecodeCache):
    """Jinja's file cache, treating any unreadable or unwritable entry as a miss."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # a damaged entry (cut short, not ours): compile instead
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        # A full disk or a read-only home: nothing is kept, and nothing is lost.
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def bytecode_cache(settings_file: Path) -> QuietBytecodeCache | None:
    """The cache for environments configured in ``settings_file``, or None if unsafe."""
    if not hasattr(os, "getuid"):
        return None
    settings = hashlib.sha256(settings_file.read_bytes()).hexdigest()[:16]
    folder = cache_home() / f"templates-jinja{jinja2.__version__}-{settings}"
    if not (_private_folder(folder.parent) and _private_folder(folder)):
        return None
    return QuietBytecodeCache(str(folder))
