"""HTML to PDF bytes. The only module that imports WeasyPrint.

What can be shared between renders in one process is shared: one
FontConfiguration (a new one per render leaks memory and costs ~12% of the
time) and stylesheets parsed once per file version.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import shutil
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
    Refusals are also recorded: WeasyPrint swallows errors from inside an SVG
    image (an SVG logo that links to a URL), and the caller checks ``refused``.
    """

    def __init__(self, allowed: tuple[Path, ...]) -> None:
        super().__init__(allowed_protocols={"file"}, fail_on_errors=True)
        self.allowed = allowed
        self.refused: list[str] = []

    def fetch(self, url, headers=None):  # WeasyPrint calls it with this signature
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            self._refuse(url, "it is not a file on this computer")
        path = Path(unquote(parts.path))
        if not is_allowed(path, self.allowed):
            self._refuse(str(path), "it is outside the clinic's folder and the templates folder")
        return super().fetch(url, headers)

    def _refuse(self, what: str, why: str) -> None:
        where = " and ".join(str(root) for root in self.allowed)
        message = (
            f"refused to load '{what}' ({why}): a template, stylesheet or image asks for it, "
            f"but only files in {where} may be used; run 'validate' to see the file and line"
        )
        self.refused.append(message)
        raise ResourceRefused(message)


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
                base_url=main.resolve().parent.as_uri() + "/",
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
        return self.render_counted(request, variant)[0]

    def render_counted(
        self, request: HandoutRequest, variant: str | None = None
    ) -> tuple[bytes, int]:
        """The PDF and its page count (the bytes use object streams, so
        counting pages afterwards would need a PDF parser)."""
        return self._write(render_html(request), request, variant)

    def close(self) -> None:
        """Remove the temporary folder WeasyPrint keeps @font-face files in.

        FontConfiguration removes it in ``__del__``, which does not run for
        objects still alive at interpreter exit, so every run left a
        ``weasyprint-*`` folder in the temp dir.
        """
        folder = getattr(self.font_config, "_folder", None)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)

    def prepare(self, request: HandoutRequest) -> None:
        """Parse the stylesheets and load the fonts a request needs, ahead of time."""
        try:
            self._stylesheets(request)
        except FatalURLFetchingError as error:
            raise ResourceRefused(str(error.__cause__ or error)) from None

    def _write(self, html: str, request: HandoutRequest, variant: str | None) -> tuple[bytes, int]:
        if variant is not None and variant not in PDF_VARIANTS:
            raise ValueError(f"unknown PDF variant {variant!r}")
        # A fixed identifier derived from the content keeps the same inputs
        # byte-identical (WeasyPrint otherwise draws a random one for PDF/A).
        identifier = hashlib.sha256(f"{variant}\n{html}".encode()).hexdigest()[:32].encode()
        fetcher = self._fetcher(request)
        document = HTML(
            string=html,
            base_url=request.clinic_dir.resolve().as_uri() + "/",
            url_fetcher=fetcher,
        )
        try:
            # What HTML.write_pdf does, in two steps so the page count is known.
            options = {
                "stylesheets": self._stylesheets(request),
                "pdf_variant": variant,
                "pdf_identifier": identifier,
                "pdf_tags": True,
            }
            rendered = document.render(font_config=self.font_config, **options)
            pdf = rendered.write_pdf(**options)
        except FatalURLFetchingError as error:
            # WeasyPrint wraps our refusal; hand the user our own sentence.
            cause = error.__cause__
            raise ResourceRefused(str(cause) if cause else str(error)) from None
        if fetcher.refused:
            raise ResourceRefused(fetcher.refused[0])
        return pdf, len(rendered.pages)


_shared: PdfMaker | None = None


def shared_maker() -> PdfMaker:
    """One PdfMaker per process (each batch worker gets its own)."""
    global _shared  # noqa: PLW0603 (a per-process cache is the point)
    if _shared is None:
        _shared = PdfMaker()
        atexit.register(_shared.close)
    return _shared
