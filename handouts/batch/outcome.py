"""What happened to each row of a batch, as typed values rather than strings."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from ..deliver.channel import Channel


class RowStatus(StrEnum):
    MADE = "made"
    SKIPPED = "skipped"  # already made from identical inputs, file unchanged
    FAILED = "failed"  # the row is bad or its handout could not be made
    INTERRUPTED = "interrupted"  # the batch was stopped before this row was made


def channels_text(channels: frozenset[Channel]) -> str:
    """The manifest's ``delivered`` cell: "emailed", "printed" or "emailed+printed"."""
    return "+".join(sorted(channels))


def parse_channels(text: str) -> frozenset[Channel]:
    known = {channel.value for channel in Channel}
    return frozenset(Channel(part) for part in text.split("+") if part in known)


@dataclass(frozen=True)
class Outcome:
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

    @property
    def has_file(self) -> bool:
        return self.status in (RowStatus.MADE, RowStatus.SKIPPED)


@dataclass
class Summary:
    outcomes: list[Outcome] = field(default_factory=list)
    elapsed: float = 0.0
    stopped_by: int | None = None  # the signal that stopped the run early, if any

    def count(self, status: RowStatus) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def rate(self) -> float:
        return self.count(RowStatus.MADE) / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def delivery_failures(self) -> int:
        return sum(1 for outcome in self.outcomes if outcome.delivery_problems)

    def line(self) -> str:
        undelivered = self.delivery_failures
        interrupted = self.count(RowStatus.INTERRUPTED)
        return (
            f"made {self.count(RowStatus.MADE)}, skipped {self.count(RowStatus.SKIPPED)}, "
            f"failed {self.count(RowStatus.FAILED)}"
            + (f", interrupted {interrupted}" if interrupted else "")
            + (f", not delivered {undelivered}" if undelivered else "")
            + f" in {self.elapsed:.1f} s ({self.rate:.2f} handouts/s)"
        )
