"""Compiled templates kept between runs, so a one-handout command skips compiling them.

Compiling the page templates is about 50 ms of a cold ``handouts handout``;
loading them compiled takes a few. The cache lives in the user's cache folder
(``$XDG_CACHE_HOME/handouts``, else ``~/.cache/handouts``), one subfolder per
Jinja version and per version of the environment settings, because compiled
code depends on both (the sandbox, autoescaping and the gettext style are
written into it). Each entry is also checked against its template's source,
so an edited template is compiled afresh.

Compiled code is run as it is, so the folders, and each entry, must be the
user's own and writable by nobody else; when they are not, or cannot be made,
or an entry cannot be read or written, templates are simply compiled as
before.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from pathlib import Path

import jinja2
import platformdirs
from jinja2.bccache import Bucket, FileSystemBytecodeCache


def cache_home() -> Path:
    """Where the tool keeps caches; raises RuntimeError when there is no home to find."""
    # platformdirs follows the XDG rules (a relative XDG_CACHE_HOME is ignored).
    folder = platformdirs.user_cache_path("handouts")
    if not folder.is_absolute():  # "~" left unexpanded: no HOME and no passwd entry
        raise RuntimeError("no home folder to keep a cache in")
    return folder


def _only_ours(info: os.stat_result) -> bool:
    """Owned by the user running this and writable by nobody else."""
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _private_folder(folder: Path) -> bool:
    """Make ``folder`` owner-only if it is new; True when it is a real folder only we can write."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.lstat()  # a link in the folder's place is refused
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and _only_ours(info)


def _compile_settings(environment: jinja2.Environment) -> str:
    """What of an environment is written into its compiled code.

    The folder name already holds the settings file's hash; this keeps an
    environment configured differently (above all, one outside the sandbox)
    from ever loading another's entries, should one be handed this cache.
    """
    return repr(
        (
            f"{type(environment).__module__}.{type(environment).__qualname__}",
            environment.sandboxed,
            sorted(environment.extensions),
            getattr(environment, "newstyle_gettext", False),
            environment.trim_blocks,
            environment.lstrip_blocks,
            environment.keep_trailing_newline,
            environment.block_start_string,
            environment.variable_start_string,
            environment.comment_start_string,
            environment.line_statement_prefix,
            environment.line_comment_prefix,
        )
    )


class QuietBytecodeCache(FileSystemBytecodeCache):
    """Jinja's file cache, trusting only entries that are ours and treating any problem as a miss.

    Each entry is checked on the open file: a regular file, not reached
    through a link, owned by this user and writable by nobody else. Another
    user who swapped a folder on the way cannot make a file owned by us, so
    nothing they wrote is ever run.
    """

    def get_bucket(
        self, environment: jinja2.Environment, name: str, filename: str | None, source: str
    ) -> Bucket:
        key = self.get_cache_key(f"{_compile_settings(environment)}|{name}", filename)
        bucket = Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            descriptor = os.open(
                self._get_cache_filename(bucket), os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
            )
        except OSError:  # not there yet, a link, unreadable
            return
        with os.fdopen(descriptor, "rb") as entry:
            info = os.fstat(entry.fileno())
            if not (stat.S_ISREG(info.st_mode) and _only_ours(info)):
                return
            try:
                bucket.load_bytecode(entry)
            except Exception:  # a damaged entry (cut short, garbled): compile instead
                bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        # A full disk or a read-only home: nothing is kept, and nothing is lost.
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def bytecode_cache(settings_file: Path) -> QuietBytecodeCache | None:
    """The cache for environments configured in ``settings_file``, or None if unsafe or unusable."""
    if not hasattr(os, "getuid"):
        return None
    try:
        settings = hashlib.sha256(settings_file.read_bytes()).hexdigest()[:16]
        home = cache_home()
    except (OSError, RuntimeError):  # no home folder (a container's made-up user), unreadable
        return None
    folder = home / f"templates-jinja{jinja2.__version__}-{settings}"
    if not (_private_folder(folder.parent) and _private_folder(folder)):
        return None
    return QuietBytecodeCache(str(folder))
