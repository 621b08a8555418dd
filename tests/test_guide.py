"""Every command the guide shows runs as shown, so the guide cannot go stale.

The guide (README.md and docs/) shows commands to run in ```console blocks, one
per ``$ `` line (a line ending in a backslash goes on on the next one). Each
block runs in one bash shell, stopping at the first command that fails, in a
copy of this repository's files with its own home folder and data folder, the
way a reader would run it from the repository's root. ```sh blocks are
settings and sketches (an nginx file, a cron line): they are read, not run.

The guide's examples are dated around 22 November 2026, so every block runs on
21 November 2026 (``faketime``): "a date in the past" stays a date to come.
What a reader's machine has and a test machine does not stands in like this:
- the clinic's mail server is a real SMTP server on 127.0.0.1
  (``HANDOUTS_SMTP_*`` point at it);
- ``handouts serve`` runs until it answers on its port, then is stopped.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from tests.support.smtp import running_smtp_server

CHECKOUT = Path(__file__).resolve().parent.parent
GUIDE_DAY = "2026-11-21 09:00:00"
GUIDE_FILES = [CHECKOUT / "README.md", *sorted((CHECKOUT / "docs").rglob("*.md"))]
_CONSOLE_BLOCK = re.compile(r"^```console\n(.*?)^```", re.S | re.M)
_SERVE = re.compile(r"^handouts serve\b(.*)$")


@dataclass(frozen=True)
class Block:
    """One ```console block: where it is and the commands it shows."""

    path: Path
    line: int
    commands: list[str]
    also: tuple[str, ...] = ()  # the other places that show the same commands

    @property
    def name(self) -> str:
        return f"{self.path.relative_to(CHECKOUT)}:{self.line}"

    @property
    def names(self) -> str:
        return "+".join((self.name, *self.also))


def _commands(text: str) -> list[str]:
    commands: list[str] = []
    pending = ""
    for line in text.splitlines():
        if pending:
            pending += "\n" + line
        elif line.startswith("$ "):
            pending = line[2:]
        else:
            continue  # the output a reader would see
        if not pending.endswith("\\"):
            commands.append(pending)
            pending = ""
    return commands


def guide_blocks() -> Iterator[Block]:
    for path in GUIDE_FILES:
        text = path.read_text("utf-8")
        for match in _CONSOLE_BLOCK.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            yield Block(path, line, _commands(match.group(1)))


BLOCKS = list(guide_blocks())


def _distinct(blocks: list[Block]) -> list[Block]:
    """Each list of commands once: a block shown in two places (the README repeats the
    install guide's, which builds a wheel and a virtual environment) runs once, under
    the name of both places."""
    first: dict[tuple[str, ...], Block] = {}
    for block in blocks:
        key = tuple(block.commands)
        seen = first.get(key)
        first[key] = block if seen is None else replace(seen, also=(*seen.also, block.name))
    return list(first.values())


def test_the_guide_shows_commands() -> None:
    # If the pattern stopped matching, every block test would vanish and pass.
    assert len(BLOCKS) >= 7
    assert all(block.commands for block in BLOCKS), [b.name for b in BLOCKS if not b.commands]


def test_a_block_shown_in_two_places_runs_once_under_both_names() -> None:
    readme = Block(CHECKOUT / "README.md", 3, ["make demo"])
    guide = Block(CHECKOUT / "docs" / "index.md", 9, ["make demo"])
    other = Block(CHECKOUT / "docs" / "index.md", 20, ["make test"])
    assert [b.names for b in _distinct([readme, other, guide])] == [
        "README.md:3+docs/index.md:9",
        "docs/index.md:20",
    ]


def _repository_copy(target: Path) -> Path:
    """The tracked files, as a reader's clone has them (times kept, so make sees them as built)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=CHECKOUT, capture_output=True, check=True
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = CHECKOUT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    # No .venv in the copy: `handouts` comes from the test's own environment, on PATH,
    # and nothing the guide runs can reinstall that environment from the copy.
    return target


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _shell_line(command: str) -> str:
    """The command as the test's shell runs it: a server runs until it answers, then stops."""
    serve = _SERVE.match(command)
    if serve is None:
        return command
    port = _free_port()
    return (
        f"handouts serve --port {port}{serve.group(1)} & server=$!; "
        f"for _ in $(seq 600); do (exec 3<>/dev/tcp/127.0.0.1/{port}) 2>/dev/null && break; "
        f"kill -0 $server || exit 1; sleep 0.1; done; kill $server; wait $server || true"
    )


def _pip_cache() -> str:
    return subprocess.run(
        [sys.executable, "-m", "pip", "cache", "dir"], capture_output=True, text=True, check=False
    ).stdout.strip()


@pytest.mark.slow
@pytest.mark.parametrize("block", _distinct(BLOCKS), ids=lambda block: block.names)
def test_every_command_in_the_guide_runs(block: Block, tmp_path: Path) -> None:
    work = _repository_copy(tmp_path / "handouts")
    home = tmp_path / "home"
    home.mkdir()
    with running_smtp_server() as smtp:
        env = {
            "PATH": f"{CHECKOUT / '.venv' / 'bin'}:{os.environ['PATH']}",
            "HOME": str(home),
            "LANG": "C.UTF-8",
            "HANDOUTS_DATA": str(tmp_path / "data"),
            "HANDOUTS_SMTP_HOST": "127.0.0.1",
            "HANDOUTS_SMTP_PORT": str(smtp.port),
            "HANDOUTS_SMTP_SECURITY": "none",
            "PIP_CACHE_DIR": _pip_cache(),
            "XDG_CACHE_HOME": os.environ.get("XDG_CACHE_HOME", str(home / ".cache")),
        }
        script = "set -euo pipefail\n" + "\n".join(_shell_line(c) for c in block.commands)
        faketime = shutil.which("faketime")
        assert faketime, "faketime is missing: make test installs it (install-system-deps.sh)"
        ran = subprocess.run(
            [faketime, GUIDE_DAY, "bash", "-c", script],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            check=False,
            timeout=600,
        )
    assert ran.returncode == 0, (
        f"{block.names}: a command failed (exit {ran.returncode})\n"
        f"stdout:\n{ran.stdout[-3000:]}\nstderr:\n{ran.stderr[-3000:]}"
    )
