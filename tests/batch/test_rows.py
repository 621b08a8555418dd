"""Reading booking-system CSV exports and turning rows into jobs (no rendering)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handouts.batch.outcome import RowStatus
from handouts.batch.plan import UniqueNames, plan_rows, plan_variants
from handouts.batch.rows import read_rows
from handouts.content.bundled import BUNDLED_ROOT as PROJECT_ROOT
from handouts.content.file_names import default_filename
from handouts.content.store import CachedContentStore as CachedContent
from handouts.errors import InputError, NotFound
from tests.support.content import copy_content

ROWS = [
    ("Jane Doe", "2026-11-22", "microneedling", "", "jane@example.org"),
    ("Zoë Ünal", "2026-11-23", "micropenning", "magnolia", ""),
]


def write_csv(path: Path, text: str, *, bom: bool = False, crlf: bool = False) -> Path:
    if crlf:
        text = text.replace("\n", "\r\n")
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def csv_text(separator: str, header: str = "Patient,Date,Protocol,Clinic,Email,Notes") -> str:
    lines = [header.replace(",", separator)]
    for row in ROWS:
        lines.append(separator.join([*row, "note"]))
    return "\n".join(lines) + "\n"


@pytest.fixture
def content() -> CachedContent:
    return CachedContent(PROJECT_ROOT)


@pytest.mark.parametrize("separator", [",", ";", "\t"])
@pytest.mark.parametrize("bom", [False, True])
@pytest.mark.parametrize("crlf", [False, True])
def test_dialects_and_encodings_read_alike(
    tmp_path: Path, separator: str, bom: bool, crlf: bool
) -> None:
    path = write_csv(tmp_path / "p.csv", csv_text(separator), bom=bom, crlf=crlf)
    rows = read_rows(path)
    assert [r.row for r in rows] == [2, 3]
    assert rows[0].values == {
        "patient": "Jane Doe",
        "date": "2026-11-22",
        "protocol": "microneedling",
        "clinic": "",
        "email": "jane@example.org",
    }
    assert rows[1].values["patient"] == "Zoë Ünal"


def test_header_case_order_and_extra_columns(tmp_path: Path) -> None:
    text = "Notes; PROTOCOL ;date;patient\nx;microneedling;2026-11-22;Jane Doe\n"
    (row,) = read_rows(write_csv(tmp_path / "p.csv", text))
    assert row.values == {"protocol": "microneedling", "date": "2026-11-22", "patient": "Jane Doe"}


def test_quoted_cells_and_blank_rows(tmp_path: Path) -> None:
    # Names with the separator in them are quoted; spreadsheets pad the end with
    # empty rows. Row numbers stay those a spreadsheet shows.
    text = (
        "patient;date;protocol\n"
        '"Doe; Jane";2026-11-22;microneedling\n'
        ";;\n"
        '"O\'Neil ""Bo""";2026-11-23;microneedling\n'
        ";;\n"
    )
    rows = read_rows(write_csv(tmp_path / "p.csv", text))
    assert [(r.row, r.values["patient"]) for r in rows] == [(2, "Doe; Jane"), (4, 'O\'Neil "Bo"')]


def test_not_utf8_is_refused_with_the_line(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes("patient,date,protocol\nZoë,2026-11-22,microneedling\n".encode("cp1252"))
    with pytest.raises(InputError, match=r"line 2 is not UTF-8.*CSV UTF-8"):
        read_rows(path)


def test_missing_column_is_named(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "p.csv", "patient;when;protocol\nJane;2026-11-22;microneedling\n")
    with pytest.raises(InputError, match=r"which column holds the appointment date.*--profile"):
        read_rows(path)


def test_repeated_column_is_refused(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "p.csv", "patient,date,protocol,Date\nJ,2026-11-22,microneedling,\n"
    )
    with pytest.raises(InputError, match="'date' appears more than once"):
        read_rows(path)


BAD_ROWS = """patient,date,protocol,clinic
Good One,2026-11-22,microneedling,
Secret Name,11/22/2026,microneedling,
Secret Name,22.11.2026 9:00,microneedling,magnolia
Secret Name,2026-02-30,microneedling,
Secret Name,,microneedling,
Secret Name,2026-11-22 9:30 PM,microneedling,
,2026-11-22,microneedling,
Secret Name,2026-11-22,microneeding,
Secret Name,2026-11-22,microneedling,harbourside-east
Secret Name,2026-11-22,,
Good Two,2026-11-22,micropenning,magnolia
Secret Name,2026-11-22,Consultation,harbourside-east
"""


def test_bad_rows_get_their_row_number_and_reason(tmp_path: Path, content: CachedContent) -> None:
    rows = read_rows(write_csv(tmp_path / "p.csv", BAD_ROWS))
    jobs, bad = plan_rows(rows, content, today=dt.date(2026, 11, 22))
    assert [
        (j.row, j.request.clinic, j.request.protocol, j.request.procedure_time) for j in jobs
    ] == [
        (2, "harbourside", "microneedling", None),
        (7, "harbourside", "microneedling", dt.time(21, 30)),  # the time is kept
        (12, "magnolia", "micropenning", None),
    ]
    reasons = {b.row: b.reason for b in bad}
    assert sorted(reasons) == [3, 4, 5, 6, 8, 9, 10, 11, 13]
    # Harbourside writes day-month: 11/22/2026 has no month 22; Magnolia writes US dates.
    assert "not a date written day/month/year" in reasons[3]
    assert "not a date written month/day/year" in reasons[4]
    assert "not a real calendar date" in reasons[5]
    assert reasons[6].startswith("date: '' is not a date")
    assert reasons[8] == "patient: the name is empty"
    # A slip of one letter is a failed row; a service with no protocol is not.
    assert "Unknown protocol 'microneeding'. Did you mean 'microneedling'?" in reasons[9]
    assert "Unknown clinic 'harbourside-east'" in reasons[10]
    assert reasons[11] == "protocol: missing"
    statuses = {b.row: b.status for b in bad}
    assert statuses[13] is RowStatus.NO_HANDOUT
    assert {statuses[r] for r in reasons if r != 13} == {RowStatus.FAILED}
    # Names are health data: reasons name rows, never people.
    assert not any("Secret" in reason for reason in reasons.values())


def test_clinic_column_then_option_then_default(tmp_path: Path, content: CachedContent) -> None:
    text = (
        "patient,date,protocol,clinic\n"
        "A,2026-11-22,microneedling,magnolia\n"
        "B,2026-11-22,microneedling,\n"
    )
    rows = read_rows(write_csv(tmp_path / "p.csv", text))
    jobs, _ = plan_rows(rows, content)
    assert [j.request.clinic for j in jobs] == ["magnolia", content.default_clinic_id]
    jobs, _ = plan_rows(rows, content, clinic_id="magnolia")
    assert [j.request.clinic for j in jobs] == ["magnolia", "magnolia"]


def test_names_follow_handout_and_clashes_are_numbered_in_row_order(
    tmp_path: Path, content: CachedContent
) -> None:
    text = (
        "patient,date,protocol\n"
        "Jane Doe,2026-11-22,microneedling\n"
        "JANE  DOE,2026-11-22,microneedling\n"
        "Jane Doe 2,2026-11-22,microneedling\n"
        "Jane Doe,2026-11-23,microneedling\n"
    )
    jobs, _ = plan_rows(read_rows(write_csv(tmp_path / "p.csv", text)), content)
    clinic = content.default_clinic_id
    assert jobs[0].output == default_filename(
        clinic, "microneedling", dt.date(2026, 11, 22), "Jane Doe", "pdf"
    )
    assert [j.output for j in jobs] == [
        f"{clinic}_microneedling_2026-11-22_jane-doe.pdf",
        f"{clinic}_microneedling_2026-11-22_jane-doe-2.pdf",
        # "Jane Doe 2" would have been jane-doe-2; that is taken by row 3.
        f"{clinic}_microneedling_2026-11-22_jane-doe-2-2.pdf",
        f"{clinic}_microneedling_2026-11-23_jane-doe.pdf",
    ]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=40), min_size=1, max_size=8))
