"""A day's list: rows of one visit make one handout; variant and practitioner columns."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from handouts.batch.outcome import RowStatus
from handouts.batch.plan import plan_rows
from handouts.batch.rows import read_rows
from handouts.content.bundled import BUNDLED_ROOT
from handouts.content.store import CachedContentStore
from handouts.render.made import spec_for_request
from tests.pdfcheck import pdf_text, render_pdf


@pytest.fixture(scope="module")
def content() -> CachedContentStore:
    return CachedContentStore(BUNDLED_ROOT)


def _plan(tmp_path: Path, content: CachedContentStore, text: str) -> tuple[list, list]:
    path = tmp_path / "day.csv"
    path.write_text(text, "utf-8")
    return plan_rows(read_rows(path), content, today=dt.date(2026, 12, 1), allow_draft=True)


def test_two_procedures_of_one_visit_make_one_handout(
    tmp_path: Path, content: CachedContentStore
) -> None:
    jobs, bad = _plan(
        tmp_path,
        content,
        "patient,date,time,service,practitioner,areas,note,set\n"
        "Ann Lee,2026-12-30,15:30,microneedling,Dr Rao,Face,See you Friday.,heat=72h\n"
        "Ann Lee,2026-12-30,15:30,PRP injections,,,,\n"
        "Bo Chan,2026-12-30,16:00,PRP injections,,,,\n",
    )
    assert [(job.row, job.request.protocol, job.request.also) for job in jobs] == [
        (2, "microneedling", ("prp-injections",)),
        (4, "prp-injections", ()),
    ]
    assert [(row.row, row.status) for row in bad] == [(3, RowStatus.COMBINED)]
    assert "on one handout with row 2" in bad[0].reason
    text = pdf_text(render_pdf(spec_for_request(content, jobs[0].request)))
    assert "Micro-Needling aftercare and PRP injection care" in text
    assert "From your practitioner See you Friday. Dr Rao" in text
    assert "(set for you by your practitioner: 72 hours instead of 24 hours)" in text


def test_a_variant_column_and_its_mistakes(tmp_path: Path, content: CachedContentStore) -> None:
    jobs, bad = _plan(
        tmp_path,
        content,
        "patient,date,service,variant,set\n"
        "Ann Lee,2026-12-30,laser hair removal,underarms,\n"
        "Bo Chan,2026-12-30,laser hair removal,lips,\n"
        "Cy Dee,2026-12-30,laser hair removal,,heat=soon\n",
    )
    assert [(job.row, job.request.variant) for job in jobs] == [(2, "underarms")]
    reasons = {row.row: row.reason for row in bad}
    assert "has no variant 'lips' (it has: underarms)" in reasons[3]
    assert reasons[4].startswith("set: 'soon' is not a span")
