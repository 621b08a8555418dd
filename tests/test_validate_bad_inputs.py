"""Every deliberately broken file in tests/bad_inputs/ gives exactly its expected messages.

Each case is one broken file (a protocol, or a clinic folder) next to a
``.expected`` file listing the messages, one per line, with paths relative to
tests/bad_inputs/. Run pytest with --update-golden to rewrite the expected files
after a deliberate wording change, then review the diff.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from handouts.cli import main
from handouts.content.yaml_loading import load_branding, load_protocol
from handouts.errors import ContentError

BAD = Path(__file__).parent / "bad_inputs"
PROTOCOL_CASES = sorted(p.stem for p in (BAD / "protocols").glob("*.yaml"))
BRANDING_CASES = sorted(p.name for p in (BAD / "branding").iterdir() if p.is_dir())


def _problems(load: Callable[[Path], object], target: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load(target)
    return [problem.replace(f"{BAD}/", "") for problem in caught.value.problems]


def _compare(problems: list[str], expected_file: Path, update: bool) -> None:
    if update:
        expected_file.write_text("\n".join(problems) + "\n", encoding="utf-8")
    expected = expected_file.read_text(encoding="utf-8").splitlines()
    assert problems == expected


@pytest.mark.parametrize("case", PROTOCOL_CASES)
def test_broken_protocol(case: str, update_golden: bool) -> None:
    problems = _problems(load_protocol, BAD / "protocols" / f"{case}.yaml")
    _compare(problems, BAD / "protocols" / f"{case}.expected", update_golden)


@pytest.mark.parametrize("case", BRANDING_CASES)
def test_broken_branding(case: str, update_golden: bool) -> None:
    problems = _problems(load_branding, BAD / "branding" / case)
    _compare(problems, BAD / "branding" / f"{case}.expected", update_golden)


def test_every_case_has_expected_messages() -> None:
    for case in PROTOCOL_CASES:
        assert (BAD / "protocols" / f"{case}.expected").is_file(), case
    for case in BRANDING_CASES:
        assert (BAD / "branding" / f"{case}.expected").is_file(), case


# The "done when" cases: one precise message each, exit status 1, no
# traceback, no PDF written.
DONE_WHEN = {
    "protocol with a typo in a key": ("key_typo", None, [7]),
    "YAML indentation error": ("indentation", None, [6]),
    "colour #12345G and logo ../../etc/passwd": (None, "bad_colour_and_logo", [2, 4]),
}


def _root_with(tmp_path: Path, protocol: str | None, clinic: str | None) -> Path:
    """A content root with one protocol and one clinic, broken or shipped."""
    root = tmp_path / "root"
    (root / "protocols").mkdir(parents=True)
    (root / "branding").mkdir()
    shipped = Path(__file__).parent.parent
    source = (BAD if protocol else shipped) / "protocols" / f"{protocol or 'micropenning'}.yaml"
    (root / "protocols" / "case.yaml").write_text(source.read_text("utf-8"), "utf-8")
    clinic_source = BAD / "branding" / clinic if clinic else shipped / "branding" / "magnolia"
    target = root / "branding" / "clinic"
    target.mkdir()
    for item in clinic_source.rglob("*"):
        if item.is_file():
            (target / item.relative_to(clinic_source)).parent.mkdir(parents=True, exist_ok=True)
            (target / item.relative_to(clinic_source)).write_bytes(item.read_bytes())
    return root


@pytest.mark.parametrize("name", list(DONE_WHEN))
def test_done_when_cases(tmp_path: Path, name: str) -> None:
    protocol, clinic, lines = DONE_WHEN[name]
    root = _root_with(tmp_path, protocol, clinic)
    runner = CliRunner()
    out = tmp_path / "out" / "h.pdf"
    handout = runner.invoke(main, ["--root", str(root), "handout", "case", "-o", str(out)])
    validate = runner.invoke(main, ["--root", str(root), "validate"])
    for result in (handout, validate):
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not out.exists()
    assert not (tmp_path / "out").exists()
    # The messages name the file and line the problem is on.
    located = [ln for ln in validate.output.splitlines() if ".yaml:" in ln]
    assert [int(ln.split(".yaml:")[1].split(":")[0]) for ln in located] == lines
    assert all(ln in handout.output for ln in located)
