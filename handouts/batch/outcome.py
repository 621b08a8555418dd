"""What happened to each row of a batch, as typed values rather than strings."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from ..channel import Channel
from ..request import HandoutRequest

# The manifest's words for an --email row without an address (the row's
# ``no_email_address`` says so as a flag).
NO_ADDRESS = "email not sent: no address in the email column"


class RowStatus(StrEnum):
    MADE = "made"
    SKIPPED = "skipped"  # already made from identical inputs, file unchanged
    FAILED = "failed"  # the row should have a handout and could not get one
    INTERRUPTED = "interrupted"  # the batch was stopped before this row was made
    NO_HANDOUT = "no handout"  # its service has no protocol (Botox, a consultation)
    LEFT_OUT = "left out"  # cancelled, no-show or deleted in the booking system
    COMBINED = "combined"  # on one handout with another row of the same visit


def channels_text(channels: frozenset[Channel]) -> str:
    """The manifest's ``delivered`` cell: "emailed", "printed" or "emailed+printed"."""
    return "+".join(sorted(channels))


def parse_channels(text: str) -> frozenset[Channel]:
    known = {channel.value for channel in Channel}
    return frozenset(Channel(part) for part in text.split("+") if part in known)


@dataclass(frozen=True)
class Outcome:
    """What happened to one row. It carries the row's request (the handout's identity);
    ``row`` is the list's row number, for people to read."""

    row: int
    status: RowStatus
    output: str = ""
    pages: int | None = None
    size: int | None = None
    sha256: str = ""
    error: str = ""  # why the handout was not made; empty when it was
    inputs_hash: str = ""
    delivered: frozenset[Channel] = frozenset()
    delivery_problems: tuple[str, ...] = ()  # an email or print that failed; the file is fine
    no_email_address: bool = False  # --email, but the row has no address to send to
    patient: str = ""  # for the manifest, which is owner-only; never printed or logged
    reference: str = ""  # the booking system's id for the appointment
    service: str = ""  # the service as exported
    request: HandoutRequest | None = None  # the handout the row asked for; None for a bad row
    handout_id: int | None = None  # its record in the ledger, when recorded
    holders: tuple[int, ...] = ()  # the deliveries that hold its email and print keys
    again: frozenset[Channel] = frozenset()  # sent again on purpose in this run (--again)
    before: frozenset[Channel] = frozenset()  # asked for, but given by an earlier run: not resent

    @property
    def has_file(self) -> bool:
        return self.status in (RowStatus.MADE, RowStatus.SKIPPED)


@dataclass
class Summary:
    outcomes: list[Outcome] = field(default_factory=list)
    elapsed: float = 0.0
    stopped_by: int | None = None  # the signal that stopped the run early, if any
    warnings: list[str] = field(default_factory=list)  # "row 5: the date ... is far away"

    def count(self, status: RowStatus) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    def rows(self, status: RowStatus) -> list[Outcome]:
        return sorted((o for o in self.outcomes if o.status == status), key=lambda o: o.row)

    @property
    def delivery_failures(self) -> int:
        return sum(1 for outcome in self.outcomes if outcome.delivery_problems)

    @property
    def ok(self) -> bool:
        """Every row that should have a handout has one, delivered as asked."""
        return not (self.count(RowStatus.FAILED) or self.delivery_failures)

    def line(self) -> str:
        """The first line of the summary: what was made, in a few words."""
        made, already = self.count(RowStatus.MADE), self.count(RowStatus.SKIPPED)
        parts = [_handouts(made, "made")]
        if already:
            parts.append(f"{already} already made and unchanged")
        failed = self.count(RowStatus.FAILED)
        if failed:
            parts.append(f"{failed} {'row' if failed == 1 else 'rows'} failed")
        interrupted = self.count(RowStatus.INTERRUPTED)
        if interrupted:
            parts.append(f"{interrupted} not made before the stop")
        if self.delivery_failures:
            parts.append(f"{self.delivery_failures} not delivered")
        return ", ".join(parts) + f" (in {self.elapsed:.1f} s)."

    def lines(self) -> list[str]:
        """The whole summary in plain words: what was made and every row that got none."""
        lines = [self.line()]
        no_handout = _by_text(o.service for o in self.rows(RowStatus.NO_HANDOUT))
        if no_handout:
            lines.append(
                f"No handout for: {no_handout} (no protocol for these services; "
                "one that should have a handout can be added to a protocol's aliases)."
            )
        left_out = _by_text(o.error for o in self.rows(RowStatus.LEFT_OUT))
        if left_out:
            lines.append(f"Left out: {left_out}.")
        for outcome in self.rows(RowStatus.COMBINED):
            lines.append(f"Row {outcome.row}: {outcome.error}.")
        for outcome in self.rows(RowStatus.FAILED):
            lines.append(f"Row {outcome.row} failed: {outcome.error}")
        unemailed = [o.row for o in self.outcomes if o.no_email_address]
        if unemailed:
            lines.append(
                f"Not emailed, no address: {_row_list(unemailed)}; "
                "--print-unemailed prints these instead."
            )
        for channel in sorted(Channel):
            again = [o.row for o in self.outcomes if channel in o.again]
            if again:
                lines.append(f"{channel.capitalize()} again, as first given: {_row_list(again)}.")
            before = sorted(o.row for o in self.outcomes if channel in o.before)
            if before:
                lines.append(
                    f"{channel.capitalize()} before, so not sent twice: {_row_list(before)} "
                    "(history shows when; --again sends them once more)."
                )
        for outcome in sorted(self.outcomes, key=lambda o: o.row):
            other = [p for p in outcome.delivery_problems if p != NO_ADDRESS]
            if other:
                lines.append(f"Row {outcome.row}: made, but {'; '.join(other)}")
        lines += [f"Warning: {warning}" for warning in self.warnings]
        return lines


def _handouts(count: int, verb: str) -> str:
    return f"{count} {'handout' if count == 1 else 'handouts'} {verb}"


def _by_text(texts: Iterable[str]) -> str:
    """ "Botox (2), Consultation (1)": each text with how often it came, most first."""
    counts = Counter(" ".join(t.split()) or "(blank)" for t in texts)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0].casefold()))
    return ", ".join(f"{text} ({count})" for text, count in ordered)


def _row_list(rows: list[int]) -> str:
    return ("row " if len(rows) == 1 else "rows ") + ", ".join(str(r) for r in sorted(rows))
