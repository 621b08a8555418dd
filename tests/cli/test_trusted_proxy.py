"""``serve --trusted-proxy``: the only source of believed X-Forwarded-For headers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import uvicorn
from click.testing import CliRunner

from handouts.cli import main


def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str, **env: str) -> Any:
    """What ``serve`` would hand to uvicorn (which is not started)."""
    seen: dict[str, Any] = {}

    def run(server: uvicorn.Server, *args: Any) -> None:
        seen.update(app=server.config.app, proxy_headers=server.config.proxy_headers)

    monkeypatch.setattr(uvicorn.Server, "run", run)
    result = CliRunner().invoke(
        main, ["serve", "--data", str(tmp_path / "data"), *args], env=env or None
    )
    assert result.exit_code == 0, result.output
    return seen


def test_no_proxy_is_trusted_unless_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = served(tmp_path, monkeypatch)
    assert seen["proxy_headers"] is False  # uvicorn's own default would trust 127.0.0.1
    assert seen["app"].state.web.settings.trusted_proxies == ()


def test_proxies_from_options_and_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = served(tmp_path, monkeypatch, "--trusted-proxy", "127.0.0.1", "--trusted-proxy", "::1")
    assert seen["app"].state.web.settings.trusted_proxies == ("127.0.0.1", "::1")
    seen = served(tmp_path, monkeypatch, HANDOUTS_TRUSTED_PROXY="10.0.0.0/24 127.0.0.1")
    assert seen["app"].state.web.settings.trusted_proxies == ("10.0.0.0/24", "127.0.0.1")
