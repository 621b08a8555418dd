"""The ``handouts`` command group: global options, and user errors as plain messages.

User errors (``HandoutError``) become one plain message and exit status 1;
wrong usage is click's exit status 2; anything else is a bug and keeps its
traceback. ``--debug`` shows the traceback for user errors too.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from pathlib import Path
from typing import Any

import click

from ..content.store import CachedContentStore, default_root
from ..errors import ContentError, HandoutError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


# Each command's module is imported only when that command runs (or --help
# lists them): `handouts list` should not pay for the batch or email code.
LAZY_COMMANDS = {
    "handout": ("handouts.cli.handout", "handout_command"),
    "list": ("handouts.cli.listing", "list_command"),
    "batch": ("handouts.cli.batch", "batch_command"),
    "variants": ("handouts.cli.batch", "variants_command"),
    "validate": ("handouts.cli.content", "validate_command"),
    "schema": ("handouts.cli.content", "schema_command"),
    "init": ("handouts.cli.content", "init_command"),
    "serve": ("handouts.cli.serve", "serve_command"),
    "users": ("handouts.cli.users", "users_command"),
}


class HandoutsGroup(click.Group):
    """Loads commands when needed and turns user errors below into clean messages."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*LAZY_COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands or cmd_name not in LAZY_COMMANDS:
            return super().get_command(ctx, cmd_name)
        module_name, attribute = LAZY_COMMANDS[cmd_name]
        command = getattr(importlib.import_module(module_name), attribute)
        self.add_command(command, cmd_name)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as error:
            # A clinic's broken template override or an unwritable output
            # folder is the user's to fix, not a bug: one line, no traceback.
            if not is_user_error(error) or ctx.meta.get("handouts.debug"):
                raise
            raise click.ClickException(error_message(error)) from None


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


@click.group(cls=HandoutsGroup, context_settings=CONTEXT)
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="HANDOUTS_ROOT",
    help="Content folder with protocols/, branding/ and optionally templates/ "
    "(default: the bundled examples; env HANDOUTS_ROOT). 'handouts init DIR' makes one.",
)
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.option(
    "-v", "--verbose", count=True, help="More log output (-v, -vv). Patient names are never logged."
)
@click.version_option(package_name="handouts")
@click.pass_context
def main(ctx: click.Context, root: Path | None, debug: bool, verbose: int) -> None:
    """Clinic-branded aftercare handouts, personalised with real dates.

    \b
    Example:
      handouts handout micropenning --patient "Sam Lee" --date 2026-11-22
    """
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    ctx.meta["handouts.debug"] = debug
    ctx.meta["handouts.verbose"] = verbose
    content_root = root or default_root()
    if ctx.invoked_subcommand == "init":
        return  # init makes a content folder; it needs none
    if not content_root.is_dir():
        raise click.ClickException(f"--root: folder '{content_root}' does not exist")
    # One command reads each file once; nothing edits them while it runs.
    ctx.obj = CachedContentStore(content_root)


def run() -> None:
    """The console script: ``main``, ending quietly when its reader goes away.

    ``handouts list | head -1`` closes the pipe early; that is not an error
    worth a traceback.
    """
    try:
        main()
    except BrokenPipeError:
        # Point stdout at nothing so the interpreter's final flush cannot fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)
