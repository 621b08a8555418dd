"""A built wheel works anywhere: templates and examples travel inside the package.

The wheel is built from this checkout and installed, without dependencies,
into a fresh virtual environment that borrows the test environment's
third-party packages, so the test needs no network and still runs only the
installed copy of handouts, from a folder far from the checkout.
"""

from __future__ import annotations

import os
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

CHECKOUT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin/ folder of a fresh venv with only the wheel installed."""
    base = tmp_path_factory.mktemp("wheel")
    dist = base / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(dist),
            str(CHECKOUT),
        ],
        check=True,
    )
    (wheel,) = dist.glob("handouts-*.whl")
    venv = base / "venv"
    # Without pip of its own: the test environment's pip installs into it (--python),
    # which spares seconds of copying pip into a venv used once.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    install = ["install", "--quiet", "--no-deps", str(wheel)]
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), *install], check=True)
    # Third-party packages from the test environment; its .pth files (among them
    # the editable install of this checkout) are not processed from here.
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(purelib, "borrowed.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    return venv / "bin"


def run(bin_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("HANDOUTS_ROOT", "PYTHONPATH")}
    return subprocess.run(
        [str(bin_dir / "handouts"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_wheel_carries_templates_and_examples(installed: Path) -> None:
    (wheel,) = (installed.parent.parent / "dist").glob("handouts-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "handouts/bundled/templates/handout.html",
        "handouts/bundled/templates/email/body.txt",
        "handouts/bundled/protocols/micropenning.yaml",
        "handouts/bundled/branding/magnolia/clinic.yaml",
        "handouts/bundled/schema/protocol.schema.json",
        "handouts/bundled/protocols/micropenning.es.yaml",
        "handouts/locale/es/LC_MESSAGES/handouts.mo",
    ):
        assert needed in names, needed


def test_installed_tool_runs_from_an_empty_folder(installed: Path, tmp_path: Path) -> None:
    where = subprocess.run(
        [str(installed / "python"), "-c", "import handouts; print(handouts.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(CHECKOUT) not in where, "the test must run the installed copy"

    listing = run(installed, "list", cwd=tmp_path)
    assert listing.returncode == 0, listing.stderr
    assert "micropenning" in listing.stdout and "magnolia" in listing.stdout

    bundled = run(installed, "handout", "micropenning", "-o", "stock.pdf", cwd=tmp_path)
    assert bundled.returncode == 0, bundled.stderr
    assert (tmp_path / "stock.pdf").read_bytes().startswith(b"%PDF-")

    spanish = ("handout", "micropenning", "--language", "es", "--format", "html", "-o", "es.html")
    assert run(installed, *spanish, cwd=tmp_path).returncode == 0
    assert '<th scope="row">Paciente</th>' in (tmp_path / "es.html").read_text(encoding="utf-8")

    assert run(installed, "init", "my-clinic", cwd=tmp_path).returncode == 0
    valid = run(installed, "--root", "my-clinic", "validate", cwd=tmp_path)
    assert valid.returncode == 0, valid.stdout + valid.stderr
    made = run(
        installed,
        "--root",
        "my-clinic",
        "handout",
        "microneedling",
        "--patient",
        "Sam Lee",
        "--date",
        "2026-11-22",
        "--yes",
        cwd=tmp_path,
    )
    assert made.returncode == 0, made.stderr
    assert Path(tmp_path, made.stdout.strip()).is_file()


def test_a_templates_folder_with_one_partial_overrides_only_it(
    installed: Path, tmp_path: Path
) -> None:
    assert run(installed, "init", "chain", cwd=tmp_path).returncode == 0
    partial = tmp_path / "chain" / "templates" / "partials" / "contact.html"
    partial.parent.mkdir(parents=True)
    partial.write_text("<p>Call the chain's central line.</p>\n", encoding="utf-8")
    made = run(
        installed,
        "--root",
        "chain",
        "handout",
        "micropenning",
        "--format",
        "html",
        "-o",
        "page.html",
        cwd=tmp_path,
    )
    assert made.returncode == 0, made.stderr
    page = (tmp_path / "page.html").read_text(encoding="utf-8")
    assert "Call the chain's central line." in page
    assert "Your recovery, step by step" in page  # the rest is still the built-in page
