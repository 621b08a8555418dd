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
from dataclasses import replace
from pathlib import Path

from .. import giving
from ..channel import Channel
from ..content.store import ContentStore
from ..deliver.mail import SmtpSettings
from ..records import DELIVERED, DeliveryKey, Ledger, Result
from ..records.carry_over import carry_over_folder
from .outcome import NO_ADDRESS, Outcome, RowStatus
from .plan import Job, job_spec

UNCERTAIN_HINT = (
    "check the clinic's sent mail or ask the patient, and send it yourself with "
    "'handouts handout ... --email --again' if it did not arrive"
)


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
        # Read (and check) the SMTP settings and old records before any handout is made.
        env = os.environ if environ is None else environ
        self.smtp = SmtpSettings.from_env(env) if email else None
        if ledger is not None:
            carry_over_folder(ledger, out_dir)
        self._seen: Counter[DeliveryKey] = Counter()
        self._versions: dict[tuple[str, str, str | None], tuple[str, str]] = {}

    def __call__(self, job: Job, outcome: Outcome) -> Outcome:
        if outcome.status not in (RowStatus.MADE, RowStatus.SKIPPED) or not job.patient:
            return outcome
        try:
            given = self._record(job, outcome)
        except OSError as error:
            # Unrecorded, nobody can tell later whether it was sent: send nothing.
            problem = f"not recorded, so not emailed or printed: {error}"
            return replace(outcome, delivery_problems=(problem,))
        outcome = replace(outcome, handout_id=given.handout_id)
        problems: list[str] = []
        done: set[Channel] = set()
        wanted = self._wanted(job)
        for channel in Channel:
            delivered, problem = self._deliver(given, job, channel, wanted)
            if delivered:
                done.add(channel)
            if problem:
                problems.append(problem)
        no_address = Channel.EMAIL in wanted and not job.email and Channel.EMAIL not in done
        return replace(
            outcome,
            delivered=frozenset(done),
            delivery_problems=tuple(problems),
            no_email_address=no_address,
        )

    def _deliver(
        self, given: giving.Given, job: Job, channel: Channel, wanted: set[Channel]
    ) -> tuple[bool, str]:
        """(delivered, now or before; the problem to show on the row, if any)."""
        key = self._key(given, channel)
        try:
            holder = self.ledger.holder(key) if self.ledger is not None else None
        except sqlite3.Error as error:
            return False, f"{channel} not checked in the record, so not sent: {error}"
        if holder is not None and holder.result in DELIVERED:
            return True, ""
        if channel not in wanted:
            return False, ""
        if holder is not None:
            return False, self._uncertain(channel)
        if channel is Channel.EMAIL and not job.email:
            return False, NO_ADDRESS
        result = self._send(given, channel, job, key.occurrence)
        if result.result in DELIVERED and channel is Channel.EMAIL and job.follow_ups:
            self._schedule_follow_ups(given, job)
        return result.result in DELIVERED, self._problem(channel, result)

    def _problem(self, channel: Channel, result: giving.DeliveryResult) -> str:
        if result.result in DELIVERED:
            return ""
        if result.refused:  # another run claimed it a moment ago
            return self._uncertain(channel)
        if result.result is Result.MAY_HAVE_BEEN_SENT:
            return f"email may have been sent: {result.reason}"
        what = "email not sent" if channel is Channel.EMAIL else "not printed"
        return f"{what}: {result.reason}"

    def _record(self, job: Job, outcome: Outcome) -> giving.Given:
        from ..render.made import MadeHandout

        spec = job_spec(self.content, job)
        data = (self.out_dir / job.output).read_bytes()
        made = MadeHandout(spec, data, outcome.pages, job.output, "pdf")
        request = giving.resolved(job.request, spec)
        if self.ledger is not None and outcome.status is RowStatus.SKIPPED:
            # Unchanged since an earlier run: that run's record is this handout.
            earlier = self.ledger.latest_with_pdf(outcome.sha256, request.patient or "")
            if earlier is not None:
                return giving.Given(made, request, earlier.id)
        pair = (job.clinic_id, job.protocol_id, job.language)
        if self.ledger is not None and pair not in self._versions:
            self._versions[pair] = giving.version_of(self.content, spec)
        return giving.record_made(
            self.content,
            self.ledger,
            made,
            job.request,
            self.by,
            self.source,
            run=self.run,
            version=self._versions.get(pair),
        )

    def _schedule_follow_ups(self, given: giving.Given, job: Job) -> None:
        """The list's follow-up column said yes: schedule them to the address just emailed."""
        if self.ledger is None or not job.email:
            return
        from ..follow_ups.schedule import schedule_for_handout

        consent = f"day's list row {job.row}, by {self.by}"
        schedule_for_handout(
            given.made.spec, job.email, self.ledger.folder, self.ledger.clock(), consent
        )

    def _key(self, given: giving.Given, channel: Channel) -> DeliveryKey:
        key = DeliveryKey.for_handout(channel, given.request, given.request.clinic or "")
        if channel is Channel.EMAIL:
            return key
        # Identical print rows are as many patients sharing a name: each gets a copy.
        self._seen[key] += 1
        return replace(key, occurrence=self._seen[key])

    def _wanted(self, job: Job) -> set[Channel]:
        """The channels for this row: --print-unemailed prints what has no address to go to."""
        wanted = set(self.channels)
        if Channel.EMAIL in wanted and not job.email and self.print_unemailed:
            wanted = (wanted - {Channel.EMAIL}) | {Channel.PRINT}
        return wanted

    def _send(
        self, given: giving.Given, channel: Channel, job: Job, occurrence: int
    ) -> giving.DeliveryResult:
        if channel is Channel.EMAIL:
            return giving.email(
                self.ledger, given, job.email or "", self.by, settings=self.smtp, run=self.run
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
