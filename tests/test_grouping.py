"""`make test`'s workers keep each file's tests together, as tests/conftest.py asks.

A file's costly fixtures (a rendered library, a running server, a browser) are made
once because its tests share a worker. pytest-xdist marks the grouping in each
test's id; if an upgrade of pytest or pytest-xdist quietly stops it, this fails
instead of the suite silently taking longer.
"""

from __future__ import annotations

import pytest


def test_a_files_tests_run_on_one_worker(request: pytest.FixtureRequest) -> None:
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("only under `make test`'s workers (pytest -n auto --dist loadgroup)")
    assert request.node.nodeid.endswith("@tests/test_grouping.py"), request.node.nodeid
