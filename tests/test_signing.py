"""A signature drawn at the desk: checked, re-encoded and kept in a real ledger with its time."""

from __future__ import annotations

import datetime as dt
import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, PngImagePlugin

from handouts.errors import NotFound
from handouts.records import Ledger, NewHandout
from handouts.records.signatures import add_signature
from handouts.request import HandoutRequest
from handouts.signing import (
    MAX_SIGNATURE_BYTES,
    SignatureRefused,
    SignatureTooLarge,
    record_signature,
    signatures_of,
)

SIGNED_AT = dt.datetime(2026, 11, 22, 15, 4, 5, tzinfo=dt.UTC)


def drawing(width: int = 600, height: int = 200, *, ink: bool = True, note: str = "") -> bytes:
    """A PNG as a signature pad sends it: transparent, with a dark stroke."""
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    if ink:
        ImageDraw.Draw(image).line(
            [(40, 150), (200, 60), (420, 140)], fill=(20, 20, 60, 255), width=4
        )
    info = PngImagePlugin.PngInfo()
    if note:
        info.add_text("Comment", note)
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info)
    return out.getvalue()


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    return Ledger(tmp_path / "data", clock=lambda: SIGNED_AT)


def _recorded(ledger: Ledger) -> int:
    return ledger.record_handout(
        NewHandout(
            HandoutRequest("micropenning", "magnolia", "Sam Lee", dt.date(2026, 11, 22)),
            made_by="frontdesk",
            source="web",
            pdf_sha256="d" * 64,
            content_version="c" * 64,
            review_status="reviewed",
        )
    )


def test_a_signature_is_kept_with_the_time_the_user_and_the_pdfs_hash(ledger: Ledger) -> None:
    handout_id = _recorded(ledger)
    signed = record_signature(ledger, handout_id, drawing(note="Sam Lee"), "frontdesk")
    [kept] = signatures_of(Ledger(ledger.folder), [handout_id])[handout_id]
    assert kept == signed
    assert kept.signed_at == SIGNED_AT
    assert kept.witnessed_by == "frontdesk"
    assert kept.pdf_sha256 == "d" * 64
    with Image.open(io.BytesIO(kept.png)) as image:
        assert image.size == (600, 200)
        assert "Comment" not in image.info  # re-encoded: pixels only
    assert b"Sam Lee" not in kept.png


def test_a_drawing_over_the_limit_is_refused_as_too_large(ledger: Ledger) -> None:
    handout_id = _recorded(ledger)
    noise = drawing()[:-12] + b"\0" * MAX_SIGNATURE_BYTES + drawing()[-12:]
    with pytest.raises(SignatureTooLarge, match="at most 256 kB"):
        record_signature(ledger, handout_id, noise, "frontdesk")
    assert signatures_of(ledger, [handout_id]) == {handout_id: []}


def _png_header(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", len(ihdr))
        + chunk
        + struct.pack(">I", zlib.crc32(chunk))
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"GIF89a" + b"\0" * 100, "did not arrive as a PNG"),
        (_png_header(60000, 60000) + b"\0" * 64, "60000 x 60000 image is not"),
        (_png_header(10, 10), "10 x 10 image is not"),
        (_png_header(600, 200) + b"garbage", "cannot be read"),
        (drawing(ink=False), "Nothing was drawn"),
    ],
)
def test_what_is_not_a_signature_is_refused(ledger: Ledger, data: bytes, message: str) -> None:
    handout_id = _recorded(ledger)
    with pytest.raises(SignatureRefused, match=message):
        record_signature(ledger, handout_id, data, "frontdesk")
    assert signatures_of(ledger, [handout_id]) == {handout_id: []}


def test_an_unknown_handout_is_not_found(ledger: Ledger) -> None:
    with pytest.raises(NotFound):
        record_signature(ledger, 999, drawing(), "frontdesk")


def test_purging_a_handout_removes_its_signature(tmp_path: Path) -> None:
    now = [SIGNED_AT]
    ledger = Ledger(tmp_path / "data", clock=lambda: now[0])
    handout_id = _recorded(ledger)
    record_signature(ledger, handout_id, drawing(), "frontdesk")
    now[0] = SIGNED_AT + dt.timedelta(days=400)
    purged = ledger.purge(dt.timedelta(days=365))
    assert purged.handouts == 1
    assert signatures_of(ledger, [handout_id]) == {handout_id: []}


def test_a_ledger_that_cannot_be_written_is_a_plain_error(ledger: Ledger) -> None:
    handout_id = _recorded(ledger)
    for companion in ledger.folder.glob("records.sqlite3*"):
        companion.unlink()
    ledger.path.mkdir()  # where the database was, something SQLite cannot open
    with pytest.raises(OSError, match=r"records\.sqlite3: unable to open"):
        add_signature(ledger, handout_id, "d" * 64, drawing(), "frontdesk")
