"""Characters the fonts could not draw: found while rendering, never logged.

WeasyPrint draws an empty box (.notdef) for a character no font has and logs
a warning quoting that character. For a patient's name that warning would put
health data on stderr, and the box would put a wrong name on the page. So the
warning is taken off the log for good, and while a handout renders the
characters it names are collected; the renderer then refuses the handout.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from ..errors import InputError, ResourceRefused

_NOTDEF = ".notdef glyph rendered"


class _MissingGlyphWatch(logging.Filter):
    """Drops WeasyPrint's .notdef warnings; records their code points while collecting."""

    def __init__(self) -> None:
        super().__init__()
        self.collecting: set[int] | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        if not (isinstance(record.msg, str) and record.msg.startswith(_NOTDEF)):
            return True
        args = record.args if isinstance(record.args, tuple) else ()
        if self.collecting is not None and len(args) == 2 and isinstance(args[1], int):
            self.collecting.add(args[1])
        return False


_watch = _MissingGlyphWatch()
logging.getLogger("weasyprint").addFilter(_watch)


@contextlib.contextmanager
def missing_glyphs() -> Iterator[set[int]]:
    """The code points drawn as empty boxes while the ``with`` block runs."""
    found: set[int] = set()
    previous, _watch.collecting = _watch.collecting, found
    try:
        yield found
    finally:
        _watch.collecting = previous


def check_drawn(missing: set[int], patient_name: str | None) -> None:
    """Refuse a handout with empty boxes; for the name, without naming its characters."""
    if not missing:
        return
    in_name = {ord(ch) for ch in patient_name or ""} & missing
    if in_name:
        count = len(in_name)
        raise InputError(
            f"the patient's name has {count} character{'s' if count > 1 else ''} that none "
            "of the fonts can draw, so the handout would show empty boxes instead of the "
            "name; nothing was written. Install a font that covers the name's script, or "
            "give the name as the patient writes it in Latin letters."
        )
    shown = ", ".join(f"U+{code:04X}" for code in sorted(missing)[:10])
    raise ResourceRefused(
        f"the protocol, branding or template text has characters that none of the fonts "
        f"can draw ({shown}), so the handout would show empty boxes; nothing was written. "
        "Install a font that covers them, or change the text."
    )
