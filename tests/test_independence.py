"""Each test file stands alone: what tests share lives in modules made for sharing
(tests/support/ and the few named helpers beside the tests), never in another test file
or a conftest; and the benchmarks and tools use nothing of the tests at all."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CHECKOUT = Path(__file__).resolve().parent.parent
TESTS = CHECKOUT / "tests"


def imported_modules(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
            # `from tests.web import test_pages` names a module too
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
    return modules


def is_test_module(module: str) -> bool:
    last = module.rsplit(".", 1)[-1]
    return module.startswith("tests.") and (last.startswith("test_") or last == "conftest")


@pytest.mark.parametrize(
    "path", sorted(TESTS.rglob("*.py")), ids=lambda path: str(path.relative_to(CHECKOUT))
)
def test_no_test_file_imports_a_test_module_or_a_conftest(path: Path) -> None:
    reached = sorted(m for m in imported_modules(path) if is_test_module(m))
    assert reached == [], f"{path.relative_to(CHECKOUT)} imports {reached}"


@pytest.mark.parametrize(
    "path",
    sorted([*(CHECKOUT / "bench").glob("*.py"), *(CHECKOUT / "tools").glob("*.py")]),
    ids=lambda path: str(path.relative_to(CHECKOUT)),
)
def test_benchmarks_and_tools_import_nothing_from_the_tests(path: Path) -> None:
    reached = sorted(m for m in imported_modules(path) if m == "tests" or m.startswith("tests."))
    assert reached == [], f"{path.relative_to(CHECKOUT)} imports {reached}"


def test_the_check_sees_a_test_module_import() -> None:
    assert is_test_module("tests.web.test_pages")
    assert is_test_module("tests.conftest")
    assert not is_test_module("tests.support.smtp")
