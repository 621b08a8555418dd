"""``handouts users``: the accounts that may sign in to ``handouts serve``."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click

from ..content.store import ContentStore
from ..errors import InputError
from ..web.data import DataFolder, data_dir
from ..web.users import Role, SignInRefused, User, UserStore, check_password

# The address a password check from this command is counted against.
COMMAND_LINE = "command line"

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


def _read_password(prompt: str = "Password", *, confirm: bool = True, which: str = "first") -> str:
    if sys.stdin.isatty():
        return str(
            click.prompt(
                prompt,
                hide_input=True,
                confirmation_prompt=f"{prompt} again" if confirm else False,
                err=True,
            )
        )
    # From a script or a password manager: one line of standard input each.
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise InputError(f"no password on standard input (give it as the {which} line)")
    return line


def _clinics(store: ContentStore, clinic_ids: Sequence[str]) -> frozenset[str] | None:
    """The clinics given with --clinic, each checked to exist; none given: every clinic."""
    known = store.clinic_ids()
    for clinic_id in clinic_ids:
        if clinic_id not in known:
            raise InputError(
                f"there is no clinic '{clinic_id}' (known: {', '.join(known) or 'none'})"
            )
    return frozenset(clinic_ids) or None


def _where(user: User) -> str:
    return "every clinic" if user.clinics is None else ", ".join(sorted(user.clinics))


clinic_option = click.option(
    "--clinic",
    "clinic_ids",
    multiple=True,
    metavar="ID",
    help="Limit the user to this clinic (repeat for several; default: every clinic).",
)


@click.group("users")
def users_command() -> None:
    """Who may sign in to the web page ('handouts serve').

    \b
    Examples:
      handouts users add frontdesk
      handouts users add amira --manager
      handouts users add reception2 --clinic harbourside
      printf '%s\\n' "$PASSWORD" | handouts users add frontdesk
      handouts users reset frontdesk
    """


@users_command.command("add")
@click.argument("name")
@click.option(
    "--manager", is_flag=True, help="May also run a day's list, see the history and manage users."
)
@clinic_option
@data_option
@click.pass_obj
def add_command(
    content: ContentStore,
    name: str,
    manager: bool,
    clinic_ids: tuple[str, ...],
    data_path: Path | None,
) -> None:
    """Add the user NAME, asking for the password.

    When standard input is not a terminal, its first line is the password.
    With --clinic the user sees and makes only those clinics' handouts.

    \b
    Examples:
      handouts users add frontdesk
      handouts users add amira --manager
      handouts users add reception2 --clinic harbourside --clinic magnolia
    """
    clinics = _clinics(content, clinic_ids)
    store = _store(data_path)
    password = check_password(_read_password())
    user = store.add(name, password, Role.MANAGER if manager else Role.STAFF, clinics)
    click.echo(f"added {user.name} ({user.role}, {_where(user)})")


@users_command.command("passwd")
@click.argument("name")
@data_option
def passwd_command(name: str, data_path: Path | None) -> None:
    """Change NAME's own password: the current one first, then the new one.

    When standard input is not a terminal, its first line is the current
    password and its second the new one. Every session of NAME ends.

    \b
    Example:
      handouts users passwd frontdesk
    """
    store = _store(data_path)
    current = _read_password("Current password", confirm=False)
    new = check_password(_read_password("New password", which="second"))
    try:
        ended = store.change_password(name, current, new, COMMAND_LINE)
    except SignInRefused as refused:
        message = str(refused) if refused.wait else f"that is not {name}'s current password"
        raise InputError(message) from None
    click.echo(f"new password set for {name}; {_sessions(ended)} ended")


@users_command.command("reset")
@click.argument("name")
@data_option
def reset_command(name: str, data_path: Path | None) -> None:
    """Give NAME a new password without the old one (a manager's reset).

    Every session of NAME ends at once. When standard input is not a
    terminal, its first line is the new password.

    \b
    Example:
      handouts users reset frontdesk
    """
    store = _store(data_path)
    if store.get(name) is None:  # before asking for a password
        raise InputError(f"there is no user '{name}'")
    ended = store.set_password(name, check_password(_read_password("New password")))
    click.echo(f"new password set for {name}; {_sessions(ended)} ended")


@users_command.command("limit")
@click.argument("name")
@clinic_option
@click.option("--every-clinic", is_flag=True, help="Lift the limit: every clinic.")
@data_option
@click.pass_obj
def limit_command(
    content: ContentStore,
    name: str,
    clinic_ids: tuple[str, ...],
    every_clinic: bool,
    data_path: Path | None,
) -> None:
    """Limit NAME to the clinics given with --clinic, or lift it with --every-clinic.

    \b
    Examples:
      handouts users limit reception2 --clinic harbourside
      handouts users limit reception2 --every-clinic
    """
    if every_clinic == bool(clinic_ids):
        raise click.UsageError("give --clinic ID (one or more) or --every-clinic")
    user = _store(data_path).set_clinics(name, _clinics(content, clinic_ids))
    click.echo(f"{user.name} may use {_where(user)}")


def _sessions(count: int) -> str:
    return "1 session" if count == 1 else f"{count} sessions"


@users_command.command("list")
@data_option
def list_command(data_path: Path | None) -> None:
    """List the users: name, role, when they were added and their clinics.

    \b
    Example:
      handouts users list
    """
    for user in _store(data_path).list():
        click.echo(f"{user.name}\t{user.role}\t{user.created}\t{_where(user)}")


@users_command.command("remove")
@click.argument("name")
@data_option
def remove_command(name: str, data_path: Path | None) -> None:
    """Remove the user NAME; their sessions end at once.

    \b
    Example:
      handouts users remove frontdesk
    """
    ended = _store(data_path).remove(name)
    click.echo(f"removed {name}; {_sessions(ended)} ended")
