"""Emailing and printing each handout of a batch at most once.

Runs in the batch's parent process, row by row, after the PDF is on disk.
What was already delivered from this folder is looked up by who it went to
(``journal``), never by file name, so reordered rows, other lists run into the
same folder and remade files never make anyone get an email twice, and never
skip anyone. What failed for certain is tried again on a re-run; an email that
may have gone out is reported and left alone. A failure is recorded on the row
and the batch goes on.
"""

from __future__ import annotations

import os
import sqlite3
from collections import Counter
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from ..content.store import ContentStore
from ..deliver.channel import Channel
from ..deliver.channels import handout_message, print_handout
from ..deliver.journal import DeliveryKey, DeliveryRecords, State
from ..deliver.mail import SmtpSettings, send_message
from ..errors import HandoutError, InputError, MaybeDelivered
from ..render.page import HandoutSpec, resolve_spec
from .outcome import Outcome
from .plan import Job

UNCERTAIN_HINT = (
    "check the clinic's sent mail or ask the patient, and send it yourself with "
    "'handouts handout ... --email' if it did not arrive"
)


class OnceOnlyDelivery:
    """Emails and/or prints a batch's handouts, each at most once per folder and person."""

    def __init__(
        self,
        content: ContentStore,
        out_dir: Path,
        *,
        email: bool = False,
        print_: bool = False,
        printer: str | None = None,
        copies: int = 1,
        print_unemailed: bool = False,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.content = content
        self.out_dir = out_dir
        self.channels = {
            c for c, wanted in ((Channel.EMAIL, email), (Channel.PRINT, print_)) if wanted
        }
        self.printer = printer
        self.copies = copies
        # With --email: print the handouts of rows that have no address, instead.
        self.print_unemailed = print_unemailed
        # Read (and check) the SMTP settings and the records before any handout is made.
        env = os.environ if environ is None else environ
        self.smtp = SmtpSettings.from_env(env) if email else None
        self.records = DeliveryRecords(out_dir)
        self._seen: Counter[DeliveryKey] = Counter()

    def key(self, job: Job, channel: Channel) -> DeliveryKey:
        """Who ``job``'s handout goes to by ``channel``, not counting identical rows."""
        return DeliveryKey(
            channel=channel,
            recipient=(job.email or "").strip().casefold() if channel is Channel.EMAIL else "",
            patient=job.patient or "",
            clinic=job.clinic_id,
            protocol=job.protocol_id,
            procedure_date=job.procedure_date.isoformat() if job.procedure_date else "",
        )

    def __call__(self, job: Job, outcome: Outcome) -> Outcome:
        problems: list[str] = []
        done: set[Channel] = set()
        wanted = self._wanted(job)
        keys = {channel: self._occurrence(self.key(job, channel)) for channel in Channel}
        spec: HandoutSpec | None = None
        for channel in Channel:
            key = keys[channel]
            state = self.records.state(key)
            if state is None and channel in self.records.legacy(job.output):
                # Only an earlier version's log knows: carry it over to this person.
                self._mark(key, State.DONE, job, problems)
                state = State.DONE
            if state is State.DONE:
                done.add(channel)
                continue
            if channel not in wanted:
                continue
            if state is not None:
                problems.append(
                    f"{_what(channel)} may already have been sent by an earlier run that was "
                    f"cut off or not confirmed, so it was not sent again; {UNCERTAIN_HINT}"
                )
                continue
            spec = spec or resolve_spec(
                self.content,
                job.protocol_id,
                job.clinic_id,
                job.patient,
                job.procedure_date,
                job.procedure_time,
                language=job.language,
            )
            if self._deliver(channel, key, job, spec, problems):
                done.add(channel)
        no_address = Channel.EMAIL in wanted and not job.email and Channel.EMAIL not in done
        return replace(
            outcome,
            delivered=frozenset(done),
            delivery_problems=tuple(problems),
            no_email_address=no_address,
        )

    def _wanted(self, job: Job) -> set[Channel]:
        """The channels for this row: --print-unemailed prints what has no address to go to."""
        wanted = set(self.channels)
        if Channel.EMAIL in wanted and not job.email and self.print_unemailed:
            wanted = (wanted - {Channel.EMAIL}) | {Channel.PRINT}
        return wanted

    def _occurrence(self, key: DeliveryKey) -> DeliveryKey:
        # Identical print rows are as many patients sharing a name: each gets a copy.
        # An email goes to an address; the same email twice to one address is once.
        if key.channel is Channel.EMAIL:
            return key
        self._seen[key] += 1
        return replace(key, occurrence=self._seen[key])

    def _deliver(
        self, channel: Channel, key: DeliveryKey, job: Job, spec: HandoutSpec, problems: list[str]
    ) -> bool:
        path = self.out_dir / job.output
        try:
            if channel is Channel.EMAIL and not job.email:
                raise InputError("no address in the email column")
            message = (
                handout_message(spec, job.email or "", path.read_bytes())
                if (channel is Channel.EMAIL)
                else None
            )
        except HandoutError as error:
            problems.append(f"email not sent: {error}")
            return False
        if not self._mark(key, State.SENDING, job, problems):
            return False
        try:
            if message is not None:
                send_message(message, self.smtp)  # type: ignore[arg-type]
            else:
                print_handout(spec, path, self.printer, self.copies)
        except MaybeDelivered as error:
            self._mark(key, State.UNCERTAIN, job, problems)
            problems.append(f"email may have been sent: {error}")
            return False
        except HandoutError as error:
            try:
                self.records.forget(key)
            except OSError as record_error:
                problems.append(f"could not clear the record of the attempt ({record_error})")
            problems.append(f"{'email not sent' if message else 'not printed'}: {error}")
            return False
        return self._mark(key, State.DONE, job, problems)

    def _mark(self, key: DeliveryKey, state: State, job: Job, problems: list[str]) -> bool:
        """Record a state; records that cannot be written are a problem on the row."""
        try:
            self.records.mark(key, state, job.output, job.inputs_hash)
        except (OSError, sqlite3.Error) as error:
            if state is State.SENDING:
                problems.append(
                    f"{_what(key.channel)} not sent: could not record it in "
                    f"{self.records.path} first ({error})"
                )
            else:
                problems.append(
                    f"could not record in {self.records.path} that it was {key.channel} "
                    f"({error}); it will not be sent again until that is fixed"
                )
            return False
        return True


def _what(channel: Channel) -> str:
    return "the email" if channel is Channel.EMAIL else "the print job"