def test_names_from_any_patient_text_are_safe_and_unique(names: list[str]) -> None:
    unique = UniqueNames()
    outputs = [
        unique.claim(default_filename("c", "p", dt.date(2026, 1, 1), name, "pdf")) for name in names
    ]
    assert len({o.casefold() for o in outputs}) == len(outputs)
    for output in outputs:
        assert "/" not in output and "\\" not in output and "\0" not in output
        assert not output.startswith(".")
        assert output.isascii() and output.isprintable()
        assert output.endswith(".pdf") and len(output) < 200


def test_inputs_hash_covers_row_and_content(tmp_path: Path) -> None:
    root = copy_content(tmp_path / "content")
    text = "patient,date,protocol\nA,2026-11-22,microneedling\nB,2026-11-22,microneedling\n"
    path = write_csv(tmp_path / "p.csv", text)

    def hashes() -> list[str]:
        jobs, _ = plan_rows(read_rows(path), CachedContent(root))
        return [j.inputs_hash for j in jobs]

    first = hashes()
    assert first[0] != first[1]  # different patient
    assert hashes() == first
    protocol = root / "protocols" / "microneedling.yaml"
    protocol.write_text(protocol.read_text() + "\n# edited\n")
    assert hashes() != first
    edited = hashes()
    (root / "branding" / "harbourside" / "logo.svg").write_text("<svg/>")
    assert hashes() != edited


def test_variants_plan_every_pair_and_refuse_unknown_ids(content: CachedContent) -> None:
    jobs = plan_variants(content, content.clinic_ids(), content.protocol_ids())
    assert [j.output for j in jobs] == [
        f"{c}/{p}.pdf" for c in content.clinic_ids() for p in content.protocol_ids()
    ]
    assert all(j.request.patient is None and j.request.procedure_date is None for j in jobs)
    with pytest.raises(NotFound, match="Did you mean 'magnolia'"):
        plan_variants(content, ["magnolla"], ["microneedling"])


def test_an_unbalanced_quote_is_reported_with_its_row(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "day.csv",
        "patient,date,protocol\n"
        "Ana Silva,2026-11-22,micropenning\n"
        'Bo Chen,"2026-11-22,micropenning\n'
        "Cy Doe,2026-11-22,micropenning\n"
        "Di Fox,2026-11-22,micropenning\n",
    )
    with pytest.raises(InputError, match=r"day\.csv: row 3: a quote .* not closed before line 5"):
        read_rows(path)


def test_a_line_break_in_a_notes_cell_is_fine(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "day.csv",
        'patient,date,protocol,notes\nAna Silva,2026-11-22,micropenning,"call first\nthen email"\n'
        "Bo Chen,2026-11-22,micropenning,\n",
    )
    assert [row.row for row in read_rows(path)] == [2, 3]


def test_a_cell_over_the_size_limit_names_its_row(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "day.csv",
        "patient,date,protocol\nAna Silva,2026-11-22,micropenning\n"
        f"{'x' * 140_000},2026-11-22,micropenning\n",
    )
    with pytest.raises(InputError, match=r"day\.csv: row 3: cannot be read .*at most 128 KiB"):
        read_rows(path)
