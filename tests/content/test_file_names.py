"""Handout file names: two patients never share a file, plain names stay readable."""

from __future__ import annotations

import pytest

from handouts.content.file_names import patient_slug


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Zoë O'Brien", "Zoe O'Brien"),
        ("Zoe O'Brien", "Zoe OBrien"),
        ("Sam-Lee", "Sam Lee"),
        ("\U0001f600", "\U0001f601"),
        ("李小龍", "李小龙"),
        ("A" * 70, "A" * 71),
    ],
)
def test_distinct_names_never_share_a_file(one: str, other: str) -> None:
    assert patient_slug(one) != patient_slug(other)
    assert patient_slug(one) == patient_slug(one)  # stable: a re-run finds the same file


def test_plain_names_keep_the_documented_pattern() -> None:
    assert patient_slug("Sam Lee") == "sam-lee"
    assert patient_slug("Zoë O'Brien").startswith("zoe-o-brien-")
