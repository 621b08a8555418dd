"""The command line, through click's CliRunner and as a real process."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from handouts.cli import main
from handouts.content.bundled import BUNDLED_ROOT as PROJECT_ROOT
from handouts.content.store import ContentStore as Content
from tests.pdfcheck import pdf_text
from tests.support.content import copy_content

NAME = "Zoë O'Brien-Núñez <b>&</b> {{7*7}}"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HANDOUTS_ROOT", raising=False)
    return tmp_path


def test_handout_writes_pdf_and_prints_path(runner: CliRunner, in_tmp: Path) -> None:
    result = runner.invoke(
        main,
        [
            "handout",
            "microneedling",
            "--patient",
            NAME,
            "--date",
            "2026-11-22",
            "--yes",
            "-o",
            "x.pdf",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "x.pdf"
    assert result.stderr.strip() == "date: Sunday 22 November 2026"  # the date understood
    pdf = (in_tmp / "x.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    assert NAME in text
    assert "23 November 2026" in text


def test_handout_in_spanish(runner: CliRunner, in_tmp: Path) -> None:
    args = ["handout", "micropenning", "--language", "es", "--patient", "José Álvarez"]
    args += ["--allow-draft"]  # the Spanish translation is a draft
    result = runner.invoke(main, [*args, "--date", "2026-11-23", "--yes", "-o", "es.pdf"])
    assert result.exit_code == 0, result.output
    text = pdf_text((in_tmp / "es.pdf").read_bytes())
    assert "Paciente José Álvarez Fecha del procedimiento lunes, 23 de noviembre de 2026" in text


def test_handout_in_a_language_it_lacks(runner: CliRunner, in_tmp: Path) -> None:
    result = runner.invoke(main, ["handout", "micropenning", "--language", "fr", "-o", "fr.pdf"])
    assert result.exit_code == 1
    assert "Protocol 'micropenning' has no 'fr' translation. Its languages: en, es." in (
        result.output
    )
    assert not (in_tmp / "fr.pdf").exists()


def test_default_output_name_is_safe_and_private(runner: CliRunner, in_tmp: Path) -> None:
    result = runner.invoke(
        main,
        [
            "handout",
            "micropenning",
            "--clinic",
            "magnolia",
            "--patient",
            "../../Zoë /O'Brien",
            "--date",
            "2026-11-22",
            "--yes",
        ],
    )
    assert result.exit_code == 0, result.output
    path = Path(result.stdout.strip())
    assert path.parent == Path("out")
    # The slug drops the accent and the apostrophe, so a hash of the exact name follows.
    assert re.fullmatch(r"magnolia_micropenning_2026-11-22_zoe-o-brien-[0-9a-f]{8}\.pdf", path.name)
    mode = stat.S_IMODE((in_tmp / path).stat().st_mode)
    assert mode & 0o077 == 0
    assert stat.S_IMODE((in_tmp / "out").stat().st_mode) & 0o077 == 0


def test_blank_handout_name(runner: CliRunner, in_tmp: Path) -> None:
    result = runner.invoke(main, ["handout", "microneedling"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(Path("out") / "harbourside_microneedling_blank.pdf")


def test_html_format(runner: CliRunner, in_tmp: Path) -> None:
    result = runner.invoke(main, ["handout", "micropenning", "--format", "html", "-o", "x.html"])
    assert result.exit_code == 0, result.output
    html = (in_tmp / "x.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<style>" in html


def test_pdf_variant_option(runner: CliRunner, in_tmp: Path) -> None:
    result = runner.invoke(
        main, ["handout", "micropenning", "--pdf-variant", "pdf/a-3u", "-o", "a.pdf"]
    )
    assert result.exit_code == 0, result.output
    metadata = PdfReader(in_tmp / "a.pdf").xmp_metadata
    assert metadata is not None
    assert b"pdfaid:part" in metadata.stream.get_data()


DRAFT = {"status": "draft", "detail": "draft, not signed off by a clinician"}
REVIEWED = {"status": "reviewed", "detail": "reviewed"}


def listed(
    protocol_id: str, title: str, en: dict[str, str], es: dict[str, str] | None = None
) -> dict[str, object]:
    approval = {"en": en} if es is None else {"en": en, "es": es}
    return {
        "id": protocol_id,
        "title": title,
        "languages": list(approval),
        "draft": en is DRAFT,
        "approval": approval,
    }


def test_list_json_is_exact(runner: CliRunner, in_tmp: Path) -> None:
    result = runner.invoke(main, ["list", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "root": str(PROJECT_ROOT),
        "protocols": [
            listed("botulinum-toxin", "Anti-wrinkle injection care", DRAFT),
            listed("dermal-fillers", "Dermal filler care", DRAFT),
            listed("fractional-laser", "Fractional laser care", DRAFT),
            listed("ipl-photofacial", "IPL photofacial care", DRAFT),
            listed("laser-hair-removal", "Laser hair removal care", DRAFT),
            listed("light-chemical-peel", "Light chemical peel care", DRAFT),
            listed("medium-chemical-peel", "Medium chemical peel care", DRAFT),
            listed("microdermabrasion", "Microdermabrasion care", DRAFT),
            listed("microneedling", "Micro-Needling aftercare", REVIEWED, DRAFT),
            listed("micropenning", "Micropenning aftercare", REVIEWED, DRAFT),
            listed("prp-injections", "PRP injection care", DRAFT),
        ],
        "clinics": [
            {"id": "harbourside", "name": "Harbourside Skin Clinic", "default": True},
            {"id": "magnolia", "name": "Magnolia Dermatology & Laser", "default": False},
        ],
    }


def test_list_plain(runner: CliRunner, in_tmp: Path) -> None:
    result = runner.invoke(main, ["list"])
    assert result.exit_code == 0
    assert "harbourside" in result.output and "(default)" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["handout", "microneedlng"],
            "Unknown protocol 'microneedlng'. Did you mean 'microneedling'?",
        ),
        (["handout", "micropenning", "--clinic", "magnolai"], "Did you mean 'magnolia'?"),
        (
            ["handout", "micropenning", "--date", "11/22/2026", "--yes"],
            "not a date written day/month",
        ),
        (["handout", "micropenning", "--date", "2026-02-30", "--yes"], "not a real calendar date"),
    ],
)
def test_user_errors_exit_1_without_traceback(runner, in_tmp, args, message) -> None:
    result = runner.invoke(main, args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (in_tmp / "out").exists()


def test_wrong_usage_exits_2(runner: CliRunner, in_tmp: Path) -> None:
    assert runner.invoke(main, ["handout"]).exit_code == 2
    assert runner.invoke(main, ["handout", "x", "--format", "docx"]).exit_code == 2
    assert runner.invoke(main, ["nonsense"]).exit_code == 2


def test_root_option_and_env_with_builtin_templates(runner, in_tmp, content_copy: Content) -> None:
    root = content_copy.root
    (root / "protocols" / "micropenning.yaml").unlink()
    # Translations (<id>.<language>.yaml) are not protocols of their own.
    expected = sorted(p.stem for p in (root / "protocols").glob("*.yaml") if "." not in p.stem)
    assert "micropenning" not in expected and "microneedling" in expected
    result = runner.invoke(main, ["--root", str(root), "list", "--json"])
    assert [p["id"] for p in json.loads(result.output)["protocols"]] == expected
    result = runner.invoke(main, ["list", "--json"], env={"HANDOUTS_ROOT": str(root)})
    assert [p["id"] for p in json.loads(result.output)["protocols"]] == expected
    # No templates/ in the root: the built-in templates are used.
    result = runner.invoke(main, ["--root", str(root), "handout", "microneedling", "-o", "r.pdf"])
    assert result.exit_code == 0, result.output


def test_missing_root_is_a_user_error(runner: CliRunner, in_tmp: Path) -> None:
    result = runner.invoke(main, ["--root", str(in_tmp / "nowhere"), "list"])
    assert result.exit_code == 1
    assert "does not exist" in result.output


def test_broken_protocol_names_file_and_line(runner, in_tmp, content_copy: Content) -> None:
    path = content_copy.protocols_dir / "microneedling.yaml"
    path.write_text(path.read_text().replace("  - title: Day 1\n", "  - titel: Day 1\n"))
    result = runner.invoke(main, ["--root", str(content_copy.root), "handout", "microneedling"])
    assert result.exit_code == 1
    assert f"{path}:" in result.output
    assert "'titel' is not a field here. Did you mean 'title'?" in result.output
    assert not (in_tmp / "out").exists()


def test_every_command_has_help() -> None:
    def walk(command: click.Command, path: list[str]):
        yield path, command
        if isinstance(command, click.Group):
            context = click.Context(command)
            for name in command.list_commands(context):
                sub = command.get_command(context, name)
                assert sub is not None, name
                yield from walk(sub, [*path, name])

    for path, command in walk(main, ["handouts"]):
        name = " ".join(path)
        assert command.help, f"{name} has no help text"
        assert "Example" in command.help, f"{name}'s help has no example"
        # The one-line summary shown in the command list is whole, not cut off with "...".
        assert not command.get_short_help_str(limit=80).endswith("..."), name
        page = CliRunner().invoke(main, [*path[1:], "--help"])
        assert page.exit_code == 0 and "Example" in page.output, name


def test_output_option_says_what_the_default_file_name_is() -> None:
    page = CliRunner().invoke(main, ["handout", "--help"]).output
    assert "out/<clinic>_<protocol>_<date>_<patient>.pdf" in " ".join(page.split())


def test_list_piped_into_head_ends_quietly(tmp_path: Path) -> None:
    handouts = Path(sys.executable).parent / "handouts"
    # More output than a pipe holds, so the writer meets the closed pipe for sure.
    root = copy_content(tmp_path / "many")
    source = (root / "protocols" / "micropenning.yaml").read_text(encoding="utf-8")
    for number in range(400):
        (root / "protocols" / f"copy-{number:03d}.yaml").write_text(source, encoding="utf-8")
    result = subprocess.run(
        f"'{handouts}' --root '{root}' list | head -1",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.startswith("Content:")
    assert result.stderr == ""


def test_list_says_so_and_exits_1_without_protocols_or_clinics(
    runner: CliRunner, tmp_path: Path
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(main, ["--root", str(empty), "list"])
    assert result.exit_code == 1
    assert f"No protocols and no clinics in {empty}" in result.output
    assert "handouts init" in result.output


def test_generate_py_matches_console_script(in_tmp: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    result = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "generate.py"), "handout", "microneedlng"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 1
    assert "Did you mean 'microneedling'?" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_run_leaves_nothing_in_the_temp_dir(tmp_path: Path) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "TMPDIR": str(temp)}
    result = subprocess.run(
        [
            sys.executable,
            str(PROJECT_ROOT / "generate.py"),
            "handout",
            "micropenning",
            "-o",
            str(tmp_path / "x.pdf"),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert list(temp.iterdir()) == []


def test_control_characters_in_names_become_spaces(runner: CliRunner, in_tmp: Path) -> None:
    result = runner.invoke(
        main, ["handout", "micropenning", "--patient", " Ana\n\tSilva\x07 ", "-o", "n.pdf"]
    )
    assert result.exit_code == 0, result.output
    assert "Patient Ana Silva Procedure date" in pdf_text((in_tmp / "n.pdf").read_bytes())


def test_unwritable_output_names_the_file_asked_for(runner: CliRunner, in_tmp: Path) -> None:
    (in_tmp / "plain-file").write_text("x")
    result = runner.invoke(main, ["handout", "micropenning", "-o", "plain-file/x.pdf"])
    assert result.exit_code == 1
    assert "plain-file/x.pdf" in result.output
    assert ".part" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--printer", "FrontDesk"], "--printer and --copies go with --print"),
        (["--copies", "2"], "--printer and --copies go with --print"),
        (["--eml", "x.eml"], "--eml needs --email"),
        (["--format", "html", "--email", "a@example.org"], "need PDF output"),
        (["--format", "html", "--print"], "need PDF output"),
    ],
)
def test_option_mistakes_are_usage_errors_before_any_work(
    runner: CliRunner, in_tmp: Path, args: list[str], message: str
) -> None:
    result = runner.invoke(main, ["handout", "micropenning", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not (in_tmp / "out").exists()


def test_list_names_a_file_it_cannot_read_and_exits_1(
    runner: CliRunner, content_copy: Content
) -> None:
    broken = content_copy.protocols_dir / "microneedling.yaml"
    broken.write_text("title: [unclosed\n", encoding="utf-8")
    result = runner.invoke(main, ["--root", str(content_copy.root), "list"])
    assert result.exit_code == 1
    assert "micropenning" in result.output  # the others are still listed
    assert f"cannot be read: {broken}:" in result.output
