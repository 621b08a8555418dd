"""The command reference of the guide, written from the commands' own ``--help``.

The guide's page ``docs/reference/commands.md`` is this text; a test checks
that it matches, so a new option cannot go undocumented.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import click

from .main import CONTEXT, main

# Wrapped the same on every machine, whatever the terminal.
_WIDTH: dict[str, Any] = {**CONTEXT, "terminal_width": 100}

HEADER = """# Command reference

Every command and option, as `--help` shows it. This page is written from the
commands themselves (`make docs`); a test fails when it is out of date.
"""


def _commands(
    group: click.Group, ctx: click.Context, path: list[str]
) -> Iterator[tuple[list[str], click.Command, click.Context]]:
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None or command.hidden:
            continue
        sub_ctx = click.Context(command, info_name=name, parent=ctx, **_WIDTH)
        yield [*path, name], command, sub_ctx
        if isinstance(command, click.Group):
            yield from _commands(command, sub_ctx, [*path, name])


def command_reference() -> str:
    """The whole page: one section per command, its help as the terminal shows it."""
    root = click.Context(main, info_name="handouts", **_WIDTH)
    sections = [HEADER, "## handouts\n\n```text\n" + main.get_help(root).rstrip() + "\n```\n"]
    for path, command, ctx in _commands(main, root, ["handouts"]):
        title = " ".join(path)
        sections.append(f"## {title}\n\n```text\n{command.get_help(ctx).rstrip()}\n```\n")
    return "\n".join(sections)


# make docs: python -m handouts.cli.reference > docs/reference/commands.md
if __name__ == "__main__":
    print(command_reference(), end="")
