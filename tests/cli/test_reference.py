"""The guide's command reference is the commands' own help, and every option has help."""

from __future__ import annotations

from pathlib import Path

import click

from handouts.cli.main import main
from handouts.cli.reference import _commands, command_reference

PAGE = Path(__file__).resolve().parents[2] / "docs" / "reference" / "commands.md"


def test_the_command_reference_is_up_to_date(update_golden: bool) -> None:
    page = command_reference()
    if update_golden:
        PAGE.write_text(page, encoding="utf-8")
    assert PAGE.read_text(encoding="utf-8") == page, (
        "docs/reference/commands.md is out of date: run pytest --update-golden"
    )


def test_every_command_and_option_is_explained() -> None:
    root = click.Context(main, info_name="handouts")
    unexplained = []
    for path, command, _ctx in _commands(main, root, ["handouts"]):
        if not (command.help or "").strip():
            unexplained.append(" ".join(path))
        for parameter in command.params:
            explained = bool((parameter.help or "").strip()) or parameter.name == "help"
            if isinstance(parameter, click.Option) and not parameter.hidden and not explained:
                unexplained.append(f"{' '.join(path)} {parameter.opts[-1]}")
    assert unexplained == []


def test_every_command_shows_an_example() -> None:
    root = click.Context(main, info_name="handouts")
    without = [
        " ".join(path)
        for path, command, _ctx in _commands(main, root, ["handouts"])
        if not isinstance(command, click.Group) and "Example" not in (command.help or "")
    ]
    assert without == []
