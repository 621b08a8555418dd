"""Proof of receipt signed on a screen at the desk: checked, cleaned and recorded in the ledger.

The drawing arrives from a browser, so it is untrusted: it must be a PNG of
a sensible size with something drawn on it. It is decoded and written out
again, so what is kept is pixels only (no text chunks or anything else a
file can carry), and recorded with the time and the sha256 of the exact PDF
the patient was given.
"""

from __future__ import annotations

import io
import struct

from .errors import InputError, NotFound
from .records import Ledger
from .records.signatures import Signature, add_signature, signatures_of

MAX_SIGNATURE_BYTES = 256 * 1024  # a signature pad's PNG is 5-40 kB
MAX_SIDE = 3000  # pixels; a pad at twice the screen's density is about 1400 wide
MIN_SIDE = 50
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

__all__ = [
    "MAX_SIGNATURE_BYTES",
    "Signature",
    "SignatureRefused",
    "SignatureTooLarge",
    "record_signature",
    "signatures_of",
]


class SignatureRefused(InputError):
    """Not a drawing this server keeps: not a PNG, an odd size, or nothing drawn."""


class SignatureTooLarge(SignatureRefused):
    """Over ``MAX_SIGNATURE_BYTES``; a front end answers 413."""


def clean_png(data: bytes) -> bytes:
    """The drawing as a fresh PNG, or ``SignatureRefused`` saying what is wrong with it."""
    if len(data) > MAX_SIGNATURE_BYTES:
        raise SignatureTooLarge(
            f"The signature is {len(data) // 1024} kB; at most {MAX_SIGNATURE_BYTES // 1024} kB "
            "is kept. Press Clear and sign again."
        )
    # The size is read from the header before anything is decoded, so a small
    # file that would inflate to gigabytes of pixels is refused unread.
    if len(data) < 24 or not data.startswith(_PNG_MAGIC) or data[12:16] != b"IHDR":
        raise SignatureRefused("The signature did not arrive as a PNG image. Sign again.")
    width, height = struct.unpack(">II", data[16:24])
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise SignatureRefused(f"A {width} x {height} image is not a signature pad's drawing.")
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data), formats=["PNG"]) as image:
            image.load()
            pixels = image.convert("LA")
    except (OSError, UnidentifiedImageError, ValueError) as error:
        raise SignatureRefused(f"The signature image cannot be read ({error}).") from None
    # Ink is any pixel that is both visible and darker than the paper.
    luminance, alpha = pixels.split()
    ink = Image.eval(luminance, lambda v: 255 - v)
    drawn = Image.composite(ink, Image.new("L", pixels.size), alpha)
    if drawn.point(lambda v: 255 if v > 64 else 0).getbbox() is None:
        raise SignatureRefused("Nothing was drawn. Ask the patient to sign in the box.")
    out = io.BytesIO()
    pixels.save(out, "PNG", optimize=True)
    return out.getvalue()


def record_signature(ledger: Ledger, handout_id: int, drawing: bytes, by: str) -> Signature:
    """Keep the patient's drawn signature for a recorded handout.

    ``by`` is the signed-in user at the desk who saw it signed.
    """
    history = ledger.handout(handout_id)
    if history is None:
        raise NotFound(f"There is no handout {handout_id} in the record.")
    png = clean_png(drawing)
    return add_signature(ledger, handout_id, history.handout.pdf_sha256, png, by)
