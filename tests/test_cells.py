"""Exported cells never run as spreadsheet formulas."""

from __future__ import annotations

import pytest

from handouts.batch.manifest import _csv_line
from handouts.cells import safe_cell


@pytest.mark.parametrize(
    "cell",
    ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1)", "-1+1", "\t=1", "\r=1"],
)
def test_formula_cells_become_text(cell: str) -> None:
    assert safe_cell(cell) == "'" + cell


def test_ordinary_cells_are_unchanged() -> None:
    assert safe_cell("Sam Lee") == "Sam Lee"
    assert safe_cell("") == ""
    assert safe_cell(None) == ""


def test_the_manifest_writes_safe_cells() -> None:
    line = _csv_line(["=HYPERLINK(1)", "Sam", "@SUM(1)"])
    assert line == "'=HYPERLINK(1),Sam,'@SUM(1)\n"
