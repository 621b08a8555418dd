"""The one path every front end takes: the command line, the batch and the web page.

A front end turns what a person typed into a request, calls one function here,
and shows the result; none of them renders, writes or delivers by itself.

- ``make_handout``: a request in; the bytes, page count and file name out.
- ``give``: make it and, for a named patient, archive and record it in the
  ledger (``open_ledger``); ``email_given``, ``print_given``,
  ``save_email_given``, ``record_download``: deliver it once, recorded;
  ``given_again``: a recorded handout's archived bytes, to send again.
- ``save_handout``, ``email_handout``, ``save_email``, ``print_handout``: deliver
  a handout nobody is recorded for (a blank).
- ``run_batch`` and ``make_variants``: many handouts, with progress reported
  through a callback (this library never prints).
- ``WarmHandouts``: ``make_handout`` and page previews for a long-running
  front end, rendered by worker processes that stay warm between requests.

Rendering modules are imported inside the functions that need them: WeasyPrint
alone takes longer to import than ``list`` or ``validate`` take to run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from concurrent.futures import Future, InvalidStateError
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import giving
from .batch.outcome import Outcome, RowStatus, Summary
from .content.file_names import same_language
from .content.store import CachedContentStore, ContentStore
from .errors import HandoutError, InputError
from .giving import DeliveryResult, Given, Source, os_user
from .private_files import write_atomic
from .records import Clock, Ledger, Result, data_dir
from .records.retention import Retention
from .render.made import MadeHandout, spec_for_request
from .request import Format, HandoutRequest
from .signing import (
    MAX_SIGNATURE_BYTES,
    SignatureRefused,
    SignatureTooLarge,
    record_signature,
    signatures_of,
)

if TYPE_CHECKING:
    from .batch.plan import BadRow, PlannedRow
    from .batch.rows import RawRow
    from .batch.run import ProgressCallback
    from .content.approval import Approval, SignOff
    from .deliver.mail import SmtpSettings
    from .follow_ups.sender import SendReport
    from .inputs.dates import ProcedureWhen
    from .render.warm import WarmRenderers


@dataclass(frozen=True)
class UnderstoodDate:
    """A typed date as the tool read it, with what a front end shows back."""

    when: ProcedureWhen
    spelled_out: str  # "Monday 23 November 2026", the clinic's way
    far: bool  # more than a year from today: ask before making anything
    past: bool = False  # more than a few days before today: ask before making anything

    @property
    def needs_confirming(self) -> bool:
        return self.far or self.past


def understand_date(
    store: ContentStore,
    text: str,
    *,
    protocol: str,
    clinic: str | None = None,
    today: dt.date | None = None,
    what: str = "--date",
) -> UnderstoodDate:
    """Read a typed procedure date the way the clinic writes dates, in the protocol's language.

    Unknown clinic or protocol names raise ``NotFound`` before the date is read.
    """
    from .inputs import clock
    from .inputs.date_checks import PAST_GRACE, DateFlag, date_flags
    from .inputs.dates import read_when, spelled_out

    branding = store.clinic(clinic)
    language = store.protocol(protocol).language
    anchor = today or clock.today()
    when = read_when(text, what, today=anchor, date_style=branding.date_style, language=language)
    flags = date_flags(when.date, anchor, grace=PAST_GRACE)
    return UnderstoodDate(
        when,
        spelled_out(when, branding.date_style, language),
        DateFlag.FAR_AHEAD in flags,
        DateFlag.PAST in flags,
    )


def make_handout(store: ContentStore, request: HandoutRequest) -> MadeHandout:
    """Render one handout in memory; nothing is written."""
    from .render.page import render_standalone_html

    spec = spec_for_request(store, request)
    pages: int | None = None
    if request.format == "html":
        data = render_standalone_html(spec).encode("utf-8")
    else:
        from .render.pdf import shared_renderer

        data, pages = shared_renderer().render(spec, request.pdf_variant)
    return MadeHandout.of(spec, data, pages, request.format)


def approval(store: ContentStore, protocol: str, language: str | None = None) -> Approval:
    """Whether a protocol (in a language) is a draft, and who signed it off: for pickers."""
    from .content.approval import approval_of

    return approval_of(store, protocol, language)


def sign_off(
    store: ContentStore,
    protocol: str,
    clinician: str,
    *,
    language: str | None = None,
    today: dt.date | None = None,
) -> SignOff:
    """Record a clinician's sign-off of a protocol's (or translation's) current text."""
    from .content.approval import sign_off as record

    return record(store, protocol, clinician, language=language, today=today)


class WarmHandouts:
    """``make_handout`` and page previews, rendered in warm worker processes.

    For a server: the workers load WeasyPrint, the clinics' fonts and their
    stylesheets once, so a request pays only for laying out its handout. The
    PDF is the same, byte for byte, as ``make_handout``'s. Previews are kept
    for the last few distinct requests, so going back to an earlier value in
    the form (or two people asking for the same blank handout) costs nothing.
    """

    PREVIEW_CACHE_SIZE = 32
    WARM_PAIRS = 24

    def __init__(self, store: ContentStore, workers: int | None = None) -> None:
        from .batch.pool import default_workers

        self.store = CachedContentStore(store.root)
        self.workers = workers or default_workers()
        self._renderers: WarmRenderers | None = None
        self._previews: OrderedDict[HandoutRequest, list[bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the workers, warm: every clinic's fonts and every protocol's first layout.

        Each clinic is rendered once (its fonts and stylesheets), and each
        protocol once with the default clinic, rather than every pair: a chain
        with many of both would otherwise wait minutes before it could serve.
        """
        from .render.warm import WarmRenderers

        clinics, protocols = self.store.clinic_ids(), self.store.protocol_ids()
        try:
            default: str | None = self.store.default_clinic_id
        except HandoutError:  # shown on the page when someone asks for it
            default = clinics[0] if clinics else None
        pairs: dict[tuple[str, str], None] = {}
        if protocols:
            for clinic in clinics:
                pairs[(clinic, protocols[0])] = None
            if default is not None:
                for protocol in protocols:
                    pairs[(default, protocol)] = None
        warm = list(pairs)[: self.WARM_PAIRS]
        self._renderers = WarmRenderers(self.store, self.workers, warm)
        self._renderers.start()

    def close(self) -> None:
        if self._renderers is not None:
            self._renderers.close()
            self._renderers = None

    def _warm(self) -> WarmRenderers:
        if self._renderers is None:
            raise RuntimeError("WarmHandouts.start() was not called")
        return self._renderers

    def make(self, request: HandoutRequest) -> MadeHandout:
        """What ``make_handout`` returns, rendered by a warm worker."""
        made: MadeHandout = self.make_later(request).result()
        return made

    def make_later(
        self, request: HandoutRequest, slot: Hashable | None = None
    ) -> Future[MadeHandout]:
        """``make``, queued in ``slot``'s turns (a session's), so a server can await it.

        Cancel the future to drop it while it waits; a newer preview never replaces it.
        """
        if request.format != "pdf":
            done: Future[MadeHandout] = Future()
            done.set_result(make_handout(self.store, request))
            return done
        spec = spec_for_request(self.store, request)
        rendered = self._warm().render_later(spec, request.pdf_variant, slot)
        made: Future[MadeHandout] = Future()

        def finished(future: Future[tuple[bytes, int]]) -> None:
            with contextlib.suppress(InvalidStateError):  # the caller gave up meanwhile
                if future.cancelled():
                    made.cancel()
                elif (error := future.exception()) is not None:
                    made.set_exception(error)
                else:
                    data, pages = future.result()
                    made.set_result(MadeHandout.of(spec, data, pages, "pdf"))

        def given_up(future: Future[MadeHandout]) -> None:
            if future.cancelled():
                rendered.cancel()  # a waiting render never starts, as for previews

        made.add_done_callback(given_up)
        rendered.add_done_callback(finished)
        return made

    def preview(self, request: HandoutRequest) -> list[bytes]:
        """The handout's pages as PNG images."""
        pages: list[bytes] = self.preview_later(request).result()
        return pages

    def preview_later(
        self, request: HandoutRequest, slot: Hashable | None = None
    ) -> Future[list[bytes]]:
        """A preview queued for a worker (``slot``: whose; a newer one replaces its older)."""
        request = request.page_only()  # the address does not change the page
        done: Future[list[bytes]] = Future()
        with self._lock:
            if request in self._previews:
                self._previews.move_to_end(request)
                done.set_result(self._previews[request])
                return done
        queued = self._warm().preview_later(
            spec_for_request(self.store, request, preview=True), slot
        )
        queued.add_done_callback(lambda future: self._keep(request, future))
        return queued

    def _keep(self, request: HandoutRequest, future: Future[list[bytes]]) -> None:
        if future.cancelled() or future.exception() is not None:
            return
        with self._lock:
            self._previews[request] = future.result()
            while len(self._previews) > self.PREVIEW_CACHE_SIZE:
                self._previews.popitem(last=False)


def save_handout(made: MadeHandout, path: Path | None = None, folder: Path = Path("out")) -> Path:
    """Write it atomically and owner-only, to ``path`` or ``folder``/its default name."""
    return write_atomic(path or folder / made.filename, made.data)


def make_calendar(store: ContentStore, request: HandoutRequest) -> tuple[str, bytes]:
    """The handout's dates as an iCalendar download: (file name, bytes).

    Nothing about the patient is in it: a calendar event is often synced to
    places a handout never goes."""
    from .render.calendar import build_calendar
    from .render.page import resolve_spec

    if request.procedure_date is None:
        raise InputError("Calendar: give the procedure date first.")
    spec = resolve_spec(
        store,
        request.protocol,
        request.clinic,
        None,  # the name is not in a calendar
        request.procedure_date,
        request.procedure_time,
        language=request.language,
        next_visit=request.next_visit,
        next_visit_time=request.next_visit_time,
    )
    name = f"{spec.clinic.id}_{spec.protocol.id}_{spec.procedure_date}.ics"
    return name, build_calendar(spec)


def save_calendar(made: MadeHandout, path: Path) -> Path:
    """Write the handout's dates as an iCalendar file (owner-only, atomically)."""
    from .errors import InputError
    from .render.calendar import build_calendar

    if made.spec.procedure_date is None:
        raise InputError("--ics needs --date: a handout without a date has nothing to put in it")
    return write_atomic(path, build_calendar(made.spec))


def schedule_follow_ups(
    made: MadeHandout,
    address: str,
    *,
    data: Path | None = None,
    now: dt.datetime | None = None,
    consent: str = "front desk, handouts handout --follow-ups",
) -> int:
    """After the handout was emailed to ``address``: schedule its follow-ups there.

    Returns how many were scheduled (none when the clinic does not send them).
    """
    from .follow_ups.schedule import schedule_for_handout
    from .records import data_dir as records_dir

    folder = data or records_dir()
    moment = now or dt.datetime.now(dt.UTC)
    count, _token = schedule_for_handout(made.spec, address, folder, moment, consent)
    return count


def send_due_follow_ups(
    store: ContentStore,
    data: Path,
    now: dt.datetime,
    *,
    environ: Mapping[str, str] | None = None,
    public_url: str | None = None,
) -> SendReport:
    """Send the follow-ups due at ``now`` (SMTP settings from HANDOUTS_SMTP_*), each once."""
    from .deliver.mail import SmtpSettings
    from .follow_ups.outbox import Outbox
    from .follow_ups.sender import send_due

    settings = SmtpSettings.from_env(os.environ if environ is None else environ)
    with Outbox(data) as outbox:
        return send_due(outbox, store, settings, now, public_url=public_url)


def check_email_ready(
    address: str, *, need_smtp: bool, environ: Mapping[str, str] | None = None
) -> None:
    """Refuse a bad address or missing SMTP settings before anything is made."""
    from .deliver.mail import SmtpSettings, check_address

    check_address(address)
    if need_smtp:
        SmtpSettings.from_env(os.environ if environ is None else environ)


def email_handout(
    made: MadeHandout, address: str, environ: Mapping[str, str] | None = None
) -> None:
    """Send it by SMTP (settings from the HANDOUTS_SMTP_* variables)."""
    from .deliver import channels

    channels.email_handout(made.spec, address, made.data, environ=environ)


def save_email(made: MadeHandout, address: str, path: Path) -> Path:
    """Write the email as an ``.eml`` file for staff to send from their own mail program."""
    from .deliver import channels

    return channels.save_eml(made.spec, address, made.data, path)


def print_handout(
    made: MadeHandout, pdf_path: Path, printer: str | None = None, copies: int = 1
) -> str:
    """Queue the saved PDF on a CUPS printer; returns the job id."""
    from .deliver import channels

    return channels.print_handout(made.spec, pdf_path, printer, copies)


# -- the record: made, delivered once, recorded (see ``giving``) -------------


def open_ledger(environ: Mapping[str, str] | None = None, clock: Clock | None = None) -> Ledger:
    """The data folder's ledger, shared by the command line and the web server."""
    from .records import system_clock

    return Ledger(data_dir(environ), clock or system_clock)


def give(
    store: ContentStore,
    request: HandoutRequest,
    *,
    ledger: Ledger | None,
    by: str,
    source: str,
    maker: Callable[[HandoutRequest], MadeHandout] | None = None,
    made: MadeHandout | None = None,
) -> Given:
    """Make a handout and, for a named patient, archive and record it.

    ``maker`` is a warm renderer's ``make`` on a server; by default ``make_handout``.
    ``made``: the handout already made for ``request`` (a server awaited its render).
    """
    if made is None:
        made = maker(request) if maker is not None else make_handout(store, request)
    return giving.record_made(store, ledger, made, request, by, source)


def save_bytes(data: bytes, path: Path) -> Path:
    """Write bytes (an archived PDF) atomically and owner-only."""
    return write_atomic(path, data)


def mail_settings(environ: Mapping[str, str] | None = None) -> SmtpSettings:
    """The mail server the environment sets up, for a Settings page (``DeliveryError``
    says what is missing); its password stays out of its repr."""
    from .deliver.mail import SmtpSettings

    return SmtpSettings.from_env(os.environ if environ is None else environ)


def known_printers() -> list[str]:
    """The print queues CUPS knows, or an empty list if it cannot tell."""
    from .deliver.printing import known_printers as cups_printers

    return cups_printers()


MANIFEST_NAME = "manifest.csv"  # in a batch's output folder; an export of that run


def retention(environ: Mapping[str, str] | None = None) -> Retention:
    """The data folder's retention settings (HANDOUTS_KEEP_DAYS, HANDOUTS_KEEP_UPLOADS)."""
    return Retention.from_env(environ)


email_given = giving.email  # once per key; ``again=True`` to send on purpose
print_given = giving.print_  # once per key; writes its own private temporary PDF
save_email_given = giving.save_email  # an .eml, recorded as saved, not sent
record_download = giving.record_download
given_again = giving.given_again  # a recorded handout with its archived bytes


@dataclass(frozen=True)
class BatchRequest:
    """A day's list: the CSV and what to do with each row's handout."""

    csv_path: Path
    out_dir: Path = Path("out")
    clinic: str | None = None  # for rows without one
    workers: int | None = None
    force: bool = False
    email: bool = False
    print_: bool = False
    printer: str | None = None
    copies: int = 1
    profile: str | None = None  # an import profile's id: imports/<id>.yaml
    print_unemailed: bool = False  # with email: print rows that have no address
    # Email and print once more what went (or may have gone) before, as first given;
    # recorded as sent again. Without it, nothing is ever sent twice.
    again: bool = False
    today: dt.date | None = None  # anchors "today" in the file and far-date warnings
    # How worker processes start; a server with threads asks for "forkserver".
    start_method: str = "fork"
    by: str | None = None  # who runs it, for the record (default: the OS user)
    source: str = "batch"  # "day's list" from the web page
    # False: handouts are not archived or recorded, nothing is claimed (a benchmark's
    # baseline); the run and its rows still are, for the manifest and re-runs.
    record: bool = True
    # Dates in the past or far from the list's other dates were seen and are meant:
    # without it ``run_batch`` refuses such a list (DatesToConfirm) before making anything.
    dates_ok: bool = False
    # Make drafts without a sign-off for this run (a person chose to; see content/approval.py).
    allow_draft: bool = False
    # More files of the same day's list (one per status, or CSV and Excel), read as one.
    more_paths: tuple[Path, ...] = ()
    # The check page's fixes: row number -> field -> new value, and rows staff left out.
    corrections: Mapping[int, Mapping[str, str]] = field(default_factory=dict)
    left_out: frozenset[int] = frozenset()


@dataclass(frozen=True)
class BatchPlan:
    """A day's list checked row by row, before anything is made."""

    rows: list[RawRow]  # as read (corrections applied), for showing them
    planned: list[PlannedRow]  # the rows that get a handout, each with its request
    bad_rows: list[BadRow]
    titles: list[str] = field(default_factory=list)  # the lines above the header(s)
    # Where each file's rows start: (first row number, file name), for several files.
    sources: list[tuple[int, str]] = field(default_factory=list)

    @property
    def to_confirm(self) -> list[PlannedRow]:
        """Rows whose date a person must confirm (``PlannedRow.date_flags``) before making."""
        return [p for p in self.planned if p.needs_confirming]


class DatesToConfirm(InputError):
    """A list with dates in the past or far from its other dates, not yet confirmed."""

    def __init__(self, plan: BatchPlan) -> None:
        self.plan = plan
        lines = [f"row {p.row}: {p.warning}" for p in plan.to_confirm]
        super().__init__(
            "check these dates before any handout is made:\n"
            + "\n".join(lines)
            + "\nIf they are right, confirm them (batch --dates-ok)."
        )


def plan_batch(store: ContentStore, request: BatchRequest) -> BatchPlan:
    """Read and check every row of the list's file(s); a bad row is named with its reason.

    Several files (``more_paths``) are read as one list; rows are numbered on
    from one file to the next. ``corrections`` and ``left_out`` apply the
    check page's fixes before the rows are checked.
    """
    from .batch.plan import plan_rows
    from .batch.rows import amend_rows, read_exports

    cached = store if isinstance(store, CachedContentStore) else CachedContentStore(store.root)
    clinic = None
    if request.clinic:
        # An unknown clinic is the caller's mistake, not 30 bad rows.
        clinic = cached.clinic_id_for(request.clinic)
    profile = cached.import_profile(request.profile) if request.profile else None
    export = read_exports([request.csv_path, *request.more_paths], profile)
    rows = amend_rows(export.rows, request.corrections, request.left_out)
    planned, bad_rows = plan_rows(
        rows,
        cached,
        clinic,
        date_format=profile.date_format if profile else None,
        today=request.today,
        titles=export.titles,
        allow_draft=request.allow_draft,
    )
    return BatchPlan(rows, planned, bad_rows, export.titles, export.sources)


def run_batch(
    store: ContentStore,
    request: BatchRequest,
    on_progress: ProgressCallback | None = None,
    environ: Mapping[str, str] | None = None,
    ledger: Ledger | None = None,
) -> Summary:
    """One handout per CSV row, recorded and delivered once; what happened to every row.

    ``ledger`` defaults to the data folder's (``HANDOUTS_DATA`` in ``environ``).
    """
    from .batch.delivery import BatchGiver
    from .batch.run import run_rows

    cached = CachedContentStore(store.root)
    if request.clinic:
        cached.clinic_id_for(request.clinic)  # before the delivery records are opened
    if request.profile:
        cached.import_profile(request.profile)
    plan = plan_batch(cached, request)
    if plan.to_confirm and not request.dates_ok:
        raise DatesToConfirm(plan)  # before the delivery records are opened, too
    if ledger is None:
        ledger = open_ledger(environ)
    by = request.by or giving.os_user()
    run = secrets.token_hex(8)
    deliver = None
    if request.record or request.email or request.print_:
        deliver = BatchGiver(
            cached,
            ledger if request.record else None,
            request.out_dir,
            by=by,
            source=request.source,
            run=run,
            email=request.email,
            print_=request.print_,
            printer=request.printer,
            copies=request.copies,
            print_unemailed=request.print_unemailed,
            again=request.again,
            environ=environ,
        )
    if request.record:
        # A cancelled appointment in this list stops follow-ups scheduled by an earlier one.
        from .follow_ups.cancelled import cancel_left_out

        profile = cached.import_profile(request.profile) if request.profile else None
        cancel_left_out(
            plan.rows,
            cached,
            request.clinic,
            ledger.folder,
            ledger.clock(),
            date_format=profile.date_format if profile else None,
        )
    return run_rows(
        cached,
        plan.planned,
        plan.bad_rows,
        request.out_dir,
        ledger=ledger,
        run=run,
        by=by,
        source=request.source,
        workers=request.workers,
        force=request.force,
        on_progress=on_progress,
        start_method=request.start_method,
        deliver=deliver,
    )


def make_variants(
    store: ContentStore,
    out_dir: Path,
    clinic_ids: list[str] | None = None,
    protocol_ids: list[str] | None = None,
    *,
    language: str | None = None,
    workers: int | None = None,
    force: bool = False,
    on_progress: ProgressCallback | None = None,
    allow_draft: bool = False,
    ledger: Ledger | None = None,
    environ: Mapping[str, str] | None = None,
) -> Summary:
    """Blank handouts for every clinic x protocol, as ``out_dir/<clinic>/<protocol>.pdf``
    (``<protocol>.<language>.pdf`` in a translation).

    Print stock reaches patients: a draft no clinician signed off is left out
    of "every protocol" (said in the summary) and refused when named, unless
    ``allow_draft`` or the clinic allows drafts.
    """
    from .batch.outcome import RowStatus
    from .batch.plan import BadRow, plan_variants
    from .batch.run import run_rows
    from .content.approval import approval_of, check_approved

    cached = CachedContentStore(store.root)
    clinics = list(dict.fromkeys(clinic_ids or [])) or cached.clinic_ids()
    protocols = list(dict.fromkeys(protocol_ids or []))
    if not protocols:
        # Every protocol, or with a language, every protocol that has it.
        protocols = [
            pid
            for pid in cached.protocol_ids()
            if language is None
            or any(same_language(language, lang) for lang in cached.protocol_languages(pid))
        ]
    named = bool(protocol_ids)
    clinics = list(dict.fromkeys(cached.clinic_id_for(name) for name in clinics))
    left_out: list[str] = []
    strict = [c for c in clinics if not cached.clinic(c).allow_drafts]
    if not allow_draft and strict:
        approved = []
        for protocol in protocols:
            if named:
                check_approved(cached, protocol, strict[0], language)
                approved.append(protocol)
            elif approval_of(cached, protocol, language).approved:
                approved.append(protocol)
            else:
                left_out.append(protocol)
        protocols = approved
    planned = plan_variants(cached, clinics, protocols, language)
    drafts = [
        BadRow(
            len(planned) + number,
            f"{protocol} (a draft no clinician signed off; --allow-draft includes it)",
            RowStatus.LEFT_OUT,
        )
        for number, protocol in enumerate(left_out, start=1)
    ]
    # Blank stock names nobody and is not a handout given: only the run and its rows
    # are recorded (``ledger`` defaults to the data folder's), for its manifest and re-runs.
    return run_rows(
        cached,
        planned,
        drafts,
        out_dir,
        ledger=ledger or open_ledger(environ),
        run=secrets.token_hex(8),
        by=os_user(),
        source="variants",
        workers=workers,
        force=force,
        on_progress=on_progress,
    )


# What front ends use: they import this module and the models they show, nothing below.
__all__ = [
    "MANIFEST_NAME",
    "MAX_SIGNATURE_BYTES",
    "BatchPlan",
    "BatchRequest",
    "Clock",
    "DeliveryResult",
    "Format",
    "Given",
    "HandoutRequest",
    "Ledger",
    "MadeHandout",
    "Outcome",
    "Result",
    "RowStatus",
    "SignatureRefused",
    "SignatureTooLarge",
    "Source",
    "Summary",
    "UnderstoodDate",
    "WarmHandouts",
    "check_email_ready",
    "email_given",
    "email_handout",
    "give",
    "given_again",
    "known_printers",
    "make_calendar",
    "make_handout",
    "make_variants",
    "open_ledger",
    "os_user",
    "plan_batch",
    "print_given",
    "print_handout",
    "record_download",
    "record_signature",
    "retention",
    "run_batch",
    "save_bytes",
    "save_email",
    "save_email_given",
    "save_handout",
    "signatures_of",
    "understand_date",
]
