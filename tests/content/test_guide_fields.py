"""Every field a clinic manager can write in YAML is explained in the guide.

The JSON Schemas list every field of a protocol, a clinic and an import
profile; each must be named in the manager's pages (as `field` or `field:`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

CHECKOUT = Path(__file__).resolve().parents[2]
SCHEMAS = ("protocol", "branding", "import-profile")


def _fields(schema: dict[str, object]) -> Iterator[str]:
    parts = [schema, *dict(schema.get("$defs", {})).values()]  # type: ignore[call-overload]
    for part in parts:
        yield from dict(part.get("properties", {}))  # type: ignore[union-attr]


def _guide_text() -> str:
    pages = [
        *(CHECKOUT / "docs" / "manager").glob("*.md"),
        *(CHECKOUT / "docs" / "guide").glob("*.md"),
    ]
    return "\n".join(page.read_text("utf-8") for page in pages)


@pytest.mark.parametrize("name", SCHEMAS)
def test_every_field_is_in_the_guide(name: str) -> None:
    schema = json.loads((CHECKOUT / "schema" / f"{name}.schema.json").read_text("utf-8"))
    guide = _guide_text()
    missing = sorted(
        {
            field
            for field in _fields(schema)
            if f"`{field}`" not in guide and f"{field}:" not in guide
        }
    )
    assert missing == [], f"{name}: fields the guide does not explain: {missing}"
