"""Several procedures in one handout, and the practitioner's own words, on the real PDF."""

from __future__ import annotations

import datetime as dt
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
from tests.pdfcheck import both_readings, fold, pdf_text, render_pdf
from tests.support.content import add_alias, copy_content
from tests.support.instructions import instructions

YEAR_END = dt.date(2026, 12, 30)
HALF_THREE = dt.time(15, 30)


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
    return both_readings(render_pdf(spec)), protocols


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


def _plan_part(pdf: bytes) -> str:
    """The page's text from "Your treatment plan" to the contact block."""
    text = pdf_text(pdf)
    assert text.count("Your treatment plan") == 1
    return text.split("Your treatment plan", 1)[1].split("Questions or concerns?", 1)[0]


def test_each_procedure_keeps_its_own_treatment_plan_and_results_under_its_name(
    content: ContentStore,
) -> None:
    also = ("micropenning", "botulinum-toxin")
    spec = resolve_spec(
        content, "microneedling", "harbourside", "A", YEAR_END, HALF_THREE, also=also
    )
    plan = _plan_part(render_pdf(spec))
    # In order: each procedure's name, then its course, its suggested dates and its results,
    # counted from Wednesday 30 December 2026 (a month later is 30 January, two is 28 February).
    expected = [
        "Micro-Needling A course of 1 to 3 treatments (at most 5) is usually recommended.",
        "When you will see results: Results vary, but a week after the procedure",
        "For you, that is from Wednesday 6 January 2027.",
        "Micropenning A course of 3 treatments, 1 month apart, is usually recommended.",
        "Treatment 2, suggested Saturday 30 January 2027",
        "Treatment 3, suggested Sunday 28 February 2027",
        "First maintenance, suggested Saturday 28 August 2027",
        "When you will see results: Best results are usually seen between 2-3 months",
        "For you, that is between Sunday 28 February 2027 and Tuesday 30 March 2027.",
        "Botulinum toxin injections When you will see results: The treatment starts to work",
        "For you, that is between Saturday 2 January 2027 and Wednesday 13 January 2027.",
    ]
    positions = [plan.find(part) for part in expected]
    assert -1 not in positions, [p for p, at in zip(expected, positions, strict=True) if at < 0]
    assert positions == sorted(positions)
    # A blank handout of the same procedures: each plan, named, with lines to fill in.
    blank = _plan_part(render_pdf(resolve_spec(content, "microneedling", "harbourside", also=also)))
    assert "Micropenning A course of 3 treatments" in blank
    assert "Treatment 2 Treatment 3 First maintenance" in blank
    assert blank.count("When you will see results:") == 3


def test_a_name_two_protocols_list_as_an_alias_makes_one_handout_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_content(tmp_path / "content")
    add_alias(root / "protocols", "Needling with PRP", "microneedling", "prp-injections")
    monkeypatch.chdir(tmp_path)
    args = ["--root", str(root), "handout", "needling with prp", "--date", "2026-12-30"]
    args += ["--patient", "A", "--yes", "--allow-draft", "-o", "x.pdf"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    text = pdf_text((tmp_path / "x.pdf").read_bytes())
    assert "Micro-Needling aftercare and PRP injection care" in text
    # Named again after it, a procedure is not added twice.
    again = CliRunner().invoke(main, [*args[:-1], "y.pdf", "--", "PRP"])
    assert again.exit_code == 0, again.output
    assert "PRP injection care and PRP injection care" not in pdf_text(
        (tmp_path / "y.pdf").read_bytes()
    )
