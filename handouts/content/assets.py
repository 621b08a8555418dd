"""Logos and fonts that would be dropped silently: found before anything is made.

WeasyPrint leaves out an image or font it cannot read and still writes the
PDF, so a truncated SVG or a ``logo.png`` that is not a PNG gave a handout
without a logo and exit status 0. Each file a clinic names is opened here the
way the renderer would need it, and a problem is a sentence naming the file.
SVG logos are parsed without DTDs or entities (``defusedxml``), and may not
import stylesheets.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from fontTools.ttLib import TTFont
from PIL import Image, UnidentifiedImageError

_SVG_NAMESPACE = "{http://www.w3.org/2000/svg}"
_IMPORT = re.compile(r"@import", re.IGNORECASE)
_IMAGE_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".gif": "GIF", ".webp": "WEBP"}


def logo_problem(path: Path) -> str | None:
    """Why the logo at ``path`` would not show on the page, or None."""
    suffix = path.suffix.lower()
    if suffix == ".svg":
        return _svg_problem(path)
    wanted = _IMAGE_FORMATS.get(suffix)
    if wanted is None:
        return f"'{path.name}' is not an SVG, PNG, JPEG, GIF or WebP file"
    try:
        with Image.open(path) as image:
            found = image.format
            image.verify()
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError) as error:
        return f"'{path.name}' is not a readable image ({error})"
    if found != wanted:
        return f"'{path.name}' is a {found} image, not {wanted}; fix the file or its name"
    return None


def _svg_problem(path: Path) -> str | None:
    try:
        root = fromstring(path.read_bytes(), forbid_dtd=True)
    except DefusedXmlException:
        return f"'{path.name}' declares a DTD or entities, which logos may not use"
    except ParseError as error:
        line, column = error.position
        return f"'{path.name}' is not well-formed SVG (line {line}, column {column + 1}: {error})"
    except OSError as error:
        return f"'{path.name}' cannot be read ({error.strerror})"
    if root.tag != f"{_SVG_NAMESPACE}svg":
        return f"'{path.name}' is not an SVG image (its outer element is not <svg>)"
    for style in root.iter(f"{_SVG_NAMESPACE}style"):
        if _IMPORT.search(style.text or ""):
            return f"'{path.name}' imports a stylesheet (@import in <style>); logos may not"
    return None


def font_problem(path: Path) -> str | None:
    """Why the font file at ``path`` could not be embedded, or None."""
    try:
        with TTFont(path, lazy=False) as font:
            if "cmap" not in font or not font.getBestCmap():
                return f"'{path.name}' maps no characters to glyphs"
    except Exception as error:  # a damaged font can raise any kind of error
        return f"'{path.name}' is not a font file that can be read ({type(error).__name__})"
    return None
