"""Content versions are kept between handouts, and an edited file gives a new one at once."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from handouts import service
from handouts.content.store import CachedContentStore, ContentStore
from handouts.content.versions import content_fingerprint, uncached_fingerprint
from handouts.records import Ledger

HOUR_AGO_NS = 3600 * 10**9


def _age(root: Path) -> None:
    """Every file modified an hour ago, so the versions of this content are kept."""
    for path in root.rglob("*"):
        if path.is_file():
            stamp = path.stat().st_mtime_ns - HOUR_AGO_NS
            os.utime(path, ns=(stamp, stamp))


def _handout_version(store: ContentStore, ledger: Ledger) -> str:
    request = service.HandoutRequest("micropenning", "magnolia", "Sam Lee", dt.date(2026, 11, 22))
    given = service.give(store, request, ledger=ledger, by="test", source=service.Source.WEB)
    assert given.handout_id is not None
    history = ledger.handout(given.handout_id)
    assert history is not None
    return history.handout.content_version


def test_an_edited_protocol_gives_the_next_handout_a_new_version(
    root: Path, data_folder: Path
) -> None:
    _age(root)
    # The web page's store: it parses each file once, and keeps running while files change.
    store = CachedContentStore(root)
    ledger = Ledger(data_folder)
    first = _handout_version(store, ledger)
    assert _handout_version(store, ledger) == first  # kept: nothing changed
    protocol = root / "protocols" / "micropenning.yaml"
    protocol.write_text(protocol.read_text("utf-8") + "\n# reviewed again\n", "utf-8")
    second = _handout_version(store, ledger)
    assert second != first
    assert second == uncached_fingerprint(store, "magnolia", "micropenning")


def test_an_edit_that_keeps_the_size_and_the_modification_time_is_seen(root: Path) -> None:
    _age(root)
    store = ContentStore(root)
    logo = next(p for p in (root / "branding" / "magnolia").rglob("*") if p.is_file())
    before = content_fingerprint(store, "magnolia", "micropenning")
    stamp = logo.stat().st_mtime_ns
    data = logo.read_bytes()
    logo.write_bytes(bytes([data[0] ^ 1]) + data[1:])  # one bit, same size
    os.utime(logo, ns=(stamp, stamp))  # as a copy that keeps times would leave it
    after = content_fingerprint(store, "magnolia", "micropenning")
    assert after != before
    assert after == uncached_fingerprint(store, "magnolia", "micropenning")


def test_a_kept_version_is_the_one_reading_every_file_gives(root: Path) -> None:
    _age(root)
    store = ContentStore(root)
    for _ in range(2):  # computed, then kept
        assert content_fingerprint(store, "harbourside", "microneedling") == (
            uncached_fingerprint(store, "harbourside", "microneedling")
        )
