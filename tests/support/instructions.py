"""Every sentence a protocol tells a patient, to check that none is lost on a page."""

from __future__ import annotations

from collections.abc import Iterator

from handouts.content.models import Protocol


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
