"""The models refuse what would make a wrong or incomplete handout."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from handouts.content.models import Branding, Duration, Phase, Regimen, Series


def test_phase_needs_exactly_one_anchor() -> None:
    with pytest.raises(ValidationError, match="either day"):
        Phase(title="x", do=["a"])
    with pytest.raises(ValidationError, match="either day"):
        Phase(title="x", day=1, from_day=1, do=["a"])
    with pytest.raises(ValidationError, match="to_day goes with from_day"):
        Phase(title="x", day=1, to_day=2, do=["a"])


def test_phase_range_cannot_run_backwards() -> None:
    with pytest.raises(ValidationError, match="to_day 2 is before from_day 7"):
        Phase(title="x", from_day=7, to_day=2, do=["a"])


def test_phase_cannot_be_empty() -> None:
    with pytest.raises(ValidationError, match="at least one of expect, do or avoid"):
        Phase(title="x", day=1)


def test_unknown_keys_are_errors() -> None:
    with pytest.raises(ValidationError, match="Extra inputs"):
        Phase.model_validate({"title": "x", "day": 1, "do": ["a"], "dont": ["b"]})


def test_duration_needs_a_length() -> None:
    with pytest.raises(ValidationError, match="at least one of days, weeks or months"):
        Duration()


def test_series_counts_must_be_in_order() -> None:
    with pytest.raises(ValidationError, match="maximum is smaller"):
        Series(initial_count=3, maximum=2)
    with pytest.raises(ValidationError, match="min_count is larger"):
        Series(min_count=4, initial_count=3)


def test_regimen_steps_use_declared_times() -> None:
    with pytest.raises(ValidationError, match="uses Noon"):
        Regimen(title="x", steps=[{"id": "a", "name": "A", "times": ["Noon"]}])


def branding(**fields) -> dict:
    base = {
        "id": "c",
        "name": "Clinic",
        "logo": "logo.svg",
        "colours": {"primary": "#123456", "accent": "#abc"},
        "font": {"family": "Open Sans"},
        "phone": "555",
        "email": "a@b.example",
    }
    return {**base, **fields}


def test_branding_defaults() -> None:
    clinic = Branding.model_validate(branding())
    assert clinic.paper == "letter"
    assert clinic.date_style == "us"
    assert clinic.font.size_pt >= 10.5


@pytest.mark.parametrize(
    "bad",
    [
        {"colours": {"primary": "#12345G", "accent": "#abc"}},
        {"font": {"family": "Open Sans", "size_pt": 9}},
        {"font": {"family": 'x"; } body { color: red'}},
        {"paper": "a5"},
        {"date_style": "iso"},
    ],
)
def test_branding_refuses_bad_values(bad: dict) -> None:
    with pytest.raises(ValidationError) as caught:
        Branding.model_validate(branding(**bad))
    # Refused for the value given, not for something else about the test's branding.
    assert {error["loc"][0] for error in caught.value.errors()} == set(bad)
