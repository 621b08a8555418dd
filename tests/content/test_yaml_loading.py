"""Loading YAML into models: where each problem is reported, and in what words."""

from __future__ import annotations

from pathlib import Path

import pytest

from handouts.content.models import Phase, Protocol, phase_order_problems
from handouts.content.yaml_loading import load_protocol
from handouts.errors import ContentError

HEAD = "title: T\nprocedure: P\n"


def _problems(tmp_path: Path, text: str, name: str = "p.yaml") -> list[str]:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    with pytest.raises(ContentError) as caught:
        load_protocol(path)
    return [p.replace(f"{tmp_path}/", "") for p in caught.value.problems]


def _phase(**fields: object) -> Phase:
    return Phase.model_validate({"title": "x", "do": ["y"], **fields})


@pytest.mark.parametrize(
    "days",
    [
        [{"day": 0}, {"from_day": 0, "to_day": 1}, {"from_day": 2, "to_day": 7}, {"from_day": 8}],
        [{"day": 0}, {"day": 1}, {"from_day": 2, "to_day": 7}, {"from_day": 7}],
        [{"day": -10}, {"day": 0}, {"from_day": 3, "to_day": 5}],  # a gap is fine
    ],
)
def test_shared_boundary_days_are_allowed(days: list[dict[str, int]]) -> None:
    assert phase_order_problems(list(enumerate(_phase(**d) for d in days))) == []


def test_three_phases_sharing_a_day_beyond_the_boundary() -> None:
    phases = [_phase(from_day=0, to_day=10), _phase(day=10), _phase(from_day=9, to_day=12)]
    problems = phase_order_problems(list(enumerate(phases)))
    assert [index for index, _ in problems] == [2]


def test_model_refuses_phases_out_of_order() -> None:
    with pytest.raises(ValueError, match=r"phases\[1\] starts on day 1"):
        Protocol.model_validate(
            {
                "id": "x",
                "title": "t",
                "procedure": "p",
                "phases": [
                    {"title": "a", "day": 3, "do": ["x"]},
                    {"title": "b", "day": 1, "do": ["x"]},
                ],
            }
        )


def test_all_problems_of_a_file_at_once(tmp_path: Path) -> None:
    text = (
        HEAD + "reading_grade_target: -1\n"
        "phases:\n"
        "  - title: A\n    day: 5\n    do: [x]\n"
        "  - title: B\n    day: 2\n    do: [x]\n"
        "  - title: C\n    day: 9\n    exepct: [x]\n"
    )
    assert _problems(tmp_path, text) == [
        "p.yaml:3:23: reading_grade_target: must be more than 0",
        "p.yaml:8:5: phases[1]: starts on day 2, before phases[0] (day 5); "
        "list phases in time order",
        "p.yaml:13:5: phases[2].exepct: 'exepct' is not a field here. Did you mean 'expect'?",
    ]


def test_unknown_key_without_a_close_match_lists_the_fields(tmp_path: Path) -> None:
    text = HEAD + "phases:\n  - title: A\n    day: 1\n    do: [x]\n    zzz: 1\n"
    (problem,) = _problems(tmp_path, text)
    assert problem.startswith("p.yaml:7:5: phases[0].zzz: 'zzz' is not a field here. Known fields")
    assert "expect, do, avoid" in problem


def test_missing_field_points_at_its_mapping(tmp_path: Path) -> None:
    text = "# comment\n" + HEAD + "phases:\n  - day: 1\n    do: [x]\n"
    assert _problems(tmp_path, text) == ["p.yaml:5:5: phases[0].title: this field is required"]


def test_file_name_that_cannot_be_an_id(tmp_path: Path) -> None:
    text = HEAD + "phases:\n  - title: A\n    day: 1\n    do: [x]\n"
    (problem,) = _problems(tmp_path, text, name="Micro Needling.yaml")
    assert "'Micro Needling' is not a valid id" in problem and "file or folder name" in problem


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- a\n- b\n", "p.yaml:1:1: expected a mapping of 'key: value' lines"),
        (HEAD + "language: English\nphases: []\n", "language: 'English' is not a language code"),
        ("\xff", "the file is not UTF-8 text"),
    ],
)
def test_other_messages(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "p.yaml"
    path.write_bytes(text.encode("latin-1") if text == "\xff" else text.encode())
    with pytest.raises(ContentError) as caught:
        load_protocol(path)
    assert any(expected in p for p in caught.value.problems), caught.value.problems
