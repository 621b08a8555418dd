"""``serve`` says it is ready only once the page answers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_ready_is_said_only_when_the_page_answers(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "handouts", "serve", "--port", str(port), "--workers", "1"],
        env={**os.environ, "HANDOUTS_DATA": str(tmp_path / "data")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.append(line)
            if "ready at" in line:
                ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert ready.wait(timeout=180), "".join(lines)
        # At once, with no retry: the first request after "ready" is answered.
        response = httpx.get(f"http://127.0.0.1:{port}/signin", timeout=30)
        assert response.status_code == 200
        said = "".join(lines)
        assert said.index("Starting the front desk") < said.index(
            f"Front desk ready at http://127.0.0.1:{port}"
        )
    finally:
        process.terminate()
        process.wait(timeout=60)
