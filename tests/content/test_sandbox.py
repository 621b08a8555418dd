"""Clinic templates run sandboxed and only from inside their folder; `validate` names what fails.

Overrides are written the way an attacker would: Python's internals reached
through a template global, and links to a file outside the clinic's folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from handouts.cli import main

PAYLOAD = "{{ cycler.__init__.__globals__.os.popen('id').read() }}"
HANDOUT = ["handout", "micropenning", "--clinic", "harbourside", "--patient", "Ana Silva"]


def override(root: Path, name: str) -> Path:
    path = root / "branding" / "harbourside" / "templates" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def run(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--root", str(root), *args])
    return result.exit_code, result.output


def make_and_save_email(root: Path, target: Path, eml: Path) -> tuple[int, str]:
    """A dated handout saved to ``target`` with its email written to ``eml``."""
    args = ["--date", "2026-11-22", "--yes", "-o", str(target)]
    return run(root, *HANDOUT, *args, "--email", "ana@example.com", "--eml", str(eml))


@pytest.mark.parametrize("name", ["partials/contact.html", "email/body.txt"])
def test_python_internals_are_refused_at_render_and_named_by_validate(
    root: Path, tmp_path: Path, name: str
) -> None:
    path = override(root, name)
    path.write_text(f"Call us.\n{PAYLOAD}\n", encoding="utf-8")
    target, eml = tmp_path / "a.pdf", tmp_path / "a.eml"
    code, output = make_and_save_email(root, target, eml)
    assert code == 1
    assert "uid=" not in output and "Traceback" not in output
    assert "access to attribute '__init__' of 'type' object is unsafe" in output
    assert not eml.exists()
    if name.startswith("partials"):
        assert not target.exists()

    code, output = run(root, "validate")
    assert code == 1
    assert f"{path}:2: template: '__globals__' cannot be used" in output
    assert f"{path}:2: template: '__init__' cannot be used" in output


def test_item_access_to_internals_is_named_too(root: Path) -> None:
    path = override(root, "partials/contact.html")
    path.write_text("a\nb\n{{ clinic['__class__'] }}\n", encoding="utf-8")
    code, output = run(root, "validate")
    assert code == 1
    assert f"{path}:3: template: '__class__' cannot be used" in output


@pytest.mark.parametrize("name", ["partials/contact.html", "handout.css", "email/body.txt"])
def test_a_link_out_of_the_clinic_folder_is_refused_and_named(
    root: Path, tmp_path: Path, name: str
) -> None:
    link = override(root, name)
    link.symlink_to("/etc/passwd")
    target, eml = tmp_path / "a.pdf", tmp_path / "a.eml"
    code, output = make_and_save_email(root, target, eml)
    assert code == 1
    assert "root:" not in output and "Traceback" not in output
    assert "leads outside" in output
    assert not eml.exists()

    code, output = run(root, "validate")
    assert code == 1
    assert f"{link}: is a link leading outside" in output
    assert "root:" not in output


def test_a_logo_linked_out_of_the_clinic_folder_is_named(root: Path) -> None:
    clinic = root / "branding" / "harbourside"
    (clinic / "logo.svg").unlink()
    (clinic / "logo.svg").symlink_to("/etc/passwd")
    code, output = run(root, "validate")
    assert code == 1
    assert "clinic.yaml:" in output and "leads outside the clinic's folder" in output
