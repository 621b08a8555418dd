"""Reading real PDFs back in tests: text via Poppler's pdftotext, structure via pypdf."""

from __future__ import annotations

import io
import re
import subprocess

from pypdf import PdfReader


def pdf_text(pdf: bytes) -> str:
    """The PDF's text in reading order, white space folded to single spaces."""
    # -layout keeps a hyphen that ends a line ("anti-" / "inflammatory"); the
    # default mode would drop it and turn the word into "antiinflammatory".
    result = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    )
    text = re.sub(r"(\w-)\n\s*(?=\w)", r"\1", result.stdout.decode("utf-8"))
    return fold(text)


def both_readings(pdf: bytes) -> str:
    """The layout text, " | ", then the text in flowing reading order.

    Two columns of a table are read side by side in the layout text, one after
    the other in reading order: a sentence may be whole in only one of them.
    """
    flowing = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode("utf-8")
    return pdf_text(pdf) + " | " + fold(flowing)


def fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def render_pdf(spec, variant: str | None = None) -> bytes:
    """The PDF bytes of a handout, through the process's shared renderer."""
    from handouts.render.pdf import shared_renderer

    return shared_renderer().render(spec, variant)[0]
