"""Booking-system exports read as they come: columns, title lines, statuses, profiles.

The files in tests/batch/exports/ are laid out the way each system writes its
export (the rows are made up). Reading and planning need no rendering, so
these tests are quick; tests/batch/test_day_list.py runs whole batches.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handouts.batch.outcome import RowStatus
from handouts.batch.plan import BadRow, PlannedRow, plan_rows
from handouts.batch.rows import read_rows
from handouts.content.import_profiles import ImportProfile
from handouts.content.store import CachedContentStore, ContentStore
from handouts.errors import InputError
from handouts.validate import validate_root
from tests.support.content import add_alias, seed_root

EXPORTS = Path(__file__).parent / "exports"
TODAY = dt.date(2026, 11, 23)
# The exports' services are read against the two seed protocols only, so a
# protocol added to the bundled library later cannot change what they expect.


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> ContentStore:
    return ContentStore(seed_root(tmp_path_factory.mktemp("seed")))


def plan(
    name: str,
    content: ContentStore,
    profile: ImportProfile | None = None,
    clinic: str | None = None,
) -> tuple[dict[int, PlannedRow], dict[int, BadRow]]:
    rows = read_rows(EXPORTS / name, profile)
    jobs, bad = plan_rows(
        rows,
        CachedContentStore(content.root),
        clinic,
        date_format=profile.date_format if profile else None,
        today=TODAY,
    )
    return {j.row: j for j in jobs}, {b.row: b for b in bad}


def test_acuity_export_names_its_service_column_type_so_it_needs_its_profile(
    content: ContentStore,
) -> None:
    with pytest.raises(InputError) as refused:
        read_rows(EXPORTS / "acuity.csv")
    message = str(refused.value)
    assert "which column holds the service" in message
    assert "Type" in message and "--profile" in message

    jobs, bad = plan("acuity.csv", content, content.import_profile("acuity"))
    assert sorted(jobs) == [2, 4]
    ana = jobs[2]
    assert (ana.request.patient, ana.request.protocol, ana.request.clinic) == (
        "Ana Silva",
        "microneedling",
        "harbourside",
    )
    assert (ana.request.procedure_date, ana.request.procedure_time) == (TODAY, dt.time(9, 0))
    assert (ana.request.email, ana.reference, ana.service) == (
        "ana@example.org",
        "1000001",
        "Micro-Needling",
    )
    # "Collagen Induction Therapy" is an alias of the micro-needling protocol.
    assert (jobs[4].request.protocol, jobs[4].request.procedure_time, jobs[4].request.email) == (
        "microneedling",
        dt.time(13, 0),
        None,
    )
    assert {row: (b.status, b.service) for row, b in bad.items()} == {
        3: (RowStatus.NO_HANDOUT, "Botox"),
        5: (RowStatus.NO_HANDOUT, "Consultation"),
    }


def test_keepthefees_statuses_leave_cancelled_and_no_show_rows_out(content: ContentStore) -> None:
    for profile in (None, content.import_profile("keepthefees")):
        jobs, bad = plan("keepthefees.csv", content, profile, clinic="magnolia")
        assert {r: (j.request.protocol, j.reference) for r, j in jobs.items()} == {
            2: ("micropenning", "KF-2001")
        }
        assert {r: (b.status, b.reason) for r, b in bad.items()} == {
            3: (RowStatus.LEFT_OUT, "Cancelled"),
            4: (RowStatus.NO_HANDOUT, "no protocol for the service 'Lip Filler'"),
            5: (RowStatus.LEFT_OUT, "No-Show"),
        }
        # Magnolia writes US dates: 11/23/2026 9:00 AM.
        assert (jobs[2].request.procedure_date, jobs[2].request.procedure_time) == (
            TODAY,
            dt.time(9, 0),
        )


def test_title_lines_date_and_time_apart_dashes_and_a_total_row(content: ContentStore) -> None:
    jobs, bad = plan("report-with-titles.csv", content)
    # The header is on the spreadsheet's row 4; rows keep the numbers it shows.
    assert {
        r: (j.request.clinic, j.request.protocol, j.request.procedure_time) for r, j in jobs.items()
    } == {
        5: ("magnolia", "microneedling", dt.time(9, 0)),
        7: ("harbourside", "micropenning", dt.time(10, 0)),
    }
    assert (
        jobs[5].request.email == "ana@example.org" and jobs[7].request.email is None
    )  # "---" is empty
    assert jobs[5].reference == "R-501"
    assert {r: b.status for r, b in bad.items()} == {
        6: RowStatus.NO_HANDOUT,
        8: RowStatus.NO_HANDOUT,
        9: RowStatus.LEFT_OUT,
        10: RowStatus.NO_HANDOUT,
    }
    assert 12 not in bad and 12 not in jobs  # "Total appointments: 6" is not a row


def test_spreadsheet_resaved_by_excel_in_a_european_locale(content: ContentStore) -> None:
    raw = (EXPORTS / "excel-european.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b";" in raw and b"\r\n" in raw
    jobs, bad = plan("excel-european.csv", content)
    # First and last name joined; day-month dates for a day-month clinic; the clinic by name.
    assert {
        r: (j.request.patient, j.request.clinic, j.request.procedure_date) for r, j in jobs.items()
    } == {
        2: ("Zoë Ünal", "harbourside", dt.date(2026, 11, 23)),
        3: ("Ana Silva", "harbourside", dt.date(2026, 11, 24)),
    }
    assert jobs[2].request.email == "zoe@example.org" and jobs[2].request.procedure_time == dt.time(
        9, 30
    )
    assert bad[4].status is RowStatus.FAILED
    assert "'31/11/2026' is not a real calendar date" in bad[4].reason


def test_date_time_with_utc_offset_keeps_the_clinic_time(content: ContentStore) -> None:
    jobs, bad = plan("guest-center.csv", content)
    assert {
        r: (j.request.protocol, j.request.procedure_time, j.reference) for r, j in jobs.items()
    } == {
        2: ("microneedling", dt.time(9, 0), "INV-31"),
        5: ("micropenning", dt.time(13, 15), "INV-34"),
    }
    assert {r: (b.status, b.reason) for r, b in bad.items()} == {
        3: (RowStatus.LEFT_OUT, "Deleted"),
        4: (RowStatus.LEFT_OUT, "NoShow"),
    }


PROFILE = """\
# The booking system of a fictional clinic chain.
header_row: 4
columns:
  patient: Client (last, first)
  date: When
  protocol: Treatment booked
  clinic: Site
  reference: Appt. ref.
