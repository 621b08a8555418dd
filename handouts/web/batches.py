"""A day's list in the browser: uploaded, checked, then made (and delivered) in the background.

Every list of one day goes to the same folder, ``batches/<day>/`` in the data
folder; the ledger's record of each run lets a re-run skip what is made (the
folder's manifest.csv is only its export). Who was already emailed or printed
is the ledger's to say, as for the command line: the same list uploaded again,
another day or from the command line emails nobody twice.
The service records every handout and delivery; this module keeps none.

The uploaded CSV holds patients' names: it is on disk only while its list is
being made, unless the server is set to keep uploads (``HANDOUTS_KEEP_UPLOADS``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import logging
import secrets
import threading
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .. import service
from ..content.store import ContentStore
from ..errors import HandoutError
from .data import DataFolder
from .history import History

log = logging.getLogger(__name__)


@dataclass
class BatchRun:
    """One uploaded list: its check, and its latest run."""

    token: str
    csv_path: Path
    csv: bytes  # the upload, written to ``csv_path`` only while its list is made
    out_dir: Path
    clinic: str | None
    profile: str | None  # the booking system's import profile, if any
    plan: service.BatchPlan
    user: str
    running: bool = False
    done: int = 0
    total: int = 0
    summary: service.Summary | None = None
    problem: str = ""  # why the last run could not start or finish
    lock: threading.Lock = field(default_factory=threading.Lock)
    # The check page's fixes, applied whenever the list is read again (plan and run).
    corrections: dict[int, dict[str, str]] = field(default_factory=dict)
    left_out: set[int] = field(default_factory=set)

    def outputs(self) -> list[str]:
        if self.summary is None:
            return []
        return [o.output for o in self.summary.outcomes if o.has_file]

    def zip_bytes(self) -> bytes:
        """Every handout the last run made or found made, as one ZIP."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
            for output in self.outputs():
                archive.write(self.out_dir / output, output)
        return buffer.getvalue()


class BatchRuns:
    """The lists uploaded since the server started, by an unguessable token."""

    def __init__(
        self,
        store: ContentStore,
        data: DataFolder,
        history: History,
        environ: Mapping[str, str],
    ) -> None:
        self.store = store
        self.data = data
        self.history = history
        self.environ = environ
        self.retention = service.retention(environ)
        self._runs: dict[str, BatchRun] = {}

    def check(
        self,
        csv: bytes,
        clinic: str | None,
        profile: str | None,
        user: str,
        suffix: str = ".csv",
    ) -> BatchRun:
        """Keep the upload (owner-only) and check every row; nothing is made yet.

        ``suffix`` is ".xlsx" for an Excel export, which is read as a workbook.
        """
        token = secrets.token_urlsafe(16)
        csv_path = service.save_bytes(csv, self.data.path / "uploads" / f"{token}{suffix}")
        out_dir = self.data.path / "batches" / dt.date.today().isoformat()
        request = service.BatchRequest(csv_path, out_dir, clinic, profile=profile)
        try:
            plan = service.plan_batch(self.store, request)
        finally:
            if not self.retention.keep_uploads:
                csv_path.unlink()  # kept in memory until the list is made
        run = BatchRun(token, csv_path, csv, out_dir, clinic, profile, plan, user)
        self._runs[token] = run
        return run

    def get(self, token: str) -> BatchRun | None:
        return self._runs.get(token)

    def amend(
        self,
        run: BatchRun,
        row: int,
        correction: dict[str, str] | None = None,
        *,
        leave_out: bool | None = None,
    ) -> None:
        """Correct a row, or leave it out (or put it back), and check the list again.

        The uploaded file stays as it came; the fixes are kept beside it.
        """
        corrections = {**run.corrections}
        left_out = set(run.left_out)
        if correction:
            corrections[row] = {**corrections.get(row, {}), **correction}
        if leave_out is True:
            left_out.add(row)
        elif leave_out is False:
            left_out.discard(row)
        request = service.BatchRequest(
            run.csv_path,
            run.out_dir,
            run.clinic,
            profile=run.profile,
            corrections=corrections,
            left_out=frozenset(left_out),
        )
        if not run.csv_path.exists():  # removed after the check; the list is in memory
            service.save_bytes(run.csv, run.csv_path)
        try:
            plan = service.plan_batch(self.store, request)  # refuses a bad fix before keeping it
        finally:
            if not self.retention.keep_uploads:
                run.csv_path.unlink()
        run.plan, run.corrections, run.left_out = plan, corrections, left_out

    def start(
        self,
        run: BatchRun,
        user: str,
        *,
        email: bool = False,
        print_: bool = False,
        printer: str | None = None,
        dates_ok: bool = False,
    ) -> bool:
        """Start making (and delivering) the list in the background; False if it already runs."""
        with run.lock:
            if run.running:
                return False
            run.running = True
            run.done, run.total, run.problem = 0, len(run.plan.rows), ""
        request = service.BatchRequest(
            run.csv_path,
            run.out_dir,
            run.clinic,
            email=email,
            print_=print_,
            printer=printer or None,
            profile=run.profile,
            start_method="forkserver",
            dates_ok=dates_ok,
            corrections=run.corrections,
            left_out=frozenset(run.left_out),
            by=user,
            source=service.Source.DAY_LIST,
        )
        thread = threading.Thread(
            target=self._run, args=(run, request, user), name=f"batch-{run.token[:6]}", daemon=True
        )
        thread.start()
        return True

    def _run(self, run: BatchRun, request: service.BatchRequest, user: str) -> None:
        def progress(outcome: service.Outcome, done: int, total: int) -> None:
            run.done, run.total = done, total

        try:
            if not run.csv_path.exists():  # removed after the last run; the list is in memory
                service.save_bytes(run.csv, run.csv_path)
            run.summary = service.run_batch(
                self.store, request, progress, self.environ, ledger=self.history.ledger
            )
        except HandoutError as error:
            run.problem = f"The list was not finished: {error}"
        except Exception as error:  # the page must say something went wrong, not spin forever
            # No traceback: its messages could hold a patient's name from a row.
            log.error("a day's list stopped with %s", type(error).__name__)
            run.problem = (
                f"The list was not finished: it stopped with an unexpected error "
                f"({type(error).__name__}). Press the button again; if it happens again, "
                "tell whoever runs the server (the server's log says more)."
            )
        finally:
            if not self.retention.keep_uploads:
                with contextlib.suppress(FileNotFoundError):
                    run.csv_path.unlink()
            run.running = False
