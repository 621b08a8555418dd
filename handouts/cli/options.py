"""Click options shared by several commands, and the rules between them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def print_options(command: F) -> F:
    """--print, --printer and --copies, shared by the commands that print."""
    command = click.option(
        "--copies",
        type=click.IntRange(min=1),
        default=1,
        show_default=True,
        help="Copies to print (with --print).",
    )(command)
    command = click.option(
        "--printer",
        metavar="NAME",
        help="CUPS printer, with --print (default: the clinic's printer, else CUPS's default).",
    )(command)
    return click.option("--print", "print_", is_flag=True, help="Print on a CUPS printer.")(command)


def check_print_options(print_: bool, printer: str | None, copies: int) -> None:
    """--printer and --copies without --print would silently print nothing."""
    if not print_ and (printer or copies != 1):
        raise click.UsageError("--printer and --copies go with --print")
