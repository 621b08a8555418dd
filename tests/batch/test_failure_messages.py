"""A row's unexpected failure never carries the patient's name into the manifest or the log."""

from __future__ import annotations

import pytest

from handouts.batch.pool import _quotes_name


@pytest.mark.parametrize(
    ("text", "quotes"),
    [
        ("ValueError: bad glyph in 'Quorra Vantablack'", True),
        ("KeyError: 'vantablack'", True),  # one word of it, any case
        ("ValueError: bad glyph in 'Quorra'", True),
        ("OSError: disk full", False),
        ("ValueError: Qu", False),  # two letters say nothing
    ],
)
def test_messages_quoting_the_name_are_recognised(text: str, quotes: bool) -> None:
    assert _quotes_name(text, "Quorra Vantablack") is quotes


def test_without_a_name_nothing_is_withheld() -> None:
    assert not _quotes_name("anything at all", None)
