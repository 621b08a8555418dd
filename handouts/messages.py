"""Errors as one plain sentence for staff, the same in every front end.

User errors (``HandoutError``, a file the user named, a clinic's broken
template) become one message naming the file and line; anything else is a
bug and keeps its traceback.
"""

from __future__ import annotations

import sys

from .errors import ContentError, HandoutError


def _template_error_type() -> type[Exception] | None:
    # Jinja2 is imported only by commands that render; if it was never
    # imported, no error can be one of its own, and `list` stays fast.
    jinja2 = sys.modules.get("jinja2")
    return None if jinja2 is None else jinja2.TemplateError


def is_user_error(error: BaseException) -> bool:
    """Errors the user can fix (bad content, a template, a file), as opposed to bugs."""
    if isinstance(error, BrokenPipeError):
        return False  # the reader went away (`| head`); run() ends quietly
    template_error = _template_error_type()
    user_kinds: tuple[type[BaseException], ...] = (HandoutError, OSError)
    if template_error is not None:
        user_kinds += (template_error,)
    return isinstance(error, user_kinds)


def _template_line(error: BaseException) -> str:
    """``file:line`` of the template being rendered when ``error`` happened.

    Jinja2 rewrites tracebacks so that template frames carry the template's
    own file name and line.
    """
    where = ""
    frame = error.__traceback__
    while frame is not None:
        name = frame.tb_frame.f_code.co_filename
        if name.endswith((".html", ".css", ".txt")):
            where = f"{name}:{frame.tb_lineno}"
        frame = frame.tb_next
    return where


def error_message(error: Exception) -> str:
    """One plain message for a user error; shared by every front end."""
    template_error = _template_error_type()
    if template_error is not None and isinstance(error, template_error):
        line = getattr(error, "lineno", None)
        if line is not None and getattr(error, "filename", None):  # a syntax error
            return f"{error.filename}:{line}: template: {error.message}"  # type: ignore[attr-defined]
        where = _template_line(error) or "template"
        return f"{where}: template: {error.message}"  # type: ignore[attr-defined]
    if isinstance(error, OSError):
        return f"{error.filename or 'file'}: {error.strerror or error}"
    if isinstance(error, ContentError):
        count = len(error.problems)
        heading = "1 problem" if count == 1 else f"{count} problems"
        return f"{heading} in content:\n" + "\n".join(error.problems)
    return str(error)
