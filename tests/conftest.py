"""Shared fixtures. Procedure dates are fixed so no test depends on today."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from handouts.content.bundled import BUNDLED_ROOT as PROJECT_ROOT
from handouts.content.store import ContentStore as Content
from tests.cups_fixture import cups_queue

__all__ = ["cups_queue"]

FIXED_DATE = dt.date(2026, 11, 22)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="Rewrite the golden HTML files in tests/golden/ from the current templates.",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def content() -> Content:
    """The content shipped with the tool: two protocols, two clinics."""
    return Content(PROJECT_ROOT)


@pytest.fixture
def content_copy(tmp_path: Path) -> Content:
    """A private copy of the shipped content that a test may edit."""
    root = tmp_path / "content"
    for name in ("protocols", "branding"):
        shutil.copytree(PROJECT_ROOT / name, root / name)
    return Content(root)
