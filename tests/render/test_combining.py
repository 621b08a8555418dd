"""Several procedures in one handout, and the practitioner's own words, on the real PDF."""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from handouts.cli import main
from handouts.content.combining import (
    PractitionerWords,
    SpanChange,
    combine,
    parse_span_change,
)
from handouts.content.models import Protocol
from handouts.content.store import ContentStore
from handouts.errors import InputError
from handouts.render.page import resolve_spec
from tests.pdfcheck import fold, pdf_text, render_pdf

YEAR_END = dt.date(2026, 12, 30)
HALF_THREE = dt.time(15, 30)


def instructions(protocol: Protocol) -> Iterator[str]:
    """Every sentence a patient must be told, wherever the protocol keeps it."""
    yield from protocol.intro
    for warning in protocol.warnings:
        yield warning.text
    yield from protocol.warning_signs
    yield from protocol.before
    for rule in protocol.rules:
        yield rule.text
        yield from rule.items
    if protocol.do_dont:
        yield from protocol.do_dont.do
        yield from protocol.do_dont.dont
    for phase in protocol.phases:
        yield from (*phase.expect, *phase.do, *phase.avoid)
    if protocol.regimen:
        yield from protocol.regimen.notes
        yield from (step.note for step in protocol.regimen.steps if step.note)
    if protocol.series:
        yield from protocol.series.notes
    if protocol.results:
        yield protocol.results.text
    yield from protocol.closing


@pytest.fixture(scope="module")
def both(content: ContentStore) -> tuple[str, list[Protocol]]:
    spec = resolve_spec(
        content,
        "microneedling",
        "harbourside",
        "A",
        YEAR_END,
        HALF_THREE,
        also=("prp-injections",),
    )
    protocols = [content.protocol("microneedling"), content.protocol("prp-injections")]
    pdf = render_pdf(spec)
    # Two columns of a table are read side by side in the layout text, one after
    # the other in reading order: keep both readings.
    flowing = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode("utf-8")
    return pdf_text(pdf) + " | " + fold(flowing), protocols


def test_microneedling_and_prp_keep_every_instruction_of_both(
    both: tuple[str, list[Protocol]],
) -> None:
    text, protocols = both
    told = [sentence for protocol in protocols for sentence in instructions(protocol)]
    assert len(told) > 30
    missing = [sentence for sentence in told if fold(sentence) not in text]
    assert missing == []


def test_no_rule_is_printed_twice(both: tuple[str, list[Protocol]]) -> None:
    text, protocols = both
    for protocol in protocols:
        for rule in protocol.rules:
            assert text.count(fold(rule.text)) == 2, rule.text  # once in each reading


def test_one_title_one_contact_block_one_product_table(both: tuple[str, list[Protocol]]) -> None:
    text = both[0].split(" | ")[0]  # the layout reading only
    assert "Micro-Needling aftercare and PRP injection care" in text
    assert text.count("Questions or concerns?") == 1
    assert text.count("For 1-3 days after the procedure, the following is recommended") == 1


def _rule(text: str, topic: str, **span: int) -> dict[str, object]:
    return {"text": text, "kind": "avoid", "topic": topic, **span}


def _protocol(pid: str, rules: list[dict[str, object]], signs: list[str]) -> Protocol:
    return Protocol.model_validate(
        {
            "id": pid,
            "title": f"{pid} care",
            "procedure": pid,
            "rules": rules,
            "warning_signs": signs,
            "phases": [{"title": "Day 0", "day": 0, "do": [f"Rest after {pid}."]}],
        }
    )


def test_a_shared_topic_keeps_the_longest_span_once_and_every_other_rule() -> None:
    first = _protocol(
        "a",
        [_rule("No sun for 2 days.", "sun", from_day=0, to_day=2), _rule("No gym.", "gym", day=1)],
        ["A fever.", "Pus."],
    )
    second = _protocol(
        "b",
        [
            _rule("No sun for 2 weeks.", "sun", from_day=0, to_day=14),
            _rule("No swim.", "swim", day=1),
        ],
        ["Pus.", "Spreading redness."],
    )
    combined = combine([first, second])
    assert [rule.text for rule in combined.rules] == ["No sun for 2 weeks.", "No gym.", "No swim."]
    assert combined.warning_signs == ["A fever.", "Pus.", "Spreading redness."]
    assert combined.phases[0].do == ["Rest after a.", "Rest after b."]
    # Hours against days: 72 hours reach further than to the end of day 1.
    hours = _protocol("c", [_rule("No heat (hours).", "heat", to_hour=72)], [])
    days = _protocol("d", [_rule("No heat (days).", "heat", from_day=0, to_day=1)], [])
    assert [rule.text for rule in combine([days, hours]).rules] == ["No heat (hours)."]


