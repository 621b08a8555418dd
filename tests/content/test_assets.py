"""A broken logo or font is named by `validate` and stops `handout`; never dropped silently."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from handouts.cli import main

SVG_OPEN = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'

LOGOS = {
    "truncated svg": ("logo.svg", SVG_OPEN + '<rect width="5" height=', "not well-formed SVG"),
    "entity": (
        "logo.svg",
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]>' + SVG_OPEN + "&a;</svg>",
        "declares a DTD or entities",
    ),
    "style import": (
        "logo.svg",
        SVG_OPEN + "<style>@import url(logo.css);</style></svg>",
        "imports a stylesheet",
    ),
    "not svg": ("logo.svg", "<html><body>hello</body></html>", "not an SVG image"),
    "png that is not": ("logo.png", "GIF89a this is not an image at all", "not a readable image"),
}


def use_logo(root: Path, name: str, text: str) -> None:
    clinic = root / "branding" / "harbourside"
    (clinic / name).write_text(text, encoding="utf-8")
    yaml = (clinic / "clinic.yaml").read_text("utf-8").replace("logo: logo.svg", f"logo: {name}")
    (clinic / "clinic.yaml").write_text(yaml, encoding="utf-8")


def assert_refused(root: Path, says: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--root", str(root), "validate"])
    assert result.exit_code == 1
    assert "harbourside/clinic.yaml:" in result.output and says in result.output
    target = tmp_path / "a.pdf"
    args = ["--root", str(root), "handout", "micropenning", "--clinic", "harbourside"]
    result = CliRunner().invoke(main, [*args, "-o", str(target)])
    assert result.exit_code == 1
    assert says in result.output and "Traceback" not in result.output
    assert not target.exists()


@pytest.mark.parametrize("case", LOGOS)
def test_a_broken_logo_is_named_and_stops_the_handout(
    root: Path, tmp_path: Path, case: str
) -> None:
    name, text, says = LOGOS[case]
    use_logo(root, name, text)
    assert_refused(root, says, tmp_path)


def test_a_broken_font_is_named_and_stops_the_handout(root: Path, tmp_path: Path) -> None:
    font = root / "branding" / "harbourside" / "fonts" / "OpenSans-Bold.ttf"
    font.write_bytes(font.read_bytes()[:5000])  # cut short, as a failed copy leaves it
    assert_refused(root, "'OpenSans-Bold.ttf' is not a font file that can be read", tmp_path)


def test_the_bundled_logos_and_fonts_pass(root: Path) -> None:
    result = CliRunner().invoke(main, ["--root", str(root), "validate"])
    assert result.exit_code == 0, result.output
