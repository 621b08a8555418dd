"""Which files a handout may load, and nothing else: the one resource policy.

Branding files come from clinics; a logo path like ``../../etc/passwd`` or
``https://...`` must never make us read outside the clinic's folder or touch the
network. Every path named in ``clinic.yaml`` goes through ``clinic_file`` before
use (``yaml_loading`` runs the same check with line numbers). Every URL a page,
stylesheet or logo names goes through ``url_problem``: the PDF renderer's URL
fetcher asks it before loading anything, and ``validate`` asks it for each URL
it finds in a clinic's files, so the two can never disagree.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from ..errors import ResourceRefused

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

# References a stylesheet or page template can make to another file. Used to
# point at the exact line of a clinic's override that names a forbidden URL.
_CSS_REFERENCE = re.compile(
    r"""@import\s+(?:url\(\s*)?["']?(?P<import>[^"')\s;]+)"""
    r"""|url\(\s*["']?(?P<url>[^"')\s]+)""",
    re.IGNORECASE,
)
_HTML_REFERENCE = re.compile(
    r"""\b(?:src|href|data|poster|srcset|xlink:href)\s*=\s*["']?(?P<url>[^"'\s>]+)""",
    re.IGNORECASE,
)


def path_problem(clinic_dir: Path, relative: str) -> str | None:  # noqa: PLR0911 (one per refusal)
    """Why ``relative`` (written in ``clinic.yaml``) may not be used, or None.

    Decides from the text alone for URLs, absolute paths and ``..``, so nothing
    outside the clinic's folder is ever touched; only a path that stays inside
    is looked up (and resolved, so a symlink cannot lead out).
    """
    if _CONTROL.search(relative):
        return f"{relative!r} contains control characters; give a file name"
    if _DRIVE.match(relative):
        return f"'{relative}' is an absolute path; give a path relative to the clinic's folder"
    if _SCHEME.match(relative) or relative.startswith("//"):
        return f"'{relative}' is a URL; give a file in the clinic's folder"
    pure = PurePosixPath(relative.replace("\\", "/"))
    if pure.is_absolute():
        return f"'{relative}' is an absolute path; give a path relative to the clinic's folder"
    if ".." in pure.parts:
        return (
            f"'{relative}' points outside the clinic's folder; "
            "give a path relative to the folder, without '..'"
        )
    try:
        base = clinic_dir.resolve()
        target = (base / pure).resolve()
        if not target.is_relative_to(base):
            return f"'{relative}' leads outside the clinic's folder (through a link)"
        if not target.is_file():
            return f"file '{relative}' does not exist in {clinic_dir}"
    except (OSError, RuntimeError) as error:  # name too long, symlink loop, ...
        return f"'{relative}' cannot be used: {getattr(error, 'strerror', None) or error}"
    return None


def clinic_file(clinic_dir: Path, relative: str, field: str) -> Path:
    """Resolve a path written in ``clinic.yaml`` to a file inside ``clinic_dir``.

    Raises ``ResourceRefused`` naming the file and field for absolute paths,
    URLs of any scheme, ``..`` escapes (also through symlinks) and missing files.
    """
    problem = path_problem(clinic_dir, relative)
    if problem is not None:
        raise ResourceRefused(f"{clinic_dir / 'clinic.yaml'}: {field}: {problem}")
    return (clinic_dir.resolve() / PurePosixPath(relative.replace("\\", "/"))).resolve()


def is_allowed(path: Path, allowed: tuple[Path, ...]) -> bool:
    resolved = path.resolve()
    return any(resolved.is_relative_to(root.resolve()) for root in allowed)


def references(text: str, kind: str) -> Iterator[tuple[int, int, str]]:
    """Every URL a stylesheet (``kind="css"``) or template (``"html"``) names.

    Yields (line, column, url), both counted from 1. Template expressions such
    as ``{{ logo_url }}`` are skipped: their value is checked where it is set.
    """
    pattern = _CSS_REFERENCE if kind == "css" else _HTML_REFERENCE
    for match in pattern.finditer(text):
        name = "import" if match.groupdict().get("import") else "url"
        url = match.group(name)
        if url.startswith(("{{", "{%", "#")):
            continue
        start = match.start(name)
        line = text.count("\n", 0, start) + 1
        column = start - (text.rfind("\n", 0, start) + 1) + 1
        yield line, column, url


def url_problem(url: str, base: Path, allowed: tuple[Path, ...]) -> str | None:
    """Why a URL (relative to the folder ``base``, or absolute) would be refused, or None.

    Only files (relative paths, or ``file:`` URLs on this computer) whose real
    path, after following links, lies inside one of the ``allowed`` folders.
    """
    if url.lower().startswith("data:"):
        return f"'{url[:40]}' is a data: URL; put the file in the clinic's folder instead"
    if _SCHEME.match(url) and not url.lower().startswith("file:"):
        return f"'{url}' is not a file; only files in the clinic's or templates folder may be used"
    if url.startswith("//"):
        return f"'{url}' is a network address; only files in the clinic's folder may be used"
    if url.lower().startswith("file:"):
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            return f"'{url}' names another computer; only local files may be used"
        path = Path(unquote(parts.path))
    else:
        path = base / re.split(r"[?#]", url, maxsplit=1)[0]
    if not is_allowed(path, allowed):
        return f"'{url}' is outside the clinic's folder and the templates folder"
    return None
