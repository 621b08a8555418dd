"""Cells a spreadsheet will not run: every CSV the tool writes passes through here.

A spreadsheet treats a cell starting with ``=``, ``+``, ``-`` or ``@`` as a
formula (and a leading tab or carriage return can hide one), so a patient name
such as ``=HYPERLINK(...)`` from an uploaded list would run when a manager opens
the export. Such a cell gets a leading apostrophe, which spreadsheets show as
text and do not display.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """``value`` as text that a spreadsheet shows and never evaluates."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