date_format: "%d-%b-%Y %H:%M"
name_order: last_first
skip: {Booking state: [Cancelled by client, Did not attend]}
"""


def test_a_profile_covers_what_cannot_be_guessed(content_copy: ContentStore) -> None:
    (content_copy.root / "imports").mkdir()
    (content_copy.root / "imports" / "riverside.yaml").write_text(PROFILE, encoding="utf-8")
    add_alias(content_copy.protocols_dir, "SkinPen Microneedling", "microneedling")
    assert validate_root(content_copy).ok
    profile = content_copy.import_profile("riverside")
    with pytest.raises(InputError, match="which column holds the patient's name"):
        read_rows(EXPORTS / "last-first.csv")
    jobs, bad = plan("last-first.csv", content_copy, profile)
    assert {r: (j.request.patient, j.request.protocol, j.reference) for r, j in jobs.items()} == {
        5: ("Ana Silva", "microneedling", "RV-1")  # "Silva, Ana"; SkinPen is the clinic's alias
    }
    assert jobs[5].request.procedure_time == dt.time(9, 0)
    assert {r: (b.status, b.patient) for r, b in bad.items()} == {
        6: (RowStatus.LEFT_OUT, "Bo Chen"),
        7: (RowStatus.LEFT_OUT, "Cy Dee"),
        8: (RowStatus.FAILED, "Di Eve"),
    }
    assert "does not match the import profile's date_format" in bad[8].reason


def test_a_profile_naming_a_column_the_file_lacks_says_which(content_copy: ContentStore) -> None:
    (content_copy.root / "imports").mkdir()
    text = PROFILE.replace("Appt. ref.", "Booking number")
    (content_copy.root / "imports" / "riverside.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as refused:
        read_rows(EXPORTS / "last-first.csv", content_copy.import_profile("riverside"))
    assert "profile 'riverside' names the column 'Booking number' for reference" in str(
        refused.value
    )


def test_validate_checks_profiles_like_every_other_file(content_copy: ContentStore) -> None:
    imports = content_copy.root / "imports"
    imports.mkdir()
    (imports / "broken.yaml").write_text(
        "colums:\n  patient: Client\n"
        'date_format: "whenever"\n'
        "columns:\n  first_name: First\n"
        "name_order: surname_first\n",
        encoding="utf-8",
    )
    problems = validate_root(content_copy).problems
    path = imports / "broken.yaml"
    assert f"{path}:1:1: colums: 'colums' is not a field here. Did you mean 'columns'?" in problems
    assert any(
        p.startswith(f"{path}:3:14: date_format: 'whenever' is not a date format") for p in problems
    )
    assert any(
        p.startswith(f"{path}:5:3: columns: first_name and last_name go together") for p in problems
    )
    assert any(p.startswith(f"{path}:6:13: name_order:") for p in problems)


def test_profile_skip_rules_come_on_top_of_recognised_statuses(
    tmp_path: Path, content: ContentStore
) -> None:
    export = tmp_path / "day.csv"
    export.write_text(
        "Client,Date,Service,Status,Room\n"
        "Ana Silva,2026-11-23,Micropenning,Cancelled,1\n"
        "Bo Chen,2026-11-23,Micropenning,Booked,Closed for works\n"
        "Cy Dee,2026-11-23,Micropenning,Booked,2\n",
        encoding="utf-8",
    )
    profile = ImportProfile(id="rooms", skip={"ROOM": ["closed for works"]})
    rows = read_rows(export, profile)
    assert [(r.row, r.left_out) for r in rows] == [
        (2, "Cancelled"),
        (3, "Closed for works"),
        (4, None),
    ]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.text(max_size=12), max_size=6), max_size=8))
def test_any_table_is_read_or_refused_in_words_never_a_crash(
    tmp_path_factory: pytest.TempPathFactory, table: list[list[str]]
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "export.csv"
    lines = ["Client,Date,Service"] + [",".join(c.replace("\r", " ") for c in r) for r in table]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        rows = read_rows(path)
    except InputError:
        return
    for row in rows:
        assert row.row >= 2 and set(row.values) <= {"patient", "date", "protocol"}


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text(max_size=15),
            st.one_of(st.text(max_size=25), st.sampled_from(["today", "23/11/2026 9:00"])),
            st.one_of(st.text(max_size=15), st.sampled_from(["Micro-needling", "Botox"])),
        ),
        max_size=6,
    )
)
def test_every_row_gets_a_handout_or_a_reason(
    content: ContentStore, cells: list[tuple[str, str, str]]
) -> None:
    from handouts.batch.rows import RawRow

    rows = [
        RawRow(n, {"patient": f"Pat#{p}", "date": d, "protocol": s})
        for n, (p, d, s) in enumerate(cells, start=2)
    ]
    jobs, bad = plan_rows(rows, CachedContentStore(content.root), today=TODAY)
    assert sorted([j.row for j in jobs] + [b.row for b in bad]) == [r.row for r in rows]
    assert all(b.reason for b in bad)
    typed = {r.row: r.values for r in rows}
    for b in bad:  # a reason quotes the date or service typed, never the patient's name
        if "Pat#" not in typed[b.row]["date"] + typed[b.row]["protocol"]:
            assert "Pat#" not in b.reason
