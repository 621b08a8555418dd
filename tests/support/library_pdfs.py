"""The bundled library rendered once per test process, for every module that reads it whole.

Rendering every protocol for every clinic, language and kind takes tens of seconds;
test_layout and test_library_pdfs check different things on the same PDFs, so they
share these renders and run on one worker (the "library-pdfs" group).

The personalised handouts are dated near the year's end, with a time of day, so the
dates in them cross into the next year and every clock-time wording is printed.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from handouts.render.page import HandoutSpec, resolve_spec
from tests.pdfcheck import render_pdf
from tests.support.content import bundled_content

GROUP = "library-pdfs"
PATIENT = "Sam Lee"
YEAR_END = dt.date(2026, 12, 30)
HALF_THREE = dt.time(15, 30)


@cache
def library_handout(
    protocol: str, clinic: str, language: str, personal: bool
) -> tuple[HandoutSpec, bytes]:
    """One handout of the bundled library, its spec and PDF, made the first time it is asked for."""
    spec = resolve_spec(
        bundled_content(),
        protocol,
        clinic,
        PATIENT if personal else None,
        YEAR_END if personal else None,
        HALF_THREE if personal else None,
        language,
    )
    return spec, render_pdf(spec)
