"""A name the fonts cannot draw is an error, never boxes; its characters never reach a log."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from handouts.content.bundled import BUNDLED_ROOT

PRIVATE_USE = "\ue000"  # no font has a glyph for it
UNASSIGNED = "\u0378"


def handouts(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "handouts", "-vv", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )


@pytest.mark.parametrize("odd", [PRIVATE_USE, UNASSIGNED])
def test_a_name_no_font_can_draw_is_an_error_without_the_name(tmp_path: Path, odd: str) -> None:
    name = f"Quorra{odd}Vantablack"
    target = tmp_path / "a.pdf"
    result = handouts(
        "handout",
        "micropenning",
        "--patient",
        name,
        "--date",
        "2026-11-22",
        "--yes",
        "-o",
        str(target),
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert "the patient's name has 1 character that none of the fonts can draw" in result.stderr
    assert not target.exists()
    everything = result.stdout + result.stderr
    for part in (odd, "Quorra", "Vantablack", f"U+{ord(odd):04X}"):
        assert part not in everything


CHINESE_FONTS = subprocess.run(
    ["fc-list", ":lang=zh"], capture_output=True, text=True, check=False
).stdout.strip()


@pytest.mark.skipif(not CHINESE_FONTS, reason="no font for Chinese installed here")
def test_a_name_an_installed_font_covers_is_made(tmp_path: Path) -> None:
    result = handouts(
        "handout",
        "micropenning",
        "--patient",
        "李小龍",
        "--date",
        "2026-11-22",
        "--yes",
        "-o",
        str(tmp_path / "a.pdf"),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "李" not in result.stderr and ".notdef" not in result.stderr


def test_a_batch_row_with_such_a_name_fails_without_naming_it(tmp_path: Path) -> None:
    patients = tmp_path / "day.csv"
    patients.write_text(
        "patient,date,protocol\n"
        f"Quorra{PRIVATE_USE},2026-11-22,micropenning\n"
        "Ana Silva,2026-11-22,micropenning\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = handouts("batch", str(patients), "-o", str(out), "--workers", "1", cwd=tmp_path)
    assert result.returncode == 1
    assert "row 2: failed: the patient's name has 1 character" in result.stderr
    everything = result.stdout + result.stderr
    assert "Quorra" not in everything and PRIVATE_USE not in everything
    assert "ana-silva" not in everything  # -vv never logs output file names
    assert len(list(out.glob("*.pdf"))) == 1


def test_protocol_text_no_font_can_draw_is_named_by_code_point(tmp_path: Path) -> None:
    root = tmp_path / "root"
    shutil.copytree(BUNDLED_ROOT / "protocols", root / "protocols")
    shutil.copytree(BUNDLED_ROOT / "branding", root / "branding")
    path = root / "protocols" / "micropenning.yaml"
    text = path.read_text("utf-8").replace("title: ", f"title: {PRIVATE_USE}", 1)
    path.write_text(text, "utf-8")
    result = handouts(
        "--root", str(root), "handout", "micropenning", "-o", str(tmp_path / "a.pdf"), cwd=tmp_path
    )
    assert result.returncode == 1
    assert "none of the fonts can draw (U+E000)" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_same_name_fails_when_only_the_clinic_fonts_exist(tmp_path: Path) -> None:
    """With fontconfig shown only the clinic's own fonts (no fallbacks), a Chinese name fails."""
    fonts = BUNDLED_ROOT / "branding" / "harbourside" / "fonts"
    config = tmp_path / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
        f"<fontconfig><dir>{fonts}</dir><cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>\n",
        encoding="utf-8",
    )
    target = tmp_path / "a.pdf"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "handouts",
            "handout",
            "micropenning",
            "--clinic",
            "harbourside",
            "--patient",
            "Ana 李小龍",
            "--date",
            "2026-11-22",
            "--yes",
            "-o",
            str(target),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "FONTCONFIG_FILE": str(config)},
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "the patient's name has 3 characters that none of the fonts can draw" in result.stderr
    assert not target.exists()
