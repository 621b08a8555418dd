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
from ..messages import error_message, is_user_error
from .collector import pause_for_start, resume_for_long_run

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
    "signoff": ("handouts.cli.content", "signoff_command"),
    "serve": ("handouts.cli.serve", "serve_command"),
    "users": ("handouts.cli.users", "users_command"),
    "history": ("handouts.cli.history", "history_command"),
    "follow-ups": ("handouts.cli.follow_ups", "follow_ups_command"),
}
# Commands that finish within seconds; the others keep running (collector.py).
SHORT_COMMANDS = frozenset(
    {"handout", "list", "validate", "schema", "init", "users", "history", "signoff"}
)


class HandoutsGroup(click.Group):
    """Loads commands when needed and turns user errors below into clean messages."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*LAZY_COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands or cmd_name not in LAZY_COMMANDS:
            return super().get_command(ctx, cmd_name)
        module_name, attribute = LAZY_COMMANDS[cmd_name]
        command: click.Command = getattr(importlib.import_module(module_name), attribute)
        self.add_command(command, cmd_name)
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        if name not in SHORT_COMMANDS:
            resume_for_long_run()
        return name, command, rest

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as error:
            # A clinic's broken template override or an unwritable output
            # folder is the user's to fix, not a bug: one line, no traceback.
            if not is_user_error(error) or ctx.meta.get("handouts.debug"):
                raise
            raise click.ClickException(error_message(error)) from None


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
    pause_for_start()
    try:
        main()
    except BrokenPipeError:
        # Point stdout at nothing so the interpreter's final flush cannot fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)
