"""Recording each handout of a batch, and emailing and printing each at most once.

Runs in the batch's parent process, row by row, after the PDF is on disk.
Every made row is archived and recorded in the ledger; whether someone was
already emailed or printed is the ledger's delivery key (who it went to, not
which file or folder), so reordered rows, other folders, other days and the
web page never make anyone get an email twice. What failed for certain is
tried again on a re-run; an email that may have gone out is reported and left
alone. A failure is recorded on the row and the batch goes on.
"""

from __future__ import annotations

import os
import sqlite3
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from .. import giving
from ..channel import Channel
from ..content.store import ContentStore
from ..deliver.mail import SmtpSettings
from ..errors import HandoutError
from ..records import DELIVERED, Delivery, DeliveryKey, Ledger, Result
from ..records.carry_over import carry_over_folder
from ..render.made import spec_for_request
from .outcome import NO_ADDRESS, Outcome, RowStatus
from .plan import PlannedRow

UNCERTAIN_HINT = (
    "check the clinic's sent mail or ask the patient, and send it yourself with "
    "'handouts handout ... --email --again' if it did not arrive"
)


@dataclass(frozen=True)
class _Sent:
    """One channel of one row: delivered (now or before), sent again, what went wrong,
    and the delivery that holds the row's key afterwards."""

    delivered: bool = False
    again: bool = False
    before: bool = False  # asked for, but delivered by an earlier run: not sent again
    problem: str = ""
    holder: int | None = None


