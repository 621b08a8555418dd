"""Shared fixtures. Procedure dates are fixed so no test depends on today."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from handouts.content.store import ContentStore as Content
from tests.cups_fixture import cups_queue
from tests.support.content import bundled_content, copy_content
from tests.support.dates import TEST_TODAY
from tests.support.smtp import message, pdf, smtp_server, tls

# Fixtures every test module may ask for by name.
__all__ = ["cups_queue", "message", "pdf", "smtp_server", "tls"]


def pytest_configure(config: pytest.Config) -> None:
    # Compiled templates are kept in the user's cache folder; a test run, and
    # every command it starts, keeps its own and leaves the user's alone.
    cache = tempfile.mkdtemp(prefix="handouts-test-cache-")
    os.environ["XDG_CACHE_HOME"] = cache
    config.add_cleanup(lambda: shutil.rmtree(cache, ignore_errors=True))
    # Likewise the data folder (the ledger, clinicians' sign-offs): never the user's own,
    # so nothing a test records approves or sends anything elsewhere.
    data = tempfile.mkdtemp(prefix="handouts-test-data-")
    os.environ["HANDOUTS_DATA"] = data
    config.add_cleanup(lambda: shutil.rmtree(data, ignore_errors=True))
    # Today, for the tool and every command a test starts: just before the fixed
    # procedure dates, so they are never "in the past" as the calendar moves on.
    os.environ.setdefault("HANDOUTS_TODAY", TEST_TODAY.isoformat())


# Files whose tests share nothing costly and take long together: spread over the workers
# one test at a time rather than kept on one.
SPREAD_TEST_BY_TEST = {"test_guide.py"}


# tryfirst: pytest-xdist reads the groups in its own pytest_collection_modifyitems, so
# they must be marked before it runs (without this they were silently ignored).
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        # Every test that prints needs the real CUPS queue; mark them all, so
        # `-m "not cups"` leaves out exactly those and none is forgotten. Under
        # `make test`'s workers (pytest-xdist, --dist loadgroup) they all run on one,
        # the only one that starts and stops the system's scheduler.
        if "cups_queue" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.cups)
            item.add_marker(pytest.mark.xdist_group("cups"))
        elif item.get_closest_marker("xdist_group") is None and (
            item.path.name not in SPREAD_TEST_BY_TEST
        ):
            # A file's tests stay together, so its module and session fixtures
            # (a rendered library, a running server, a browser) are made once;
            # files that share a cache name their group themselves.
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
        # A browser or a wheel in a fresh venv takes seconds before the first assertion.
        if item.get_closest_marker("browser") or item.path.name == "test_wheel.py":
            item.add_marker(pytest.mark.slow)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="Rewrite every expected-output file (tests/golden/, tests/bad_inputs/*.expected, "
        "the guide's command reference) from what the code makes now.",
    )


GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture
def golden(update_golden: bool) -> Callable[[str, str], None]:
    """Compare text with tests/golden/NAME, or rewrite the file with --update-golden.

    The one switch for every golden file: page HTML, clinic CSS, email bodies.
    """

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if update_golden:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        assert path.exists(), f"{name} missing: run pytest --update-golden"
        assert text == path.read_text(encoding="utf-8"), (
            f"{name} differs; if the change is intended, run pytest --update-golden "
            "and review the diff"
        )

    return check


@pytest.fixture(autouse=True)
def data_folder(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's own data folder (the ledger), so no test sees another's deliveries."""
    folder = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("HANDOUTS_DATA", str(folder))
    return folder


@pytest.fixture(scope="session")
def content() -> Content:
    """The content shipped with the tool: two protocols, two clinics."""
    return bundled_content()


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A private copy of the shipped content folder that a test may edit or break."""
    return copy_content(tmp_path / "root")


@pytest.fixture
def content_copy(tmp_path: Path) -> Content:
    """A private copy of the shipped content that a test may edit."""
    return Content(copy_content(tmp_path / "content"))
