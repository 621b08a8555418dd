"""One handout from a request to bytes, in the format asked for."""

from __future__ import annotations

from typing import Literal

from .pdf import shared_maker
from .rendering import HandoutRequest, render_standalone_html

Format = Literal["pdf", "html"]


def produce(request: HandoutRequest, fmt: Format = "pdf", variant: str | None = None) -> bytes:
    if fmt == "html":
        return render_standalone_html(request).encode("utf-8")
    return shared_maker().render(request, variant)
