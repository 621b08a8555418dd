"""A day's list: rows of one visit make one handout; variant and practitioner columns."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from handouts.batch.outcome import RowStatus
from handouts.batch.plan import plan_rows
from handouts.batch.rows import read_rows
from handouts.cli import main
from handouts.content.bundled import BUNDLED_ROOT
from handouts.content.store import CachedContentStore, ContentStore
from handouts.render.made import spec_for_request
from tests.pdfcheck import both_readings, fold, pdf_text, render_pdf
from tests.support.content import add_alias, copy_content
from tests.support.instructions import instructions


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


def test_a_later_row_asking_something_of_its_own_gets_its_own_handout(
    tmp_path: Path, content: CachedContentStore
) -> None:
    # One handout carries one variant, one practitioner's box, one address and one
    # booked visit: a later row of the visit with its own keeps them on its own handout.
    jobs, bad = _plan(
        tmp_path,
        content,
        "patient,date,service,variant,note,email\n"
        "Ann Lee,2026-12-30,microneedling,,,ann@example.org\n"
        "Ann Lee,2026-12-30,laser hair removal,underarms,,\n"
        "Bo Chan,2026-12-30,microneedling,,Rest today.,\n"
        "Bo Chan,2026-12-30,PRP injections,,Come back Friday.,\n"
        "Cy Dee,2026-12-30,microneedling,,,cy@example.org\n"
        "Cy Dee,2026-12-30,PRP injections,,,other@example.org\n"
        "Di Eng,2026-12-30,microneedling,,Rest today.,di@example.org\n"
        "Di Eng,2026-12-30,PRP injections,,Rest today.,\n",
    )
    assert [(job.row, job.request.also, job.request.variant) for job in jobs] == [
        (2, (), None),
        (3, (), "underarms"),
        (4, (), None),
        (5, (), None),
        (6, (), None),
        (7, (), None),
        (8, ("prp-injections",), None),
    ]
    assert [(row.row, row.status) for row in bad] == [(9, RowStatus.COMBINED)]
    assert jobs[-1].protocol_title == "Micro-Needling aftercare and PRP injection care"


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


def _aliased_together(root: Path, alias: str) -> None:
    """``alias`` listed by microneedling and prp-injections, and a heat rule both share."""
    add_alias(root / "protocols", alias, "microneedling", "prp-injections")
    needling = root / "protocols" / "microneedling.yaml"
    needling.write_text(
        needling.read_text(encoding="utf-8")
        + "rules:\n  - text: Stay out of saunas and hot rooms for 3 days.\n"
        "    topic: heat\n    kind: avoid\n    from_day: 0\n    to_day: 3\n",
        encoding="utf-8",
    )


def test_a_service_two_protocols_list_as_an_alias_makes_one_handout_from_the_command_line(
    tmp_path: Path,
) -> None:
    root = copy_content(tmp_path / "content")
    _aliased_together(root, "Microneedling with PRP")
    export = tmp_path / "day.csv"
    export.write_text(
        "patient,date,time,service\n"
        "Ann Lee,2026-12-30,15:30,Microneedling with PRP - Face\n"
        "Bo Chan,2026-12-30,16:00,PRP\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    args = ["--root", str(root), "batch", str(export), "-o", str(out), "--workers", "1"]
    result = CliRunner().invoke(main, [*args, "--allow-draft"])
    assert result.exit_code == 0, result.output
    assert "2 handouts made" in result.output
    rows = {int(r["row"]): r for r in csv.DictReader(io.StringIO(_manifest(out), newline=""))}
    assert [rows[2]["status"], rows[3]["status"]] == ["made", "made"]
    assert rows[2]["output"].startswith("harbourside_microneedling_2026-12-30")
    text = both_readings((out / rows[2]["output"]).read_bytes())
    assert "Micro-Needling aftercare and PRP injection care" in text
    content = ContentStore(root)
    protocols = [content.protocol("microneedling"), content.protocol("prp-injections")]
    shorter = "Keep away from heat and sweat"  # PRP's heat rule: 24 hours, the shorter
    told = [s for p in protocols for s in instructions(p) if not s.startswith(shorter)]
    assert len(told) > 30
    assert [s for s in told if fold(s) not in text] == []
    # The shared topic once (in each of the two readings), with the longer span.
    assert text.count("Stay out of saunas and hot rooms for 3 days.") == 2
    assert shorter not in text
    for protocol in protocols:
        for rule in protocol.rules:
            if rule.topic != "heat":
                assert text.count(fold(rule.text)) == 2, rule.text
    # The PRP-only row is a handout of its own.
    alone = pdf_text((out / rows[3]["output"]).read_bytes())
    assert "PRP injection care" in alone and "Micro-Needling" not in alone


def _manifest(out: Path) -> str:
    return (out / "manifest.csv").read_text(encoding="utf-8")


def test_a_service_named_together_joins_the_other_rows_of_its_visit(tmp_path: Path) -> None:
    root = copy_content(tmp_path / "content")
    _aliased_together(root, "Microneedling with PRP")
    jobs, bad = _plan(
        tmp_path,
        CachedContentStore(root),
        "patient,date,service\n"
        "Ann Lee,2026-12-30,Microneedling with PRP\n"
        "Ann Lee,2026-12-30,Botox\n"
        "Bo Chan,2026-12-30,Microneedling with PRP\n"
        "Bo Chan,2026-12-30,PRP\n",
    )
    assert [(job.row, job.request.protocol, job.request.also) for job in jobs] == [
        (2, "microneedling", ("prp-injections", "botulinum-toxin")),
        (4, "microneedling", ("prp-injections",)),
        (5, "prp-injections", ()),  # PRP twice in one visit: two bookings, kept apart
    ]
    assert jobs[0].protocol_title == (
        "Micro-Needling aftercare, PRP injection care, and Anti-wrinkle injection care"
    )
    assert [(row.row, row.status) for row in bad] == [(3, RowStatus.COMBINED)]
