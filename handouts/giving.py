"""Giving a handout: recording what was made, and delivering it once, recorded.

The service's half that touches the ledger. Every handout made for a named
patient is archived (its exact bytes) and recorded with the version of what
it was made from; every email and print job claims its delivery key in the
ledger *before* it goes out, so the same handout reaches a patient once,
whichever front end, folder, day or process sends it. Sending again is only
ever an explicit act (``again=True``), recorded as such.

Blank handouts (no patient) are neither recorded nor claimed.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import secrets
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from hashlib import sha256
from pathlib import Path
from typing import TYPE_CHECKING

from .channel import Channel
from .content.file_names import default_filename
from .content.versions import content_fingerprint
from .errors import HandoutError, MaybeDelivered, NotFound
from .messages import error_message
from .private_files import write_atomic
from .records import (
    DELIVERED,
    Delivery,
    DeliveryKey,
    Ledger,
    NewHandout,
    Result,
)
from .request import HandoutRequest

if TYPE_CHECKING:
    from .content.store import ContentStore
    from .deliver.mail import SmtpSettings
    from .render.made import MadeHandout
    from .render.page import HandoutSpec


class Source:
    """Where a handout was made, as the record says it."""

    COMMAND = "handout"
    BATCH = "batch"
    WEB = "web"
    DAY_LIST = "day's list"


def os_user() -> str:
    """Who runs the command line, for the record."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no name for this uid (a bare container)
        return f"uid {os.getuid()}"


@dataclass(frozen=True)
class Given:
    """A made handout and its place in the record (``handout_id`` None: not recorded)."""

    made: MadeHandout
    request: HandoutRequest  # resolved: clinic and protocol ids, the page's language
    handout_id: int | None


@dataclass(frozen=True)
class DeliveryResult:
    """What one email, print job, download or .eml did."""

    result: Result
    reason: str = ""  # why it failed or may have been sent, in plain words
    detail: str = ""  # the printer and job id
    previous: Delivery | None = None  # set when refused: the delivery already made
    delivery_id: int | None = None
    printer: str = ""  # where a print job went: the printer asked for, the clinic's, or default
    job: str = ""  # the CUPS job id

    @property
    def refused(self) -> bool:
        """Not sent because it was sent (or may have been) before."""
        return self.previous is not None

    @property
    def ok(self) -> bool:
        return not self.refused and self.result not in (Result.FAILED, Result.MAY_HAVE_BEEN_SENT)


def version_of(store: ContentStore, spec: HandoutSpec) -> tuple[str, str]:
    """(content version, review status) of what ``spec`` is made from."""
    language = spec.language if spec.language != _own_language(store, spec) else None
    versions = [
        content_fingerprint(store, spec.clinic.id, protocol_id, language)
        for protocol_id in spec.protocol_ids
    ]
    # Several procedures in one handout: one version for all the files it is made from.
    version = versions[0] if len(versions) == 1 else sha256("+".join(versions).encode()).hexdigest()
    review = spec.protocol.review
    return version, "clinic's own" if review is None else review.status


def _own_language(store: ContentStore, spec: HandoutSpec) -> str:
    try:
        return store.protocol(spec.protocol_ids[0]).language
    except HandoutError:
        return spec.language


def resolved(request: HandoutRequest, spec: HandoutSpec) -> HandoutRequest:
    """``request`` with the ids and values the handout was actually made with."""
    return replace(
        request,
        clinic=spec.clinic.id,
        protocol=spec.protocol_ids[0],
        patient=spec.patient_name,
        procedure_date=spec.procedure_date,
        procedure_time=spec.procedure_time,
        language=spec.language,
    )


def record_made(
    store: ContentStore,
    ledger: Ledger | None,
    made: MadeHandout,
    request: HandoutRequest,
    by: str,
    source: str,
    *,
    run: str | None = None,
    version: tuple[str, str] | None = None,
) -> Given:
    """Archive and record a handout made for a named patient; others pass through.

    ``ledger`` None switches recording off (a benchmark's baseline).
    """
    request = resolved(request, made.spec)
    if ledger is None or not request.named or made.format != "pdf":
        return Given(made, request, None)
    sha256 = ledger.archive.put(made.data)
    content_version, review = version or version_of(store, made.spec)
    handout_id = ledger.record_handout(
        NewHandout(request, by, source, sha256, content_version, review, made.pages, run)
    )
    return Given(made, request, handout_id)


def record_download(ledger: Ledger | None, given: Given, by: str) -> None:
    if ledger is not None and given.handout_id is not None:
        ledger.record_delivery(given.handout_id, Result.DOWNLOADED, by)


def save_email(ledger: Ledger | None, given: Given, address: str, path: Path, by: str) -> Path:
    """Write the email as an ``.eml`` file, recorded as saved (not as sent)."""
    from .deliver import channels

    channels.save_eml(given.made.spec, address, given.made.data, path)
    if ledger is not None and given.handout_id is not None:
        ledger.record_delivery(
            given.handout_id,
            Result.SAVED_EML,
            by,
            channel=Channel.EMAIL,
            recipient=address.strip().casefold(),
            detail=str(path),
        )
    return path


