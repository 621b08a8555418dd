"""A real ``handouts serve`` on 127.0.0.1, for the browser tests, the web benchmarks and the
guide's screenshots: start it, add users, sign in, stop it.

One copy, outside ``tests/``, because benchmarks and the screenshot script must not depend on
test code, and two copies of the same start-up loop drift apart.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

PASSWORD = "correct-horse-battery"
STAFF = "frontdesk"
MANAGER = "amira"
READY_WITHIN_SECONDS = 120


class ServerProblem(RuntimeError):
    """The server did not start, or a page it sent is not what a signed-in client expects."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def add_user(data: Path, name: str, *, manager: bool = False, password: str = PASSWORD) -> None:
    argv = [sys.executable, "-m", "handouts", "users", "add", name, "--data", str(data)]
    if manager:
        argv.append("--manager")
    subprocess.run(argv, input=password + "\n", text=True, check=True, capture_output=True)


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    if match is None:
        raise ServerProblem("the page has no CSRF token")
    return match.group(1)


@dataclass
class Server:
    url: str
    data: Path
    log_path: Path
    process: subprocess.Popen[bytes]
    names_used: list[str] = field(default_factory=list)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def client(self, timeout: float = 60, **options: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url, follow_redirects=False, timeout=timeout, **options)

    def signed_in(
        self, name: str = STAFF, *, password: str = PASSWORD, **options: Any
    ) -> httpx.Client:
        client = self.client(**options)
        token = csrf_token(client.get("/signin").text)
        response = client.post(
            "/signin", data={"csrf_token": token, "name": name, "password": password}
        )
        if response.status_code != 303:
            raise ServerProblem(f"signing in as {name} answered {response.status_code}")
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
    deadline = time.monotonic() + READY_WITHIN_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerProblem(
                f"handouts serve exited with {process.returncode}:\n{log_path.read_text()}"
            )
        try:
            if httpx.get(url + "/signin", timeout=2).status_code == 200:
                return Server(url, data, log_path, process)
        except httpx.TransportError:
            pass
        time.sleep(0.2)  # polling for readiness: the server sends no signal when it is up
    process.terminate()
    raise ServerProblem(
        f"handouts serve did not answer within {READY_WITHIN_SECONDS} s:\n{log_path.read_text()}"
    )


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=30)
