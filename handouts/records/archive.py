"""The exact PDF a patient was given, kept by its sha256.

Each file is named by the hash of its bytes, written once (atomically,
owner-only) and never rewritten: a record points at a hash, so "print again"
sends what the patient had even after the protocol or branding changed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

from ..deliver.files import make_private_dirs, write_atomic
from ..errors import NotFound

ARCHIVE_NAME = "archive"
_SHA256 = re.compile(r"[0-9a-f]{64}")


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Archive:
    """A folder of PDFs named ``<first two hex digits>/<sha256>.pdf``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, sha256: str) -> Path:
        if not _SHA256.fullmatch(sha256):
            raise NotFound(f"'{sha256}' is not a sha256 of an archived handout")
        return self.folder / sha256[:2] / f"{sha256}.pdf"

    def put(self, data: bytes) -> str:
        """Keep ``data`` (once); returns its sha256."""
        sha256 = sha256_of(data)
        path = self.path(sha256)
        if not path.exists():
            make_private_dirs(path.parent)
            write_atomic(path, data)
        return sha256

    def get(self, sha256: str) -> bytes:
        """The archived bytes; NotFound if they were purged or never kept."""
        path = self.path(sha256)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise NotFound(f"the archived handout {sha256[:12]} is no longer kept") from None
        if sha256_of(data) != sha256:
            raise NotFound(f"the archived handout {sha256[:12]} is damaged (its bytes changed)")
        return data

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def remove(self, sha256: str) -> bool:
        try:
            self.path(sha256).unlink()
        except FileNotFoundError:
            return False
        return True

    def hashes(self) -> Iterator[str]:
        if not self.folder.is_dir():
            return
        for path in self.folder.glob("??/*.pdf"):
            if _SHA256.fullmatch(path.stem):
                yield path.stem
