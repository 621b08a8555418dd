"""QR codes for the clinic's booking link and phone number, drawn as inline SVG.

Inline SVG needs no file and no URL fetch, so the page's resource policy (which
refuses data: URLs) stays as it is, and the code prints sharp at any size.
The link or number is always written beside its code: not every phone scans.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import segno
from markupsafe import Markup

from ..content.models import Branding


@dataclass(frozen=True)
class QrCode:
    kind: Literal["book", "call"]
    target: str  # what the code holds: the booking URL, or tel:<digits>
    shown: str  # what is written beside it
    svg: Markup


def phone_digits(phone: str) -> str:
    """A tel: link's number: digits and a leading +, as phones dial it."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return f"+{digits}" if phone.strip().startswith("+") else digits


def _svg(data: str) -> Markup:
    code = segno.make(data, error="m", micro=False)
    # omitsize: a viewBox instead of a fixed size, so the stylesheet sets the size.
    return Markup(code.svg_inline(border=2, omitsize=True, svgclass="qr-code", lineclass=None))


def clinic_qr_codes(clinic: Branding) -> list[QrCode]:
    """The clinic's codes, when it asks for them: booking (if it has a link), then phone."""
    if not clinic.booking.qr_codes:
        return []
    codes: list[QrCode] = []
    url = clinic.booking.url
    if url:
        shown = url.removeprefix("https://").removeprefix("http://").rstrip("/")
        codes.append(QrCode("book", url, shown, _svg(url)))
    tel = f"tel:{phone_digits(clinic.phone)}"
    codes.append(QrCode("call", tel, clinic.phone, _svg(tel)))
    return codes
