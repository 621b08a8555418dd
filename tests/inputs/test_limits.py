"""The limits module and the command line, which states and enforces the same numbers."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from handouts.cli.main import main
from handouts.inputs import limits


def test_a_value_at_the_limit_passes_and_one_more_is_refused() -> None:
    assert limits.check_field("patient", "a" * limits.NAME) == "a" * limits.NAME
    with pytest.raises(limits.TooLong, match="201 characters long; at most 200"):
        limits.check_field("patient", "a" * (limits.NAME + 1))


def test_the_help_states_the_limits() -> None:
    result = CliRunner().invoke(main, ["handout", "--help"], terminal_width=200)
    assert f"at most {limits.NAME} characters" in result.output
    assert f"at most {limits.EMAIL} characters" in result.output


def test_a_long_name_on_the_command_line_is_refused_plainly(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["handout", "micropenning", "--patient", "张" * 5000, "-o", "/dev/null"]
    )
    assert result.exit_code == 1
    assert "The patient's name is 5000 characters long; at most 200 are allowed." in result.output
    assert "Traceback" not in result.output


def test_a_long_email_is_refused_plainly() -> None:
    with pytest.raises(limits.TooLong, match="email address"):
        limits.check_email("a" * 300 + "@example.org")


def test_output_to_a_dash_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    runner = CliRunner()
    with runner.isolated_filesystem(temp_dir=tmp_path):
        result = runner.invoke(main, ["handout", "micropenning", "-o", "-"])
        assert result.exit_code == 2
        assert "standard output is not supported" in result.output
        assert not Path("-").exists()
