"""Content cannot reach outside the clinic's folder; patient text is only data.

A local HTTP server stands in for "the network": whatever a branding file or a
clinic's templates point at it, it must receive zero requests.
"""

from __future__ import annotations

import datetime as dt
import http.server
import os
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from handouts.cli import main
from handouts.content.bundled import BUNDLED_ROOT as PROJECT_ROOT
from handouts.content.resource_policy import clinic_file, path_problem
from handouts.content.store import ContentStore as Content
from handouts.errors import ContentError, ResourceRefused
from handouts.render.page import render_html, resolve_spec
from handouts.render.pdf import PdfRenderer

PATIENT = "Quintessa Zelborne"


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str]

    def do_GET(self) -> None:
        self.requests.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on 127.0.0.1 that records every request it gets."""
    requests: list[str] = []
    handler = type("Handler", (_Recorder,), {"requests": requests})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", requests
    finally:
        httpd.shutdown()
        httpd.server_close()


def _set_logo(root: Path, value: str) -> None:
    clinic = root / "branding" / "harbourside" / "clinic.yaml"
    text = clinic.read_text("utf-8").replace("logo: logo.svg", f"logo: {value}")
    clinic.write_text(text, "utf-8")


def _override(root: Path, name: str, text: str) -> Path:
    path = root / "branding" / "harbourside" / "templates" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


# --- clinic files ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("../../etc/passwd", "points outside the clinic's folder"),
        ("fonts/../../magnolia/logo.svg", "points outside the clinic's folder"),
        ("/etc/passwd", "is an absolute path"),
        ("C:\\Windows\\logo.png", "is an absolute path"),
        ("file:///etc/passwd", "is a URL"),
        ("http://127.0.0.1:9/logo.png", "is a URL"),
        ("https://example.com/logo.png", "is a URL"),
        ("ftp://example.com/logo.png", "is a URL"),
        ("data:image/png;base64,AAAA", "is a URL"),
        ("//example.com/logo.png", "is a URL"),
        ("logo\x00.svg", "control characters"),
        ("missing.svg", "does not exist"),
    ],
)
def test_clinic_paths_refused(value: str, says: str) -> None:
    clinic_dir = PROJECT_ROOT / "branding" / "harbourside"
    problem = path_problem(clinic_dir, value)
    assert problem is not None and says in problem
    with pytest.raises(ResourceRefused, match=r"clinic\.yaml: logo: "):
        clinic_file(clinic_dir, value, "logo")


def test_symlink_out_of_the_clinic_is_refused(root: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.svg"
    secret.write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", "utf-8")
    (root / "branding" / "harbourside" / "link.svg").symlink_to(secret)
    problem = path_problem(root / "branding" / "harbourside", "link.svg")
    assert problem is not None and "outside the clinic's folder" in problem


def test_url_logo_is_refused_at_load_with_line(root: Path, server: tuple[str, list[str]]) -> None:
    url, requests = server
    _set_logo(root, f"{url}/logo.png")
    with pytest.raises(ContentError) as caught:
        Content(root).clinic("harbourside")
    assert caught.value.problems == [
        f"{root}/branding/harbourside/clinic.yaml:5:7: logo: '{url}/logo.png' is a URL; "
        "give a file in the clinic's folder"
    ]
    assert requests == []


# --- stylesheets and templates ---------------------------------------------------

HANDOUT_CSS = (PROJECT_ROOT / "templates" / "handout.css").read_text("utf-8")
HEADER = (PROJECT_ROOT / "templates" / "partials" / "header.html").read_text("utf-8")

OVERRIDES = {
    "css @import": ("handout.css", lambda u: f'@import url("{u}/import.css");\n' + HANDOUT_CSS),
    "css background": (
        "handout.css",
        lambda u: HANDOUT_CSS + f"body {{ background: url({u}/b.png) }}",
    ),
    "css @font-face": (
        "handout.css",
        lambda u: (
            HANDOUT_CSS
            + f"@font-face {{ font-family: X; src: url('{u}/f.ttf') }} h1 {{ font-family: X }}"
        ),
    ),
    "html link": (
        "partials/header.html",
        lambda u: f'<link rel="stylesheet" href="{u}/link.css">\n' + HEADER,
    ),
    "html img": (
        "partials/header.html",
        lambda u: HEADER.replace("{{ logo_url }}", f"{u}/logo.png"),
    ),
    "html img file": (
        "partials/header.html",
        lambda u: HEADER.replace("{{ logo_url }}", "/etc/passwd"),
    ),
}


@pytest.mark.parametrize("case", list(OVERRIDES))
def test_overrides_cannot_fetch(root: Path, server: tuple[str, list[str]], case: str) -> None:
    url, requests = server
    name, make = OVERRIDES[case]
    path = _override(root, name, make(url))
    request = resolve_spec(
        Content(root), "micropenning", "harbourside", PATIENT, dt.date(2026, 3, 2)
    )
    with pytest.raises(ResourceRefused, match="refused to load") as caught:
        PdfRenderer().render(request)
    assert PATIENT not in str(caught.value)
    # validate names the file and line before anyone renders.
    result = CliRunner().invoke(main, ["--root", str(root), "validate"])
    assert result.exit_code == 1
    assert f"{path}:" in result.output
    assert requests == []


def test_svg_logo_linking_out_is_refused(root: Path, server: tuple[str, list[str]]) -> None:
    url, requests = server
    logo = root / "branding" / "harbourside" / "logo.svg"
    logo.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        f'<image href="{url}/inner.png" width="10" height="10"/></svg>',
        "utf-8",
    )
    request = resolve_spec(Content(root), "micropenning", "harbourside")
    with pytest.raises(ResourceRefused):
        PdfRenderer().render(request)
    result = CliRunner().invoke(main, ["--root", str(root), "validate"])
    assert result.exit_code == 1 and f"{logo}:1:" in result.output
    assert requests == []


def test_cli_with_url_logo_and_stylesheet(
    root: Path, server: tuple[str, list[str]], tmp_path: Path
) -> None:
    url, requests = server
    _set_logo(root, f"{url}/logo.png")
    _override(root, "handout.css", f'@import "{url}/x.css";\n' + HANDOUT_CSS)
    out = tmp_path / "out" / "h.pdf"
    result = CliRunner().invoke(
        main,
        ["--root", str(root), "handout", "micropenning", "--clinic", "harbourside", "-o", str(out)],
    )
    assert result.exit_code == 1
    assert "clinic.yaml:5:7: logo:" in result.output and "Traceback" not in result.output
    assert not out.exists()
    assert requests == []


# --- patient text ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "escaped"),
    [
        ("{{7*7}}", "{{7*7}}"),
        ("{% include 'handout.html' %}", "{% include &#39;handout.html&#39; %}"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("../../etc/passwd", "../../etc/passwd"),
        ('"><img src=x>', "&#34;&gt;&lt;img src=x&gt;"),
    ],
)
def test_patient_name_is_only_data(name: str, escaped: str) -> None:
    request = resolve_spec(Content(PROJECT_ROOT), "micropenning", "harbourside", name)
    html = render_html(request)
    assert escaped in html
    assert "49" not in html.split("<main>")[1].split("</table>")[0]


def test_patient_name_is_never_a_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        main,
        [
            "handout",
            "micropenning",
            "--patient",
            "../../etc/passwd",
            "--date",
            "2026-03-02",
            "--yes",
            "--format",
            "html",
        ],
    )
    assert result.exit_code == 0, result.output
    written = Path(result.stdout.strip())
    assert written.resolve().parent == (tmp_path / "out").resolve()


# --- privacy ---------------------------------------------------------------------


@pytest.fixture
def open_umask() -> Iterator[None]:
    """No help from a strict umask: the code itself must keep files private."""
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.mark.usefixtures("open_umask")
def test_output_and_new_folder_are_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        main, ["handout", "micropenning", "--patient", PATIENT, "--date", "2026-03-02", "--yes"]
    )
    assert result.exit_code == 0, result.output
    written = tmp_path / result.stdout.strip()
    assert stat.S_IMODE(written.stat().st_mode) & 0o077 == 0
    assert stat.S_IMODE((tmp_path / "out").stat().st_mode) & 0o077 == 0
    explicit = tmp_path / "new" / "deeper" / "h.pdf"
    result = CliRunner().invoke(
        main, ["handout", "micropenning", "--patient", PATIENT, "-o", str(explicit)]
    )
    assert result.exit_code == 0, result.output
    for path in (explicit, explicit.parent, explicit.parent.parent):
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path


def test_patient_name_not_logged_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.chdir(tmp_path)
    caplog.set_level("INFO")  # default verbosity shows warnings; -v shows info
    for extra in ([], ["-v"]):
        result = CliRunner().invoke(
            main, [*extra, "handout", "micropenning", "--patient", PATIENT, "-o", "h.pdf"]
        )
        assert result.exit_code == 0, result.output
        assert PATIENT not in result.output
        assert PATIENT not in caplog.text


def test_patient_name_not_on_stderr(tmp_path: Path) -> None:
    # A real process, so that logging is configured exactly as for a user.
    completed = subprocess.run(
        [
            sys.executable,
            str(PROJECT_ROOT / "generate.py"),
            "handout",
            "micropenning",
            "--patient",
            PATIENT,
            "--date",
            "2026-03-02",
            "--yes",
            "-o",
            str(tmp_path / "h.pdf"),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
        env={
            "PYTHONPATH": str(PROJECT_ROOT),
            "PATH": "/usr/bin:/bin",
            "HANDOUTS_DATA": str(tmp_path / "data"),
        },
    )
    assert completed.returncode == 0, completed.stderr
    assert PATIENT not in completed.stderr


def test_debug_shows_traceback_only_when_asked(root: Path) -> None:
    _set_logo(root, "../../etc/passwd")
    plain = CliRunner().invoke(
        main, ["--root", str(root), "handout", "micropenning", "--clinic", "harbourside"]
    )
    assert plain.exit_code == 1 and "Traceback" not in plain.output
    assert isinstance(plain.exception, SystemExit)
    debug = CliRunner().invoke(
        main, ["--root", str(root), "--debug", "handout", "micropenning", "--clinic", "harbourside"]
    )
    assert isinstance(debug.exception, ContentError)


@pytest.mark.parametrize(
    ("footer", "says"),
    [
        ("<footer>{% if clinic.footer %}</footer>\n", "footer.html:1: template: Unexpected end"),
        ("<footer>\n{{ clinic.fotter }}</footer>\n", "footer.html:2: template: "),
    ],
)
def test_broken_clinic_template_is_a_user_error(root: Path, footer: str, says: str) -> None:
    _override(root, "partials/footer.html", footer)
    args = [
        "--root",
        str(root),
        "handout",
        "micropenning",
        "--clinic",
        "harbourside",
        "-o",
        "x.pdf",
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert says in result.output and "Traceback" not in result.output


def test_unwritable_output_is_a_user_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", "utf-8")
    result = CliRunner().invoke(main, ["handout", "micropenning", "-o", str(blocker / "x.pdf")])
    assert result.exit_code == 1
    assert f"{blocker}" in result.output and "Traceback" not in result.output