def test_a_practitioner_note_and_a_changed_span_are_on_the_page(content: ContentStore) -> None:
    words = PractitionerWords(
        practitioner="Dr Priya Rao",
        areas="Cheeks and forehead",
        note="Use the cold pack tonight.",
        changes=(parse_span_change("heat=72h"),),
    )
    spec = resolve_spec(
        content, "prp-injections", "harbourside", "A", YEAR_END, HALF_THREE, words=words
    )
    text = pdf_text(render_pdf(spec))
    assert "From your practitioner Use the cold pack tonight. Dr Priya Rao" in text
    assert "Practitioner Dr Priya Rao" in text and "Treated areas Cheeks and forehead" in text
    assert "Until 3:30 pm on Saturday 2 January 2027: Keep away from heat and sweat" in text
    assert "(set for you by your practitioner: 72 hours instead of 24 hours)" in text
    # The other rules keep the protocol's spans, unmarked.
    assert text.count("set for you by your practitioner") == 1


def test_a_span_for_a_topic_no_rule_has_is_refused_with_the_topics_there_are(
    content: ContentStore,
) -> None:
    words = PractitionerWords(changes=(SpanChange("tanning", hours=10),))
    with pytest.raises(InputError, match=r"no rule has the topic 'tanning'.*heat"):
        resolve_spec(content, "prp-injections", "harbourside", words=words)


@pytest.mark.parametrize("bad", ["heat", "heat=", "=72h", "heat=72", "heat=72 minutes", "heat=0d"])
def test_bad_spans_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_span_change(bad)


def test_the_command_line_makes_one_handout_of_two_with_the_practitioners_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HANDOUTS_ROOT", raising=False)
    args = ["handout", "microneedling", "prp-injections", "--date", "2026-12-30"]
    args += ["--time", "15:30", "--patient", "A", "--note", "See you on Friday.", "--yes"]
    args += ["--allow-draft"]  # the starter protocols are drafts
    args += ["--practitioner", "Dr Rao", "--areas", "Face", "--set", "makeup=48h", "-o", "x.pdf"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    text = pdf_text((tmp_path / "x.pdf").read_bytes())
    assert "Micro-Needling aftercare and PRP injection care" in text
    assert "See you on Friday." in text
    assert "(set for you by your practitioner: 48 hours instead of 24 hours)" in text
    bad = CliRunner().invoke(main, [*args[:2], "--set", "makeup=soon", "-o", "y.pdf"])
    assert bad.exit_code != 0 and "--set: 'soon' is not a span" in bad.output


def test_a_variant_from_the_command_line_changes_its_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HANDOUTS_ROOT", raising=False)
    args = ["handout", "laser-hair-removal", "--date", "2026-12-30", "--time", "15:30"]
    result = CliRunner().invoke(main, [*args, "--variant", "underarms", "-o", "u.pdf", "--yes"])
    assert result.exit_code == 0, result.output
    text = pdf_text((tmp_path / "u.pdf").read_bytes())
    assert "Laser hair removal care (Underarms)" in text
    assert "Until 3:30 pm on Friday 1 January 2027: Do not use deodorant on your underarms." in text
    assert "if your underarms were treated" not in text
    plain = CliRunner().invoke(main, [*args, "-o", "p.pdf", "--yes"])
    assert plain.exit_code == 0, plain.output
    assert (
        "If your underarms were treated, until 3:30 pm on Friday 1 January 2027: Do not"
        in pdf_text((tmp_path / "p.pdf").read_bytes())
    )
    bad = CliRunner().invoke(main, [*args, "--variant", "lips", "-o", "b.pdf", "--yes"])
    assert bad.exit_code != 0
    assert "has no variant 'lips' (it has: underarms)" in bad.output
