"""A real ``handouts serve`` for the web benchmarks: start it, sign in, stop it.

Kept apart from the tests on purpose: a benchmark must not depend on test code.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

STAFF = "bench-desk"
PASSWORD = "bench-horse-battery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def add_user(data: Path, name: str = STAFF) -> None:
    argv = [sys.executable, "-m", "handouts", "users", "add", name, "--data", str(data)]
    subprocess.run(argv, input=PASSWORD + "\n", text=True, check=True, capture_output=True)


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    if match is None:
        raise RuntimeError("the page has no CSRF token")
    return match.group(1)


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]

    def client(self, **options: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=600, **options)

    def signed_in(self, name: str = STAFF) -> httpx.Client:
        client = self.client()
        token = csrf_token(client.get("/signin").text)
        answer = client.post(
            "/signin", data={"csrf_token": token, "name": name, "password": PASSWORD}
        )
        if answer.status_code != 303:
            raise RuntimeError(f"sign-in failed: {answer.status_code}")
        return client


def start_server(data: Path, log_path: Path, environ: dict[str, str], workers: int = 2) -> Server:
    port = free_port()
    log = log_path.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "handouts", "serve", "--port", str(port), "--workers", str(workers)],
        env={**os.environ, **environ, "HANDOUTS_DATA": str(data)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"handouts serve exited:\n{log_path.read_text()}")
        try:
            if httpx.get(url + "/signin", timeout=2).status_code == 200:
                return Server(url, process)
        except httpx.TransportError:
            pass
        time.sleep(0.2)  # polling for readiness
    process.terminate()
    raise RuntimeError("handouts serve did not answer within 120 s")


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=30)
