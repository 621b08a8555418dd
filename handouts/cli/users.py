"""``handouts users``: the accounts that may sign in to ``handouts serve``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import InputError
from ..web.data import DataFolder, data_dir
from ..web.users import Role, UserStore, check_password

data_option = click.option(
    "--data",
    "data_path",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="HANDOUTS_DATA",
    help="Data folder with the users and history (default: your data directory; "
    "env HANDOUTS_DATA).",
)


def _store(data_path: Path | None) -> UserStore:
    return UserStore(DataFolder(data_path or data_dir()))


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt(
            "Password", hide_input=True, confirmation_prompt="Password again", err=True
        )
    # From a script or a password manager: the first line of standard input.
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise InputError("no password on standard input (give it as the first line)")
    return line


@click.group("users")
def users_command() -> None:
    """Who may sign in to the web page ('handouts serve').

    \b
    Examples:
      handouts users add frontdesk
      handouts users add amira --manager
      printf '%s\\n' "$PASSWORD" | handouts users add frontdesk
    """


@users_command.command("add")
@click.argument("name")
@click.option("--manager", is_flag=True, help="May also run a day's list and see the history.")
@data_option
def add_command(name: str, manager: bool, data_path: Path | None) -> None:
    """Add the user NAME, asking for the password.

    When standard input is not a terminal, its first line is the password.

    \b
    Examples:
      handouts users add frontdesk
      handouts users add amira --manager
    """
    store = _store(data_path)
    password = check_password(_read_password())
    user = store.add(name, password, Role.MANAGER if manager else Role.STAFF)
    click.echo(f"added {user.name} ({user.role})")


@users_command.command("list")
@data_option
def list_command(data_path: Path | None) -> None:
    """List the users: name, role and when they were added.

    \b
    Example:
      handouts users list
    """
    for user in _store(data_path).list():
        click.echo(f"{user.name}\t{user.role}\t{user.created}")


@users_command.command("remove")
@click.argument("name")
@data_option
def remove_command(name: str, data_path: Path | None) -> None:
    """Remove the user NAME; their sessions end at their next request.

    \b
    Example:
      handouts users remove frontdesk
    """
    _store(data_path).remove(name)
    click.echo(f"removed {name}")
