"""HTML to PDF bytes. The only module that imports WeasyPrint.

What can be shared between renders in one process is shared: one
FontConfiguration (a new one per render leaks memory and costs ~12% of the
time) and stylesheets parsed once per file version.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher

from .errors import ResourceRefused
from .rendering import HandoutRequest, render_clinic_css, render_html, stylesheet_path
from .resources import is_allowed

PDF_VARIANTS = ("pdf/a-3u", "pdf/ua-1")

log = logging.getLogger(__name__)


class FolderFetcher(URLFetcher):
    """Serves ``file:`` URLs under the allowed folders; refuses everything else.

    Refusal raises a fatal error so that a handout never silently comes out
    without its logo or fonts, and no network request is ever attempted.
    """

    def __init__(self, allowed: tuple[Path, ...]) -> None:
        super().__init__(allowed_protocols={"file"}, fail_on_errors=True)
        self.allowed = allowed

    def fetch(self, url, headers=None):  # noqa: ANN001, ANN201 (WeasyPrint's signature)
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise ResourceRefused(f"refused to load '{url}': only files in the clinic's folder")
        path = Path(unquote(parts.path))
        if not is_allowed(path, self.allowed):
            raise ResourceRefused(f"refused to load '{path}': it is outside the allowed folders")
        return super().fetch(url, headers)


class PdfMaker:
    """Renders handouts to PDF, reusing fonts and parsed stylesheets."""

    def __init__(self) -> None:
        self.font_config = FontConfiguration()
        self._css: dict[tuple, CSS] = {}

    def _fetcher(self, request: HandoutRequest) -> FolderFetcher:
        return FolderFetcher((request.clinic_dir, request.templates_dir))

    def _stylesheets(self, request: HandoutRequest) -> list[CSS]:
        fetcher = self._fetcher(request)
        main = stylesheet_path(request)
        clinic_css = render_clinic_css(request)
        main_key = ("file", str(main), main.stat().st_mtime_ns)
        clinic_key = ("clinic", str(request.clinic_dir), clinic_css)
        if main_key not in self._css:
            self._css[main_key] = CSS(
                string=main.read_text(encoding="utf-8"),
                base_url=main.parent.as_uri() + "/",
                url_fetcher=fetcher,
                font_config=self.font_config,
            )
        if clinic_key not in self._css:
            # @font-face rules register with the shared FontConfiguration once.
            self._css[clinic_key] = CSS(
                string=clinic_css,
                base_url=request.clinic_dir.resolve().as_uri() + "/",
                url_fetcher=fetcher,
                font_config=self.font_config,
            )
        return [self._css[clinic_key], self._css[main_key]]

    def render(self, request: HandoutRequest, variant: str | None = None) -> bytes:
        return self.render_html(render_html(request), request, variant)

    def render_counted(
        self, request: HandoutRequest, variant: str | None = None
    ) -> tuple[bytes, int]:
        """The PDF and its page count (the bytes use object streams, so
        counting pages afterwards would need a PDF parser)."""
        return self._write(render_html(request), request, variant)

    def prepare(self, request: HandoutRequest) -> None:
        """Parse the stylesheets and load the fonts a request needs, ahead of time."""
        self._stylesheets(request)

    def render_html(self, html: str, request: HandoutRequest, variant: str | None = None) -> bytes:
        return self._write(html, request, variant)[0]

    def _write(
        self, html: str, request: HandoutRequest, variant: str | None
    ) -> tuple[bytes, int]:
        if variant is not None and variant not in PDF_VARIANTS:
            raise ValueError(f"unknown PDF variant {variant!r}")
        # A fixed identifier derived from the content keeps the same inputs
        # byte-identical (WeasyPrint otherwise draws a random one for PDF/A).
        identifier = hashlib.sha256(f"{variant}\n{html}".encode()).hexdigest()[:32].encode()
        document = HTML(
            string=html,
            base_url=request.clinic_dir.resolve().as_uri() + "/",
            url_fetcher=self._fetcher(request),
        )
        # What HTML.write_pdf does, in two steps so the page count is known.
        options = {
            "stylesheets": self._stylesheets(request),
            "pdf_variant": variant,
            "pdf_identifier": identifier,
            "pdf_tags": True,
        }
        try:
            rendered = document.render(font_config=self.font_config, **options)
            return rendered.write_pdf(**options), len(rendered.pages)
        except FatalURLFetchingError as error:
            # WeasyPrint wraps our refusal; hand the user our own sentence.
            cause = error.__cause__
            raise ResourceRefused(str(cause) if cause else str(error)) from None


_shared: PdfMaker | None = None


def shared_maker() -> PdfMaker:
    """One PdfMaker per process (each batch worker gets its own)."""
    global _shared  # noqa: PLW0603 (a per-process cache is the point)
    if _shared is None:
        _shared = PdfMaker()
    return _shared
