"""One record of every handout given: the ledger and the archive of exact PDFs.

Everything lives in the data folder (``HANDOUTS_DATA``, else the user's data
directory), shared by the command line and the web server:
``records.sqlite3`` (owner-only, WAL) and ``archive/`` (PDFs by sha256).

API (stable; add to it, do not rename):

- ``data_dir(environ=None) -> Path``: the data folder.
- ``Ledger(folder, clock=system_clock)``: opens (creating and migrating) the
  ledger; ``clock`` returns an aware ``datetime`` and is what tests control.

  - ``record_handout(NewHandout) -> int``: a handout made for a named patient
    (not blanks or previews); returns its id.
  - ``claim(DeliveryKey, handout_id, by, again=False, run=None) -> Claim``:
    before an email or print job goes out. Granted once per key
    (``claim.delivery_id``, recorded as "may have been sent"); refused after,
    with ``claim.previous``. ``again=True`` is the explicit "send again".
  - ``finish(delivery_id, Result, reason="", detail="")``: what the claimed
    send did; ``FAILED`` frees the key for a later try.
  - ``record_delivery(handout_id, Result, by, channel=, recipient=, reason=,
    detail=, again=, run=) -> int``: a download, an .eml, a failure before
    any send: anything that claims nothing.
  - ``holder(DeliveryKey) -> Delivery | None``: who holds a key, without claiming.
  - ``search(Search) -> SearchPage``: patient text (any part of name or
    email), since/until (local days), clinic, protocol; newest first, paged.
  - ``handout(id) -> HandoutHistory | None``: one handout with all its deliveries.
  - ``handouts_between(start, end)``, ``run(run_id)``: for the day's history.
  - ``start_run(run, by, source, folder)``, ``record_run_row(run, RunRow)``,
    ``run_rows(run) -> list[RunRow]``: a batch run and every row of its list,
    failed rows included (``records.runs``); a run's ``manifest.csv`` is their
    export. ``last_made(folder, output, statuses)``, ``latest_run(folder)``:
    what earlier runs into a folder made, for a re-run to skip.
  - ``pdf(sha256) -> bytes``: the archived bytes (``archive.put(bytes) -> sha256``).
  - ``purge(older_than: timedelta) -> Purged``: retention.
  - ``version``: the schema version. Schema changes are numbered migrations
    appended to ``records.schema.MIGRATIONS``.

- Types (``records.types``): ``Result`` (made, printed, emailed, saved as
  .eml, downloaded, may have been sent, failed), ``DeliveryKey`` (channel,
  recipient, patient, clinic, protocol, procedure date; ``for_handout``),
  ``NewHandout``, ``HandoutRecord`` (``.request`` is a ``HandoutRequest``),
  ``Delivery``, ``HandoutHistory``, ``Claim``, ``Search``, ``SearchPage``, ``Purged``.

Front ends do not use the ledger to send: ``handouts.service`` makes,
delivers and records. They read it (history pages, ``handouts history``).
"""

from __future__ import annotations

from .archive import Archive, sha256_of
from .folder import data_dir
from .ledger import LEDGER_NAME, Clock, Ledger, system_clock
from .runs import RunRow
from .schema import LATEST, MIGRATIONS
from .types import (
    DELIVERED,
    Claim,
    Delivery,
    DeliveryKey,
    HandoutHistory,
    HandoutRecord,
    NewHandout,
    Purged,
    Result,
    Search,
    SearchPage,
    same_person,
)

__all__ = [
    "DELIVERED",
    "LATEST",
    "LEDGER_NAME",
    "MIGRATIONS",
    "Archive",
    "Claim",
    "Clock",
    "Delivery",
    "DeliveryKey",
    "HandoutHistory",
    "HandoutRecord",
    "Ledger",
    "NewHandout",
    "Purged",
    "Result",
    "RunRow",
    "Search",
    "SearchPage",
    "data_dir",
    "same_person",
    "sha256_of",
    "system_clock",
]
