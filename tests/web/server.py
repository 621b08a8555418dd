"""A real ``handouts serve`` on 127.0.0.1 for the web tests, and a real SMTP server for it."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

PASSWORD = "correct-horse-battery"
STAFF = "frontdesk"
MANAGER = "amira"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def add_user(data: Path, name: str, *, manager: bool = False, password: str = PASSWORD) -> None:
    argv = [sys.executable, "-m", "handouts", "users", "add", name, "--data", str(data)]
    if manager:
        argv.append("--manager")
    subprocess.run(argv, input=password + "\n", text=True, check=True, capture_output=True)


@dataclass
class Server:
    url: str
    data: Path
    log_path: Path
    process: subprocess.Popen[bytes]
    names_used: list[str] = field(default_factory=list)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def client(self, **options: object) -> httpx.Client:
        return httpx.Client(base_url=self.url, follow_redirects=False, timeout=60, **options)  # type: ignore[arg-type]

    def signed_in(self, name: str = STAFF, **options: object) -> httpx.Client:
        client = self.client(**options)
        token = csrf_token(client.get("/signin").text)
        response = client.post(
            "/signin", data={"csrf_token": token, "name": name, "password": PASSWORD}
        )
        assert response.status_code == 303, response.text
        return client


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


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
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"handouts serve exited with {process.returncode}:\n{log_path.read_text()}"
            )
        try:
            if httpx.get(url + "/signin", timeout=2).status_code == 200:
                return Server(url, data, log_path, process)
        except httpx.TransportError:
            pass
        time.sleep(0.2)  # polling for readiness, not waiting for a signal
    process.terminate()
    raise RuntimeError(f"handouts serve did not answer within 90 s:\n{log_path.read_text()}")


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=30)
