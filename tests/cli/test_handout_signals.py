"""A `handout` stopped by SIGTERM or SIGHUP cleans up; a name not in UTF-8 is refused."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from handouts.content.bundled import BUNDLED_ROOT


@pytest.fixture
def slow_root(tmp_path: Path) -> Path:
    """Content whose handout takes seconds to lay out, so a signal lands mid-render."""
    root = tmp_path / "root"
    shutil.copytree(BUNDLED_ROOT / "protocols", root / "protocols")
    shutil.copytree(BUNDLED_ROOT / "branding", root / "branding")
    path = root / "protocols" / "micropenning.yaml"
    text = path.read_text("utf-8")
    many = "".join(
        f"  - Step {n} of a very long list, to keep the renderer busy.\n" for n in range(3000)
    )
    path.write_text(text.replace("intro:\n", "intro:\n" + many, 1), "utf-8")
    return root


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_mid_render_removes_the_temporary_folder(
    tmp_path: Path, slow_root: Path, sig: signal.Signals
) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    target = tmp_path / "a.pdf"
    args = ["--root", str(slow_root), "handout", "micropenning", "--patient", "Ana Silva"]
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "handouts",
            *args,
            "--date",
            "2026-11-22",
            "--yes",
            "-o",
            str(target),
        ],
        env={**os.environ, "TMPDIR": str(temp)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    # The folder appears once the clinic's fonts are loaded, before layout starts.
    deadline = time.monotonic() + 30
    while not list(temp.glob("weasyprint-*")):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    process.send_signal(sig)
    _, stderr = process.communicate(timeout=60)

    assert process.returncode == 128 + sig, stderr
    assert list(temp.iterdir()) == []
    assert not target.exists()
    assert b"Traceback" not in stderr


def test_a_name_that_is_not_utf8_is_a_clear_error(tmp_path: Path) -> None:
    target = tmp_path / "a.pdf"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "handouts",
            "handout",
            "micropenning",
            "--patient",
            b"Ana \xff\xfe",
            "--date",
            "2026-11-22",
            "--yes",
            "-o",
            str(target),
        ],
        capture_output=True,
        check=False,
    )
    assert result.returncode == 1
    assert b"the patient's name is not valid UTF-8 text" in result.stderr
    assert b"Traceback" not in result.stderr
    assert not target.exists()


def test_a_signal_swallowed_by_a_finaliser_still_stops_the_command() -> None:
    # Python ignores an exception raised inside __del__; WeasyPrint's temporary
    # files close in one, so a SIGTERM landing there must still end the command.
    code = (
        "import os, signal\n"
        "from handouts.cli.handout import exit_on_signals, stop_if_signalled\n"
        "exit_on_signals()\n"
        "class Closer:\n"
        "    def __del__(self):\n"
        "        os.kill(os.getpid(), signal.SIGTERM)\n"
        "        sum(range(1000))\n"
        "Closer()\n"
        "print('finished the finaliser', flush=True)\n"
        "stop_if_signalled()\n"
        "print('went on to save the handout', flush=True)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert "finished the finaliser" in result.stdout
    assert "went on to save the handout" not in result.stdout
    assert result.returncode == 128 + signal.SIGTERM
    assert "Traceback" not in result.stderr
