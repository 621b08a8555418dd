"""The web and command line make, deliver and record only through the service."""

from __future__ import annotations

import ast
from pathlib import Path

import handouts

PACKAGE = Path(handouts.__file__).parent
# Below the service for these jobs; file modes (deliver.files) are not such a job.
FORBIDDEN = (
    "handouts.batch",
    "handouts.deliver.channel",
    "handouts.deliver.mail",
    "handouts.deliver.printing",
    "handouts.records.ledger",
    "handouts.giving",
)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = module.split(".")[: -node.level] if node.level else []
            name = ".".join([*base, node.module] if node.module else base)
            found.add(name)
            found.update(f"{name}.{alias.name}" for alias in node.names)
    return found


def test_front_ends_import_the_service_not_what_is_below_it() -> None:
    offenders = {
        f"{path.relative_to(PACKAGE.parent)}: {name}"
        for folder in ("web", "cli")
        for path in (PACKAGE / folder).rglob("*.py")
        for name in _imports(path)
        if name.startswith(FORBIDDEN)
    }
    assert offenders == set()
