"""The ``handouts`` command group: global options, and user errors as plain messages.

User errors (``HandoutError``) become one plain message and exit status 1;
wrong usage is click's exit status 2; anything else is a bug and keeps its
traceback. ``--debug`` shows the traceback for user errors too.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

import click
import jinja2

from ..content.store import ContentStore, default_root
from ..errors import ContentError, HandoutError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class HandoutsGroup(click.Group):
    """Turns user errors raised anywhere below into clean messages."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (HandoutError, OSError, jinja2.TemplateError) as error:
            # A clinic's broken template override or an unwritable output
            # folder is the user's to fix, not a bug: one line, no traceback.
            if ctx.meta.get("handouts.debug"):
                raise
            raise click.ClickException(error_message(error)) from None


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
    if isinstance(error, jinja2.TemplateSyntaxError):
        return f"{error.filename}:{error.lineno}: template: {error.message}"
    if isinstance(error, jinja2.TemplateError):
        where = _template_line(error) or "template"
        return f"{where}: template: {error.message}"
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
    ctx.obj = ContentStore(content_root)


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


# Commands kept in their own modules join the group once it exists.
from . import batch, content, handout, listing, serve, users  # noqa: E402

for command in (
    handout.handout_command,
    listing.list_command,
    batch.batch_command,
    batch.variants_command,
    content.validate_command,
    content.schema_command,
    content.init_command,
    serve.serve_command,
    users.users_command,
):
    main.add_command(command)