def email(
    ledger: Ledger | None,
    given: Given,
    address: str,
    by: str,
    *,
    again: bool = False,
    environ: Mapping[str, str] | None = None,
    settings: SmtpSettings | None = None,
    run: str | None = None,
) -> DeliveryResult:
    """Email the handout once to ``address``: refused if it went (or may have gone) before."""
    from .deliver.channels import handout_message
    from .deliver.mail import SmtpSettings, send_message

    recipient = address.strip().casefold()
    try:
        message = handout_message(given.made.spec, address.strip(), given.made.data)
        if settings is None:
            settings = SmtpSettings.from_env(os.environ if environ is None else environ)
    except HandoutError as error:
        return _failed_before_sending(ledger, given, Channel.EMAIL, recipient, by, error, run)
    smtp = settings

    def send() -> str:
        send_message(message, smtp)
        return ""

    request = replace(given.request, email=address)
    key = DeliveryKey.for_handout(Channel.EMAIL, request, request.clinic or "")
    return _send_once(ledger, given, key, by, again, run, send)


def print_(
    ledger: Ledger | None,
    given: Given,
    by: str,
    *,
    printer: str | None = None,
    copies: int = 1,
    again: bool = False,
    occurrence: int = 1,
    run: str | None = None,
) -> DeliveryResult:
    """Print the handout once; ``occurrence`` counts identical rows of one list."""
    from .deliver import channels

    spec = given.made.spec
    where = printer or spec.clinic.printer or "the default printer"
    jobs: list[str] = []

    def send() -> str:
        # lp reads the file: a private temporary copy, written whole, gone afterwards.
        folder = ledger.folder if ledger is not None else Path(tempfile.gettempdir())
        path = write_atomic(folder / f".print-{secrets.token_hex(8)}.pdf", given.made.data)
        try:
            job = channels.print_handout(spec, path, printer, copies)
            jobs.append(job)
        finally:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        return f"CUPS job {job} on {where}"

    key = DeliveryKey.for_handout(
        Channel.PRINT, given.request, given.request.clinic or "", occurrence
    )
    result = _send_once(ledger, given, key, by, again, run, send)
    return replace(result, printer=where, job=jobs[0] if jobs else "")


def _send_once(
    ledger: Ledger | None,
    given: Given,
    key: DeliveryKey,
    by: str,
    again: bool,
    run: str | None,
    send: Callable[[], str],
) -> DeliveryResult:
    """Claim the key, send, and record what happened; a held key sends nothing."""
    done = Result.EMAILED if key.channel is Channel.EMAIL else Result.PRINTED
    if ledger is None or given.handout_id is None:
        return _send_unrecorded(done, send)
    try:
        claim = ledger.claim(key, given.handout_id, by, again=again, run=run)
    except OSError as error:
        return DeliveryResult(
            Result.FAILED, f"could not record it first, so nothing was sent ({error})"
        )
    if claim.delivery_id is None:
        assert claim.previous is not None
        return DeliveryResult(claim.previous.result, previous=claim.previous)
    try:
        detail = send()
    except MaybeDelivered as error:
        outcome = DeliveryResult(Result.MAY_HAVE_BEEN_SENT, error_message(error))
    except HandoutError as error:
        outcome = DeliveryResult(Result.FAILED, error_message(error))
    else:
        outcome = DeliveryResult(done, detail=detail)
    try:
        ledger.finish(
            claim.delivery_id, outcome.result, reason=outcome.reason, detail=outcome.detail
        )
    except OSError as error:
        # The record keeps "may have been sent": safe, never resent by itself.
        note = f"it could not be recorded as {outcome.result} ({error})"
        outcome = replace(outcome, reason="; ".join(filter(None, [outcome.reason, note])))
    return replace(outcome, delivery_id=claim.delivery_id)


def _send_unrecorded(done: Result, send: Callable[[], str]) -> DeliveryResult:
    """A blank handout (or recording switched off): sent, with nothing to claim."""
    try:
        return DeliveryResult(done, detail=send())
    except MaybeDelivered as error:
        return DeliveryResult(Result.MAY_HAVE_BEEN_SENT, reason=error_message(error))
    except HandoutError as error:
        return DeliveryResult(Result.FAILED, reason=error_message(error))


def _failed_before_sending(
    ledger: Ledger | None,
    given: Given,
    channel: Channel,
    recipient: str,
    by: str,
    error: HandoutError,
    run: str | None,
) -> DeliveryResult:
    reason = error_message(error)
    delivery_id = None
    if ledger is not None and given.handout_id is not None:
        delivery_id = ledger.record_delivery(
            given.handout_id,
            Result.FAILED,
            by,
            channel=channel,
            recipient=recipient,
            reason=reason,
            run=run,
        )
    return DeliveryResult(Result.FAILED, reason, delivery_id=delivery_id)


def given_again(store: ContentStore, ledger: Ledger, handout_id: int) -> Given:
    """A recorded handout with its archived bytes, to print or email again as it was given."""
    from .render.made import MadeHandout, spec_for_request

    history = ledger.handout(handout_id)
    if history is None:
        raise NotFound(f"there is no handout {handout_id} in the record")
    record = history.handout
    data = ledger.pdf(record.pdf_sha256)
    spec = spec_for_request(store, record.request)  # for the email's words and the clinic's printer
    filename = default_filename(
        record.clinic, record.request.protocol, record.request.procedure_date, record.patient, "pdf"
    )
    made = MadeHandout(spec, data, record.pages, filename, "pdf")
    return Given(made, record.request, handout_id)


def was_delivered(result: DeliveryResult) -> bool:
    return result.result in DELIVERED and not result.refused


__all__ = [
    "DeliveryResult",
    "Given",
    "Source",
    "email",
    "given_again",
    "os_user",
    "print_",
    "record_download",
    "record_made",
    "save_email",
    "version_of",
]
