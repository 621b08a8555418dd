"""The documents point at things that exist: every test file SECURITY.md and the guide name."""

from __future__ import annotations

import re
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
DOCUMENTS = [CHECKOUT / "SECURITY.md", CHECKOUT / "README.md", *(CHECKOUT / "docs").rglob("*.md")]


def test_every_test_file_a_document_names_exists() -> None:
    missing = [
        f"{document.relative_to(CHECKOUT)}: {name}"
        for document in DOCUMENTS
        for name in sorted(set(re.findall(r"tests/[\w/]+\.py", document.read_text("utf-8"))))
        if not (CHECKOUT / name).is_file()
    ]
    assert missing == []
