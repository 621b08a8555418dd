"""Emailing and printing each handout of a batch at most once.

Runs in the batch's parent process, row by row, after the PDF is on disk.
What was already delivered from this folder (the folder's journal, and the
manifest's ``delivered`` column) is not sent again on a re-run, so patients
do not get the same email twice, even after other lists have run into the
same folder; what failed is tried again. A failure is recorded on the row and
the batch goes on.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from ..content.store import ContentStore
from ..deliver.channels import handout_message, print_handout
from ..deliver.journal import Channel, DeliveryJournal
from ..deliver.mail import SmtpSettings, send_message
from ..errors import HandoutError, InputError
from ..render.page import resolve_spec
from .outcome import Outcome
from .plan import Job


class OnceOnlyDelivery:
    """Emails and/or prints a batch's handouts, each at most once per folder."""

    def __init__(
        self,
        content: ContentStore,
        out_dir: Path,
        *,
        email: bool = False,
        print_: bool = False,
        printer: str | None = None,
        copies: int = 1,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.content = content
        self.out_dir = out_dir
        self.channels = {
            c for c, wanted in ((Channel.EMAIL, email), (Channel.PRINT, print_)) if wanted
        }
        self.printer = printer
        self.copies = copies
        self.journal = DeliveryJournal(out_dir)
        # Read (and check) the SMTP settings before any handout is made.
        env = os.environ if environ is None else environ
        self.smtp = SmtpSettings.from_env(env) if email else None

    def __call__(self, job: Job, outcome: Outcome) -> Outcome:
        problems: list[str] = []
        done = set(outcome.delivered)
        logged = self.journal.delivered(job.output)
        for how in sorted(done - logged):
            # Recorded only in a manifest from before the journal existed: copy
            # it over before another list's run replaces that manifest.
            problems += self._record(job.output, how)
        done |= logged
        spec = resolve_spec(
            self.content, job.protocol_id, job.clinic_id, job.patient, job.procedure_date
        )
        path = self.out_dir / job.output
        if Channel.EMAIL in self.channels and Channel.EMAIL not in done:
            try:
                if not job.email:
                    raise InputError("no address in the email column")
                message = handout_message(spec, job.email, path.read_bytes())
                send_message(message, self.smtp)  # type: ignore[arg-type]
                done.add(Channel.EMAIL)
                problems += self._record(job.output, Channel.EMAIL)
            except HandoutError as error:
                problems.append(f"email not sent: {error}")
        if Channel.PRINT in self.channels and Channel.PRINT not in done:
            try:
                print_handout(spec, path, self.printer, self.copies)
                done.add(Channel.PRINT)
                problems += self._record(job.output, Channel.PRINT)
            except HandoutError as error:
                problems.append(f"not printed: {error}")
        return replace(outcome, delivered=frozenset(done), delivery_problems=tuple(problems))

    def _record(self, output: str, how: Channel) -> list[str]:
        """Journal a delivery; a journal that cannot be written is a problem on the row."""
        try:
            self.journal.record(output, how)
        except OSError as error:
            again = "sent" if how == Channel.EMAIL else "printed"
            return [
                f"could not record in {self.journal.path} that it was {how} "
                f"({error.strerror}), so a re-run may have it {again} again"
            ]
        return []
