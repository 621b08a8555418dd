"""Where the built-in templates and the example content live.

In a checkout they are the folders at the top of the repository
(``templates/``, ``protocols/``, ``branding/``, ``schema/``). A built wheel
carries copies of them inside the package, under ``handouts/bundled/``, so an
installed tool finds them wherever it runs from.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent
_IN_WHEEL = _PACKAGE / "bundled"
_CHECKOUT = _PACKAGE.parent


def bundled_root() -> Path:
    """The example content root: ``protocols/``, ``branding/``, ``schema/``, ``templates/``."""
    return _IN_WHEEL if (_IN_WHEEL / "templates").is_dir() else _CHECKOUT


BUNDLED_ROOT = bundled_root()
BUILTIN_TEMPLATES = BUNDLED_ROOT / "templates"
EXAMPLE_FOLDERS = ("protocols", "branding", "imports", "schema")
