"""Content YAML that would stall or crash the tool: aliases, depth, size, dates out of range.

Each case is a clear message with the file (and line where there is one), exit
status 1, and no traceback, from `list`, `validate` and `handout` alike.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from handouts.cli import main
from handouts.content.bundled import BUNDLED_ROOT
from handouts.content.yaml_loading import load_protocol
from handouts.content.yaml_reading import MAX_FILE_BYTES
from handouts.errors import ContentError

SEED = (BUNDLED_ROOT / "protocols" / "micropenning.yaml").read_text("utf-8")

ALIAS_BOMB = "title: x\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{name}: &{name} [{', '.join([f'*{before}'] * 9)}]\n"
    for before, name in zip("abcdefgh", "bcdefghi", strict=True)
)


def write(root: Path, text: str) -> Path:
    path = root / "protocols" / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    return path


CASES = {
    "alias bomb": (ALIAS_BOMB, r"broken\.yaml:2:4: YAML syntax: '&' starts an anchor"),
    "an alias": ("title: &t x\nprocedure: *t\n", r"broken\.yaml:1:8: .*anchor"),
    "deep flow": ("title: " + "[" * 3000 + "]" * 3000 + "\n", r"broken\.yaml:1:\d+: .*nest"),
    "deep block": (
        "".join("  " * i + f"k{i}:\n" for i in range(300)) + "  " * 300 + "x\n",
        r"broken\.yaml:\d+:\d+: .*nest more than 40 levels",
    ),
    "huge file": ("title: x\nintro:\n" + "  - " + "word " * (MAX_FILE_BYTES // 5) + "\n", "1 MiB"),
    "months": (
        SEED.replace("interval: {months: 1}", "interval: {months: 200000}"),
        r"broken\.yaml:\d+:\d+: series\.interval\.months: must be 120 or less",
    ),
    "from_day": (
        SEED.replace("from_day: 8", "from_day: 3000000"),
        r"broken\.yaml:\d+:\d+: phases\[\d+\]\.from_day: must be 3650 or less",
    ),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("command", [["list"], ["validate"], ["handout", "broken"]])
def test_content_limits_are_clear_errors(root: Path, case: str, command: list[str]) -> None:
    text, expected = CASES[case]
    write(root, text)
    started = time.monotonic()
    result = CliRunner().invoke(main, ["--root", str(root), *command])
    assert time.monotonic() - started < 20
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    if command == ["list"]:
        # list shows what loads; a broken file is named, never a traceback
        assert "Traceback" not in result.output
        return
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output

    assert re.search(expected, result.output), result.output


def test_seed_has_the_strings_the_cases_replace() -> None:
    assert "interval: {months: 1}" in SEED and "from_day: 8" in SEED


def test_aliases_are_refused_before_anything_expands(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(ALIAS_BOMB, encoding="utf-8")
    started = time.monotonic()
    with pytest.raises(ContentError, match="anchor"):
        load_protocol(path)
    assert time.monotonic() - started < 1


@pytest.mark.parametrize("date", ["9999-12-31", "0001-01-01", "1899-12-31", "2200-01-01"])
def test_a_date_no_procedure_could_have_is_a_clear_error(date: str) -> None:
    args = ["handout", "micropenning", "--patient", "Ana", "--date", date]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert f"--date: '{date}' is outside the years 1900-2199" in result.output
    assert "Traceback" not in result.output


def test_an_empty_date_is_an_error_not_an_undated_handout(tmp_path: Path) -> None:
    args = [
        "handout",
        "micropenning",
        "--patient",
        "Ana",
        "--date",
        "",
        "--yes",
        "-o",
        str(tmp_path / "a"),
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert "--date: '' is not a date" in result.output
    assert not (tmp_path / "a").exists()
