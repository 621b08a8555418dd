"""Imports run one way: content -> render -> deliver -> record, the service over them,
the command line and the web page on top.

Each top-level unit of the package (a subpackage, or a module beside them) may
import only the units its floor allows. Imports inside functions count (they
run too); imports under ``if TYPE_CHECKING:`` do not (they never run).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import handouts

PACKAGE = Path(handouts.__file__).parent

# The ground floor: plain types and helpers every floor may use.
GROUND = frozenset({"errors", "request", "channel", "private_files", "inputs", "messages", "cells"})
# What each unit may import besides itself ("only" rules).
ONLY = {
    **dict.fromkeys(GROUND, GROUND),
    "content": GROUND | {"templating"},
    "templating": GROUND | {"content"},
    "render": GROUND | {"content", "templating"},
    # Checking a content folder renders each clinic's page once, so it sits above render.
    "validate": GROUND | {"content", "templating", "render"},
}
ABOVE_DELIVERY = frozenset({"batch", "giving", "service", "cli", "web"})
# What each unit must never import ("never" rules).
NEVER = {
    "deliver": ABOVE_DELIVERY | {"follow_ups"},
    "records": ABOVE_DELIVERY | {"follow_ups"},
    # Below the service: the service calls them, never the other way round.
    "batch": frozenset({"service", "cli", "web"}),
    "giving": frozenset({"service", "cli", "web"}),
    "follow_ups": frozenset({"service", "cli", "web"}),
    "signing": frozenset({"service", "cli", "web"}),
    # Front ends make, deliver and record through the service only.
    "cli": frozenset({"deliver", "batch", "giving", "signing", "render"}),
    "web": frozenset({"deliver", "batch", "giving", "signing", "render", "cli"}),
}


def _unit(module: str) -> str:
    """``handouts.content.store`` -> ``content``; ``handouts`` itself -> ``""``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _type_checking_only(tree: ast.Module) -> set[int]:
    """The ids of the nodes under ``if TYPE_CHECKING:``."""
    hidden: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in node.body:
                hidden.update(id(child) for child in ast.walk(inner))
    return hidden


def imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, imported handouts module or name) for every import that runs."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = parts[:-1]  # a module's and an __init__'s relative imports start at its folder
    hidden = _type_checking_only(tree)
    for node in ast.walk(tree):
        if id(node) in hidden:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            if module == "handouts":  # from .. import service: the names are the units
                for alias in node.names:
                    yield node.lineno, f"handouts.{alias.name}"
            else:
                yield node.lineno, module


def _edges() -> list[tuple[str, str, str]]:
    """(importing unit, imported unit, where) across units."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        unit = _unit(".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts))
        for line, module in imports(path):
            if module.split(".")[0] != "handouts":
                continue
            target = _unit(module)
            if target and target != unit:
                found.append((unit, target, f"{path.relative_to(PACKAGE.parent)}:{line}"))
    return found


EDGES = _edges()


@pytest.mark.parametrize("unit", sorted(ONLY))
def test_lower_floors_import_only_what_is_below_them(unit: str) -> None:
    wrong = [
        f"{where} imports {target}"
        for source, target, where in EDGES
        if source == unit and target not in ONLY[unit]
    ]
    assert wrong == []


@pytest.mark.parametrize("unit", sorted(NEVER))
def test_nothing_reaches_back_up(unit: str) -> None:
    wrong = [
        f"{where} imports {target}"
        for source, target, where in EDGES
        if source == unit and target in NEVER[unit]
    ]
    assert wrong == []


def test_every_unit_has_a_floor() -> None:
    """A new subpackage or top-level module gets its rule here, not a free pass."""
    units = {source for source, _, _ in EDGES} | {target for _, target, _ in EDGES}
    ruled = set(ONLY) | set(NEVER) | {"service", "", "__main__"}
    assert units - ruled == set()


def test_the_rules_see_imports_inside_functions_but_not_type_checking() -> None:
    """The walker itself: a function's import counts, a type-checking one does not."""
    sample = PACKAGE / "render" / "made.py"
    seen = {module for _, module in imports(sample)}
    assert "handouts.render.page" in seen  # imported inside spec_for_request
    assert "handouts.content.store" not in seen  # only under TYPE_CHECKING