class BatchGiver:
    """Records a batch's handouts and delivers each at most once per person.

    ``ledger`` None switches recording (and so once-only delivery) off.
    """

    def __init__(
        self,
        content: ContentStore,
        ledger: Ledger | None,
        out_dir: Path,
        *,
        by: str,
        source: str,
        run: str,
        email: bool = False,
        print_: bool = False,
        printer: str | None = None,
        copies: int = 1,
        print_unemailed: bool = False,
        again: bool = False,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.content = content
        self.ledger = ledger
        self.out_dir = out_dir
        self.by, self.source, self.run = by, source, run
        self.channels = {
            c for c, wanted in ((Channel.EMAIL, email), (Channel.PRINT, print_)) if wanted
        }
        self.printer = printer
        self.copies = copies
        # With --email: print the handouts of rows that have no address, instead.
        self.print_unemailed = print_unemailed
        # Send once more what was delivered (or may have been) before, on purpose:
        # the archived bytes that were given, recorded as "again".
        self.again = again
        # Read (and check) the SMTP settings and old records before any handout is made.
        env = os.environ if environ is None else environ
        self.smtp = SmtpSettings.from_env(env) if email else None
        if ledger is not None:
            carry_over_folder(ledger, out_dir)
        self._seen: Counter[DeliveryKey] = Counter()
        self._versions: dict[tuple[str, str, str | None], tuple[str, str]] = {}

    def __call__(self, planned: PlannedRow, outcome: Outcome) -> Outcome:
        asked = planned.request
        if outcome.status not in (RowStatus.MADE, RowStatus.SKIPPED) or not asked.patient:
            return outcome
        try:
            given = self._record(planned, outcome)
        except OSError as error:
            # Unrecorded, nobody can tell later whether it was sent: send nothing.
            problem = f"not recorded, so not emailed or printed: {error}"
            return replace(outcome, delivery_problems=(problem,))
        outcome = replace(outcome, handout_id=given.handout_id)
        problems: list[str] = []
        done: set[Channel] = set()
        again: set[Channel] = set()
        before: set[Channel] = set()
        holders: list[int] = []
        wanted = self._wanted(planned)
        for channel in Channel:
            sent = self._deliver(given, planned, channel, wanted)
            if sent.delivered:
                done.add(channel)
            if sent.again:
                again.add(channel)
            if sent.before:
                before.add(channel)
            if sent.problem:
                problems.append(sent.problem)
            if sent.holder is not None:
                holders.append(sent.holder)
        no_address = Channel.EMAIL in wanted and not asked.email and Channel.EMAIL not in done
        return replace(
            outcome,
            delivered=frozenset(done),
            again=frozenset(again),
            before=frozenset(before),
            delivery_problems=tuple(problems),
            no_email_address=no_address,
            holders=tuple(holders),
        )

    def _deliver(
        self, given: giving.Given, planned: PlannedRow, channel: Channel, wanted: set[Channel]
    ) -> _Sent:
        """What delivering ``given`` by ``channel`` did, now or before."""
        key = self._key(given, channel)
        try:
            holder = self.ledger.holder(key) if self.ledger is not None else None
        except sqlite3.Error as error:
            return _Sent(problem=f"{channel} not checked in the record, so not sent: {error}")
        held = None if holder is None else holder.id
        if channel not in wanted:
            return _Sent(holder is not None and holder.result in DELIVERED, holder=held)
        if holder is not None and self.again and holder.run != self.run:
            # Once per run: a second identical row finds this run's own sending.
            return self._send_again(holder, channel, planned, key.occurrence)
        if holder is not None and holder.result in DELIVERED:
            return _Sent(True, before=holder.run != self.run, holder=held)
        if holder is not None:
            return _Sent(problem=self._uncertain(channel), holder=held)
        return self._send_first(given, channel, planned, key.occurrence)

    def _send_first(
        self, given: giving.Given, channel: Channel, planned: PlannedRow, occurrence: int
    ) -> _Sent:
        """Nobody holds the key: send, claiming it."""
        if channel is Channel.EMAIL and not planned.request.email:
            return _Sent(problem=NO_ADDRESS)
        result = self._send(given, channel, planned, occurrence)
        if result.result in DELIVERED and channel is Channel.EMAIL and planned.follow_ups:
            self._schedule_follow_ups(given, planned)
        return _Sent(
            result.result in DELIVERED,
            problem=self._problem(channel, result),
            holder=result.delivery_id or (result.previous.id if result.previous else None),
        )

    def _send_again(
        self, holder: Delivery, channel: Channel, planned: PlannedRow, occurrence: int
    ) -> _Sent:
        """--again: the handout that was given (its archived bytes) once more, as
        "Email again" on the History page does; recorded as sent again."""
        assert self.ledger is not None  # a holder was found in it
        try:
            earlier = giving.given_again(self.content, self.ledger, holder.handout_id)
        except HandoutError as error:  # purged since, or the content no longer loads
            return _Sent(problem=f"not sent again: {error}", holder=holder.id)
        if channel is Channel.EMAIL:
            result = giving.email(
                self.ledger,
                earlier,
                planned.request.email or "",
                self.by,
                again=True,
                settings=self.smtp,
                run=self.run,
            )
        else:
            result = giving.print_(
                self.ledger,
                earlier,
                self.by,
                printer=self.printer,
                copies=self.copies,
                again=True,
                occurrence=occurrence,
                run=self.run,
            )
        sent = result.result in DELIVERED
        return _Sent(
            sent,
            again=sent,
            problem=self._problem(channel, result),
            holder=result.delivery_id or holder.id,
        )

    def _problem(self, channel: Channel, result: giving.DeliveryResult) -> str:
        if result.result in DELIVERED:
            return ""
        if result.refused:  # another run claimed it a moment ago
            return self._uncertain(channel)
        if result.result is Result.MAY_HAVE_BEEN_SENT:
            return f"email may have been sent: {result.reason}"
        what = "email not sent" if channel is Channel.EMAIL else "not printed"
        return f"{what}: {result.reason}"

    def _record(self, planned: PlannedRow, outcome: Outcome) -> giving.Given:
        from ..render.made import MadeHandout

        spec = spec_for_request(self.content, planned.request)
        data = (self.out_dir / planned.output).read_bytes()
        made = MadeHandout(spec, data, outcome.pages, planned.output, "pdf")
        request = giving.resolved(planned.request, spec)
        if self.ledger is not None and outcome.status is RowStatus.SKIPPED:
            # Unchanged since an earlier run: that run's record is this handout.
            earlier = self.ledger.latest_with_pdf(outcome.sha256, request.patient or "")
            if earlier is not None:
                return giving.Given(made, request, earlier.id)
        pair = (request.clinic or "", request.protocol, planned.request.language)
        if self.ledger is not None and pair not in self._versions:
            self._versions[pair] = giving.version_of(self.content, spec)
        return giving.record_made(
            self.content,
            self.ledger,
            made,
            planned.request,
            self.by,
            self.source,
            run=self.run,
            version=self._versions.get(pair),
        )

    def _schedule_follow_ups(self, given: giving.Given, planned: PlannedRow) -> None:
        """The list's follow-up column said yes: schedule them to the address just emailed."""
        email = planned.request.email
        if self.ledger is None or not email:
            return
        from ..follow_ups.schedule import schedule_for_handout

        consent = f"day's list row {planned.row}, by {self.by}"
        schedule_for_handout(
            given.made.spec, email, self.ledger.folder, self.ledger.clock(), consent
        )

    def _key(self, given: giving.Given, channel: Channel) -> DeliveryKey:
        key = DeliveryKey.for_handout(channel, given.request, given.request.clinic or "")
        if channel is Channel.EMAIL:
            return key
        # Identical print rows are as many patients sharing a name: each gets a copy.
        self._seen[key] += 1
        return replace(key, occurrence=self._seen[key])

    def _wanted(self, planned: PlannedRow) -> set[Channel]:
        """The channels for this row: --print-unemailed prints what has no address to go to."""
        wanted = set(self.channels)
        if Channel.EMAIL in wanted and not planned.request.email and self.print_unemailed:
            wanted = (wanted - {Channel.EMAIL}) | {Channel.PRINT}
        return wanted

    def _send(
        self, given: giving.Given, channel: Channel, planned: PlannedRow, occurrence: int
    ) -> giving.DeliveryResult:
        if channel is Channel.EMAIL:
            return giving.email(
                self.ledger,
                given,
                planned.request.email or "",
                self.by,
                settings=self.smtp,
                run=self.run,
            )
        return giving.print_(
            self.ledger,
            given,
            self.by,
            printer=self.printer,
            copies=self.copies,
            occurrence=occurrence,
            run=self.run,
        )

    @staticmethod
    def _uncertain(channel: Channel) -> str:
        what = "the email" if channel is Channel.EMAIL else "the print job"
        return (
            f"{what} may already have been sent by an earlier run that was cut off or not "
            f"confirmed, so it was not sent again; {UNCERTAIN_HINT}"
        )
