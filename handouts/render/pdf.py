"""HTML to PDF bytes. The only module that imports WeasyPrint.

What can be shared between renders in one process is shared: one
FontConfiguration (a new one per render leaks memory and costs ~12% of the
time) and stylesheets parsed once per file version.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import hashlib
import logging
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from .native_libraries import import_quickly

import_quickly("weasyprint")  # before any name below pulls WeasyPrint in the slow way

from weasyprint import CSS, HTML
from weasyprint.document import Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from ..errors import ResourceRefused
from ..templating.resource_policy import url_problem
from .glyphs import check_drawn, missing_glyphs
from .page import HandoutSpec, handout_stylesheet, render_clinic_css, render_html

PDF_VARIANTS = ("pdf/a-3u", "pdf/ua-1")

log = logging.getLogger(__name__)


class PolicyFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no type information
    """Serves only the files the resource policy allows; refuses everything else.

    Refusal raises a fatal error so that a handout never silently comes out
    without its logo or fonts, and no network request is ever attempted.
    Refusals are also recorded: WeasyPrint swallows errors from inside an SVG
    image (an SVG logo that links to a URL), and the caller checks ``refused``.
    """

    def __init__(self, base: Path, allowed: tuple[Path, ...]) -> None:
        super().__init__(allowed_protocols={"file"}, fail_on_errors=True)
        self.base = base
        self.allowed = allowed
        self.refused: list[str] = []

    def fetch(  # WeasyPrint calls it with this signature
        self, url: str, headers: Mapping[str, str] | None = None
    ) -> URLFetcherResponse:
        problem = url_problem(url, self.base, self.allowed)
        if problem is not None:
            message = (
                f"refused to load a file: {problem}; a template, stylesheet or image asks "
                "for it; run 'validate' to see the file and line"
            )
            self.refused.append(message)
            raise ResourceRefused(message)
        return super().fetch(url, headers)


def _folder_url(folder: Path) -> str:
    return folder.resolve().as_uri() + "/"


@contextlib.contextmanager
def collect_garbage_after() -> Iterator[None]:
    """Collect cyclic garbage once after a render instead of many times during it.

    A render allocates a few hundred thousand boxes and styles that all stay
    alive until the PDF is written, so the collector's runs during a render
    walk them again and again and free almost nothing. Switching it off for
    the render and collecting once afterwards took ~3% off the CPU time per
    handout and ~10 MiB off the peak RSS (bench/throughput.py).
    """
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect()


class PdfRenderer:
    """Renders handouts to PDF, reusing fonts and parsed stylesheets."""

    def __init__(self) -> None:
        self.font_config = FontConfiguration()
        self._css: dict[tuple[str, str, str], CSS] = {}  # (kind, where, text)

    def _fetcher(self, spec: HandoutSpec) -> PolicyFetcher:
        return PolicyFetcher(spec.clinic_dir, spec.allowed_folders)

    def _stylesheets(self, spec: HandoutSpec) -> list[CSS]:
        fetcher = self._fetcher(spec)
        main_text, main_path = handout_stylesheet(spec)
        clinic_css = render_clinic_css(spec)
        main_key = ("file", str(main_path), main_text)
        clinic_key = ("clinic", str(spec.clinic_dir), clinic_css)
        if main_key not in self._css:
            self._css[main_key] = CSS(
                string=main_text,
                base_url=_folder_url(main_path.parent),
                url_fetcher=fetcher,
                font_config=self.font_config,
            )
        if clinic_key not in self._css:
            # @font-face rules register with the shared FontConfiguration once.
            self._css[clinic_key] = CSS(
                string=clinic_css,
                base_url=_folder_url(spec.clinic_dir),
                url_fetcher=fetcher,
                font_config=self.font_config,
            )
        return [self._css[clinic_key], self._css[main_key]]

    def render(
        self, spec: HandoutSpec, variant: str | None = None, *, tagged: bool = True
    ) -> tuple[bytes, int]:
        """The PDF and its page count (the bytes use object streams, so
        counting pages afterwards would need a PDF parser).

        A last page holding nothing but the contact block is mostly empty
        paper; the page is laid out once more with tighter spacing, and that
        layout is kept when it saves the page.

        ``tagged=False`` leaves out the structure tags screen readers use; only
        for a PDF that is drawn as images and thrown away (a preview), where
        they cost ~10% of the time and nobody reads them.
        """
        return self._write(
            render_html(spec), spec, variant, refit=lambda: render_html(spec, True), tagged=tagged
        )

    def close(self) -> None:
        """Remove the temporary folder WeasyPrint keeps @font-face files in.

        FontConfiguration removes it in ``__del__``, which does not run for
        objects still alive at interpreter exit, so every run left a
        ``weasyprint-*`` folder in the temp dir.
        """
        folder = getattr(self.font_config, "_folder", None)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)

    def prepare(self, spec: HandoutSpec) -> None:
        """Parse the stylesheets and load the fonts a handout needs, ahead of time."""
        try:
            self._stylesheets(spec)
        except FatalURLFetchingError as error:
            raise ResourceRefused(str(error.__cause__ or error)) from None

    def _write(
        self,
        html: str,
        spec: HandoutSpec,
        variant: str | None,
        refit: Callable[[], str] | None = None,
        tagged: bool = True,
    ) -> tuple[bytes, int]:
        if variant is not None and variant not in PDF_VARIANTS:
            raise ValueError(f"unknown PDF variant {variant!r}")
        # A fixed identifier derived from the content keeps the same inputs
        # byte-identical (WeasyPrint otherwise draws a random one for PDF/A).
        identifier = hashlib.sha256(f"{variant}\n{html}".encode()).hexdigest()[:32].encode()
        fetcher = self._fetcher(spec)
        document = HTML(string=html, base_url=_folder_url(spec.clinic_dir), url_fetcher=fetcher)
        try:
            # What HTML.write_pdf does, in two steps so the page count is known.
            options = {
                "stylesheets": self._stylesheets(spec),
                "pdf_variant": variant,
                "pdf_identifier": identifier,
                "pdf_tags": tagged,
            }
            with missing_glyphs() as missing:
                rendered = document.render(font_config=self.font_config, **options)
                if refit is not None and _only_trailing_block(rendered):
                    tighter = HTML(
                        string=refit(), base_url=_folder_url(spec.clinic_dir), url_fetcher=fetcher
                    ).render(font_config=self.font_config, **options)
                    if len(tighter.pages) < len(rendered.pages):
                        rendered = tighter
                pdf = rendered.write_pdf(**options)
        except FatalURLFetchingError as error:
            # WeasyPrint wraps our refusal; hand the user our own sentence.
            cause = error.__cause__
            raise ResourceRefused(str(cause) if cause else str(error)) from None
        except OSError as error:
            if error.filename:
                raise
            # WeasyPrint writes the clinic's fonts to a temporary folder; a full
            # disk there must say where, not "file: No space left on device".
            folder = getattr(self.font_config, "_folder", None) or tempfile.gettempdir()
            where = f"{folder} (temporary files for the PDF)"
            raise OSError(error.errno, error.strerror, where) from None
        if fetcher.refused:
            raise ResourceRefused(fetcher.refused[0])
        check_drawn(missing, spec.patient_name)
        return pdf, len(rendered.pages)


# The blocks that end a handout; a page holding only these wastes paper.
TRAILING_BLOCKS = frozenset({"contact", "acknowledgement"})


def _only_trailing_block(rendered: Document) -> bool:
    """Whether the last of several pages holds nothing but the trailing block(s)."""
    if len(rendered.pages) < 2:
        return False
    sections = {
        box.element.get("class", "")
        for box in rendered.pages[-1]._page_box.descendants()
        if getattr(box, "element_tag", None) == "section"
    }
    return bool(sections) and sections <= TRAILING_BLOCKS


_shared: PdfRenderer | None = None


def shared_renderer() -> PdfRenderer:
    """One PdfRenderer per process (each batch worker keeps its own per clinic)."""
    global _shared  # noqa: PLW0603 (a per-process cache is the point)
    if _shared is None:
        _shared = PdfRenderer()
        atexit.register(_shared.close)
    return _shared
