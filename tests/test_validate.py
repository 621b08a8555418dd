"""The validate and schema commands on the shipped content and on small roots."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from handouts.cli import main
from handouts.content.bundled import BUNDLED_ROOT as PROJECT_ROOT
from handouts.content.readability import sentence_count, text_grade
from handouts.content.schema import SCHEMAS, schema_text
from handouts.content.store import ContentStore as Content
from handouts.validate import validate_root
from tests.support.content import copy_content


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_shipped_content_is_valid_and_graded() -> None:
    code, output = _run("--root", str(PROJECT_ROOT), "validate")
    assert code == 0, output
    assert "Reading grades (Flesch-Kincaid):" in output
    for protocol_id in Content(PROJECT_ROOT).protocol_ids():
        assert protocol_id in output
    report = validate_root(Content(PROJECT_ROOT))
    assert report.ok and not report.warnings
    assert all(g.grade <= g.target for g in report.grades if g.target is not None)


def test_reading_grade_option_overrides_target() -> None:
    code, output = _run("--root", str(PROJECT_ROOT), "validate", "--reading-grade", "3")
    assert code == 0  # a warning, not a problem
    assert "warning:" in output and "above the target of 3" in output
    assert "ABOVE TARGET" in output
    code, _ = _run("--root", str(PROJECT_ROOT), "validate", "--reading-grade", "3", "--strict")
    assert code == 1


def test_reading_grade_needs_no_network() -> None:
    # In a fresh process, so no other test's imports count: grading every bundled
    # protocol opens no socket and loads no library that fetches data (NLTK, textstat).
    code = (
        "import socket, sys\n"
        "def refuse(*args, **kwargs):\n"
        "    raise AssertionError('reading grade opened a network connection')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "from handouts.content.bundled import BUNDLED_ROOT\n"
        "from handouts.content.readability import reading_grade\n"
        "from handouts.content.store import ContentStore\n"
        "grades = [reading_grade(p) for p in ContentStore(BUNDLED_ROOT).protocols()]\n"
        "assert grades and all(0 < g < 20 for g in grades), grades\n"
        "print(sorted(m for m in ('nltk', 'textstat') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_grade_rises_with_harder_text() -> None:
    easy = "Keep your skin clean. Use a mild soap. Do not pick at it."
    hard = (
        "Notwithstanding considerable interindividual variability, postprocedural "
        "erythema characteristically resolves subsequent to epidermal regeneration."
    )
    assert text_grade(easy) < 4
    assert text_grade(hard) > 14
    assert text_grade("") == 0


def test_sentences_are_not_split_at_abbreviations() -> None:
    # "Call Dr." is a run of two words: it adds no sentence of its own.
    assert sentence_count("Call Dr. Patel if it hurts. Use a mild cream twice a day.") == 2
    assert sentence_count("Rest today. Drink water. Sleep well tonight please.") == 1
    assert sentence_count("") == 1


def _small_root(tmp_path: Path) -> Path:
    return copy_content(tmp_path / "root")


def test_every_problem_at_once(tmp_path: Path) -> None:
    root = _small_root(tmp_path)
    (root / "protocols" / "a.yaml").write_text("title: [\n", "utf-8")
    (root / "protocols" / "b.yml").write_text("title: x\n", "utf-8")
    magnolia = root / "branding" / "magnolia" / "clinic.yaml"
    magnolia.write_text(magnolia.read_text("utf-8") + "default: true\n", "utf-8")
    code, output = _run("--root", str(root), "validate")
    assert code == 1
    assert "a.yaml:2:1: YAML syntax:" in output
    assert "b.yml: ignored; protocol files must end in .yaml" in output
    assert "more than one clinic says default: true (harbourside, magnolia)" in output
    assert "3 problems" in output


def test_a_default_clinic_with_a_broken_font_is_still_the_default(root: Path) -> None:
    # As the commands read it: its one problem is the font, not "no default".
    (root / "branding" / "harbourside" / "fonts" / "OpenSans-Bold.ttf").write_bytes(b"junk")
    code, output = _run("--root", str(root), "validate")
    assert code == 1
    assert "OpenSans-Bold.ttf" in output
    assert "says default" not in output
    assert "1 problem" in output


def test_clinic_template_syntax_error(tmp_path: Path) -> None:
    root = _small_root(tmp_path)
    footer = root / "branding" / "magnolia" / "templates" / "partials" / "footer.html"
    footer.parent.mkdir(parents=True)
    footer.write_text("<footer>\n{% if clinic.footer %}\n</footer>\n", "utf-8")
    code, output = _run("--root", str(root), "validate")
    assert code == 1
    assert f"{footer}:" in output and "template:" in output


def test_schema_files_are_up_to_date() -> None:
    """Run `generate.py schema` after changing a model."""
    for name, (model, description) in SCHEMAS.items():
        assert (PROJECT_ROOT / "schema" / name).read_text("utf-8") == schema_text(
            model, description
        )


def test_schema_command_writes_both(tmp_path: Path) -> None:
    code, _ = _run("schema", "-o", str(tmp_path / "s"))
    assert code == 0
    for name in SCHEMAS:
        assert (
            json.loads((tmp_path / "s" / name).read_text("utf-8"))["additionalProperties"] is False
        )


def test_example_files_point_at_the_schema() -> None:
    for path in (PROJECT_ROOT / "protocols").glob("*.yaml"):
        assert path.read_text("utf-8").startswith(
            "# yaml-language-server: $schema=../schema/protocol.schema.json"
        )
    for path in (PROJECT_ROOT / "branding").glob("*/clinic.yaml"):
        assert path.read_text("utf-8").startswith(
            "# yaml-language-server: $schema=../../schema/branding.schema.json"
        )


def test_schema_accepts_shipped_files_and_flags_mistakes() -> None:
    import jsonschema

    protocol = json.loads((PROJECT_ROOT / "schema" / "protocol.schema.json").read_text("utf-8"))
    branding = json.loads((PROJECT_ROOT / "schema" / "branding.schema.json").read_text("utf-8"))
    for path in (PROJECT_ROOT / "protocols").glob("*.yaml"):
        # Editors read YAML 1.2, where 2026-11-23 is text; PyYAML makes it a date.
        data = json.loads(json.dumps(yaml.safe_load(path.read_text("utf-8")), default=str))
        jsonschema.validate(data, protocol)
    for path in (PROJECT_ROOT / "branding").glob("*/clinic.yaml"):
        data = yaml.safe_load(path.read_text("utf-8"))
        jsonschema.validate(data, branding)
        data["colours"]["primary"] = "#12345G"
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(data, branding)


def test_new_commands_have_help() -> None:
    for name in ("validate", "schema"):
        code, output = _run(name, "--help")
        assert code == 0 and len(output.splitlines()) > 3


def test_schema_command_defaults_to_the_content_root(content_copy) -> None:
    code, _ = _run("--root", str(content_copy.root), "schema")
    assert code == 0
    assert sorted(p.name for p in (content_copy.root / "schema").iterdir()) == [
        "branding.schema.json",
        "import-profile.schema.json",
        "protocol.schema.json",
    ]
