"""Commands that make no PDF never load the PDF engine (a third of a second or more)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PROBE = """
import sys
from click.testing import CliRunner
from handouts.cli import main
result = CliRunner().invoke(main, sys.argv[1:])
heavy = sorted({name.split(".")[0] for name in sys.modules} & {"weasyprint", "nltk", "textstat"})
print(result.exit_code, ",".join(heavy))
"""


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["list", "--json"],
        ["--help"],
        ["handout", "--help"],
        ["validate"],
        ["schema", "-o", "SCHEMA"],
        ["init", "NEW"],
    ],
)
def test_commands_without_a_pdf_do_not_import_weasyprint(args: list[str], tmp_path: Path) -> None:
    args = [
        a.replace("SCHEMA", str(tmp_path / "s")).replace("NEW", str(tmp_path / "n")) for a in args
    ]
    probe = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=True
    )
    exit_code, heavy = probe.stdout.split(" ", 1)
    assert exit_code == "0", probe.stdout
    loaded = set(filter(None, heavy.strip().split(",")))
    assert not loaded, loaded


def test_a_handout_does_import_it(tmp_path: Path) -> None:
    """The probe can see an import when there is one."""
    probe = subprocess.run(
        [sys.executable, "-c", PROBE, "handout", "micropenning", "-o", str(tmp_path / "x.pdf")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.split(" ", 1)[1].strip() == "weasyprint"
