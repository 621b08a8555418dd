"""Content versions: a hash of every file one clinic's handout of one protocol is made from.

The ledger records it with every handout ("which version of the instructions
was this patient given"), and a batch compares it to remake only what changed.
Hashing reads every file (the protocol, its translation, the clinic's logo and
fonts, the templates, the catalogs): a few milliseconds to tens of
milliseconds, on every handout the web page records. So the hash is kept,
keyed by what each of those files is on disk: its name, size, modification
and change times (nanoseconds) and inode. An edit changes at least the change
time, an editor's atomic replace the inode, so the next handout after an edit
gets the new version at once; reading the directory entries costs a fraction
of reading the files.

A file modified in the last ``RACY_SECONDS`` is never trusted to the cache: a
file system's clock moves in ticks, and a second edit within the tick of the
first, of the same size, would otherwise keep the old stamp (git calls this
"racily clean").
"""

from __future__ import annotations

import hashlib
import os
import stat
import threading
import time
from collections.abc import Iterator
from functools import cache
from importlib import metadata
from pathlib import Path

from ..templating.catalogs import LOCALE_DIR
from .approval import approval_of
from .bundled import BUILTIN_TEMPLATES
from .store import ContentStore

RACY_SECONDS = 2.0

# One stamp per file: (path, size, mtime_ns, ctime_ns, inode).
_Stamp = tuple[str, int, int, int, int]
_Key = tuple[str, str, str, str | None]  # content root, clinic, protocol, language
_Listed = tuple[Path, Path | None, os.stat_result]  # a file, the folder it is in, its stat

_cache: dict[_Key, tuple[tuple[object, ...], str]] = {}
_lock = threading.Lock()


@cache
def _tool_versions() -> str:
    return f"handouts {metadata.version('handouts')}; weasyprint {metadata.version('weasyprint')}"


def _sources(
    content: ContentStore, clinic_id: str, protocol_id: str, language: str | None
) -> tuple[list[Path], list[Path]]:
    """(the protocol's files, the folders of the clinic and the templates) that are hashed."""
    files = [content.protocol_path(protocol_id)]
    if language is not None:
        files += list(content.translation_paths(protocol_id).values())
    folders = [content.clinic_dir(clinic_id)]
    folders += [f for f in (content.templates_dir, BUILTIN_TEMPLATES, LOCALE_DIR) if f.is_dir()]
    return files, folders


def _hash(listed: list[_Listed], approval: str) -> str:
    digest = hashlib.sha256(_tool_versions().encode() + b"\0")
    for path, folder, _ in listed:
        if folder is None:
            digest.update(path.read_bytes() + b"\0")
    # A sign-off takes the draft mark off the page, so it is an input too.
    digest.update(approval.encode() + b"\0")
    for path, folder, _ in listed:
        if folder is not None:
            digest.update(str(path.relative_to(folder)).encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _walk(folder: Path) -> Iterator[tuple[str, os.stat_result]]:
    """Every regular file under ``folder`` with its stat, in a steady order."""
    with os.scandir(folder) as listing:
        entries = sorted(listing, key=lambda entry: entry.name)
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(Path(entry.path))
        else:
            status = entry.stat()
            if stat.S_ISREG(status.st_mode):
                yield entry.path, status


def _listing(files: list[Path], folders: list[Path]) -> list[_Listed]:
    """Every file hashed, the folder it was found in (None: named on its own), and its
    stat: one walk serves both the cache's stamps and, on a miss, the hash."""
    listed: list[_Listed] = [(path, None, path.stat()) for path in files]
    for folder in folders:
        listed += [(Path(name), folder, status) for name, status in _walk(folder)]
    return listed


def _stamps(listed: list[_Listed]) -> tuple[tuple[_Stamp, ...], bool]:
    """Each file's stamp, and whether any was modified too recently to be trusted."""
    stamps = tuple(
        (str(path), status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)
        for path, _, status in listed
    )
    newest = max((max(s[2], s[3]) for s in stamps), default=0)
    racy = newest > time.time_ns() - int(RACY_SECONDS * 1e9)
    return stamps, racy


def content_fingerprint(
    content: ContentStore, clinic_id: str, protocol_id: str, language: str | None = None
) -> str:
    """A hash of every file a handout of this clinic and protocol is made from.

    Editing a protocol or its translation, a logo, a font, a template or a
    catalog changes it, so a re-run remakes the handouts those files went
    into, and the ledger records the new version with the next handout.
    """
    listed = _listing(*_sources(content, clinic_id, protocol_id, language))
    approval = approval_of(content, protocol_id, language).describe()
    stamps, racy = _stamps(listed)
    key: _Key = (str(content.root), clinic_id, protocol_id, language)
    signature = (approval, _tool_versions(), stamps)
    with _lock:
        kept = _cache.get(key)
    if kept is not None and kept[0] == signature:
        return kept[1]
    version = _hash(listed, approval)
    if not racy:
        with _lock:
            _cache[key] = (signature, version)
    return version


def uncached_fingerprint(
    content: ContentStore, clinic_id: str, protocol_id: str, language: str | None = None
) -> str:
    """The same hash, every file read again (what ``content_fingerprint`` saves; for benchmarks)."""
    listed = _listing(*_sources(content, clinic_id, protocol_id, language))
    approval = approval_of(content, protocol_id, language).describe()
    return _hash(listed, approval)
