"""Check a whole content root at once: every protocol, every clinic, their files.

``validate_root`` never stops at the first broken file; it returns every
problem (``path:line:column: field: message``), the warnings, and each
protocol's reading grade, for the ``validate`` command to print. It renders
each clinic's page once with a sample patient, so it sits above ``render``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes, sandbox
from jinja2.sandbox import SandboxedEnvironment

from .content.approval import Approval, file_approval, read_signoffs
from .content.bundled import BUILTIN_TEMPLATES
from .content.file_names import same_language, split_protocol_file
from .content.import_profiles import load_import_profile
from .content.lookup import Known, named_together, shared_aliases
from .content.models import LANGUAGE_PATTERN, Branding, Protocol
from .content.readability import HEALTH_LITERACY_GRADE, reading_grade
from .content.store import ContentStore, choose_default
from .content.wording import wording_problem
from .content.yaml_loading import load_branding, load_protocol, load_translation
from .content.yaml_reading import parse_yaml, position_of
from .errors import ContentError, HandoutError, InputError
from .inputs import clock
from .templating.catalogs import has_catalog, is_known_language
from .templating.resource_policy import references, url_problem
from .templating.templates import TEMPLATE_EXTENSIONS

# Near-misses of the file names the tool looks for; a file with one of these
# names would otherwise be silently ignored.
_PROTOCOL_LOOKALIKES = (".yml", ".YAML", ".YML", ".Yaml")
_CLINIC_LOOKALIKES = ("clinic.yml", "Clinic.yaml", "clinic.YAML", "branding.yaml")


@dataclass(frozen=True)
class Grade:
    """A protocol's reading grade and the target it is held to (None: no target)."""

    protocol_id: str
    path: Path
    grade: float
    target: float | None

    @property
    def above_target(self) -> bool:
        return self.target is not None and self.grade > self.target


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    grades: list[Grade] = field(default_factory=list)
    # What may go to patients: each draft file's approval (content/approval.py).
    approvals: list[Approval] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def validate_root(
    content: ContentStore, grade_target: float | None = None, today: dt.date | None = None
) -> Report:
    """Check everything under ``content.root``.

    ``grade_target`` overrides each protocol's own ``reading_grade_target``;
    a grade above its target is a warning, not a problem. A review whose
    ``next_review`` is before ``today`` (default: the real today) is a warning.
    """
    report = Report()
    _check_protocols(content, grade_target, today or clock.today(), report)
    clinics = _check_clinics(content, report)
    _check_default(content, clinics, report)
    _check_aliases(content, report)
    _check_import_profiles(content, report)
    _check_templates(content, report)
    _check_clinic_wording(content, clinics, report)
    _check_fonts(clinics, content, report)
    _check_approvals(content, report)
    _check_rendering(content, report)
    return report


def _check_approvals(content: ContentStore, report: Report) -> None:
    """Each draft protocol or translation, and whether a clinician signed it off."""
    try:
        signoffs = read_signoffs(content.root)
    except InputError as error:
        report.problems.append(str(error))
        signoffs = []
    for protocol_id in content.protocol_ids():
        try:
            original = content.protocol(protocol_id)
        except HandoutError:
            continue  # reported with the protocol
        files = {original.language: content.protocol_path(protocol_id)}
        files.update(content.translation_paths(protocol_id))
        for language, path in files.items():
            try:
                model = content.protocol(protocol_id, language)
            except HandoutError:
                continue
            approval = file_approval(protocol_id, language, path, signoffs, draft=model.is_draft)
            if approval.draft:
                report.approvals.append(approval)


def _check_clinic_wording(content: ContentStore, clinics: list[Branding], report: Report) -> None:
    """Every clinic serves every protocol: for each translation's language, its own words."""
    languages: dict[str, str] = {}  # translation language -> the original's language
    for protocol_id in content.protocol_ids():
        try:
            own = content.protocol(protocol_id).language
        except HandoutError:
            continue
        for language in content.translation_paths(protocol_id):
            languages.setdefault(language, own)
    for clinic in clinics:
        for language, own in sorted(languages.items()):
            problem = wording_problem(clinic, language, own)
            if problem:
                path = content.branding_dir / clinic.id / "clinic.yaml"
                report.warnings.append(f"{path}: {problem}")


def _check_fonts(clinics: list[Branding], content: ContentStore, report: Report) -> None:
    """A font family the clinic neither ships nor has installed prints in another font."""
    for clinic in clinics:
        if clinic.font.files is not None:
            continue  # shipped with the clinic; loading checked the files exist
        installed = font_installed(clinic.font.family)
        if installed is False:
            path = content.branding_dir / clinic.id / "clinic.yaml"
            report.warnings.append(
                f"{path}: font.family '{clinic.font.family}' is not installed on this computer "
                "and the clinic ships no font files, so handouts print in a fallback font; "
                "install it, or add its files under font.files"
            )


def font_installed(family: str) -> bool | None:
    """Whether fontconfig (which the PDF renderer uses) has ``family``; None if it cannot say."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    try:
        found = subprocess.run(
            [fc_match, "-f", "%{family}", family],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    # fc-match always answers with some font; only the family asked for counts.
    return family.casefold() in (name.strip().casefold() for name in found.split(","))


def _check_rendering(content: ContentStore, report: Report) -> None:
    """Render each clinic's page once, under the limits every render has.

    Parsing cannot tell that a loop never ends or that a line makes a
    gigabyte; running the templates once, with a sample patient, can.
    """
    from .errors import HandoutError
    from .messages import error_message
    from .render.page import render_clinic_css, render_html, resolve_spec

    protocols = content.protocol_ids()
    if not protocols:
        return
    for clinic_id in content.clinic_ids():
        try:
            spec = resolve_spec(
                content, protocols[0], clinic_id, "Sample Patient", dt.date(2026, 1, 15)
            )
            render_html(spec)
            render_clinic_css(spec)
        except jinja2.TemplateError as error:
            report.problems.append(error_message(error))
        except HandoutError:
            continue  # a broken clinic or protocol file is reported with its own lines


def _check_protocols(
    content: ContentStore, grade_target: float | None, today: dt.date, report: Report
) -> None:
    folder = content.protocols_dir
    if not folder.is_dir():
        report.problems.append(f"{folder}: no protocols folder here")
        return
    for path in sorted(folder.iterdir()):
        if path.suffix in _PROTOCOL_LOOKALIKES:
            report.problems.append(f"{path}: ignored; protocol files must end in .yaml")
    for protocol_id in content.protocol_ids():
        path = content.protocols_dir / f"{protocol_id}.yaml"
        try:
            protocol = load_protocol(path)
        except ContentError as error:
            report.problems.extend(error.problems)
            continue
        overdue = _overdue_review(protocol, today)
        if overdue:
            report.warnings.append(f"{path}: {overdue}")
        target = grade_target if grade_target is not None else protocol.reading_grade_target
        grade = Grade(protocol.id, path, reading_grade(protocol), target)
        report.grades.append(grade)
        if grade.above_target:
            report.warnings.append(
                f"{path}: reading grade {grade.grade} is above the target of {grade.target:g}"
                f"{_literacy_hint(grade.target)}"
            )
        _check_translations(content, protocol, path, report)
    _check_orphan_translations(content, report)


def _check_translations(
    content: ContentStore, original: Protocol, original_path: Path, report: Report
) -> None:
    """Each translation loads and keeps the original's structure; its wording has a catalog."""
    for language, path in sorted(content.translation_paths(original.id).items()):
        if not re.match(LANGUAGE_PATTERN, language) or not is_known_language(language):
            report.problems.append(
                f"{path}: '{language}' in the file name is not a language code; name a "
                f"translation {original.id}.<language>.yaml, e.g. {original.id}.es.yaml"
            )
            continue
        if same_language(language, original.language):
            report.problems.append(
                f"{path}: {original_path.name} is already in '{original.language}', so this "
                "file would never be used; remove it or name the language it is in"
            )
            continue
        try:
            load_translation(path, original, original_path)
        except ContentError as error:
            report.problems.extend(error.problems)
            continue
        if not has_catalog(language):
            report.warnings.append(
                f"{path}: there is no '{language}' catalog, so the page's own wording "
                "(headings, labels, the email) stays in English; see README, "
                "'Adding a translation'"
            )


def _check_orphan_translations(content: ContentStore, report: Report) -> None:
    known = set(content.protocol_ids())
    for path in sorted(content.protocols_dir.glob("*.*.yaml")):
        protocol_id, _ = split_protocol_file(path)
        if protocol_id not in known:
            report.problems.append(
                f"{path}: translates '{protocol_id}', but there is no "
                f"{content.protocols_dir / protocol_id}.yaml"
            )


def _overdue_review(protocol: Protocol, today: dt.date) -> str | None:
    """A warning when the protocol's next review date has passed."""
    review = protocol.review
    if review is None or review.next_review is None or review.next_review >= today:
        return None
    return (
        f"review.next_review {review.next_review.isoformat()} has passed; have a clinician "
        "check the wording again and update the review dates"
    )


def _literacy_hint(target: float | None) -> str:
    if target is not None and target > HEALTH_LITERACY_GRADE:
        return f" (health-literacy guidance asks for {HEALTH_LITERACY_GRADE:g} or below)"
    return ""


def _check_clinics(content: ContentStore, report: Report) -> list[Branding]:
    folder = content.branding_dir
    if not folder.is_dir():
        report.problems.append(f"{folder}: no branding folder here")
        return []
    clinics = []
    for clinic_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        if not (clinic_dir / "clinic.yaml").is_file():
            near = [n for n in _CLINIC_LOOKALIKES if (clinic_dir / n).is_file()]
            if near:
                report.problems.append(
                    f"{clinic_dir / near[0]}: ignored; the clinic's file must be named clinic.yaml"
                )
            else:
                report.warnings.append(f"{clinic_dir}: no clinic.yaml, so this is not a clinic")
            continue
        try:
            clinic = load_branding(clinic_dir)
        except ContentError as error:
            report.problems.extend(error.problems)
            continue
        clinics.append(clinic)
        if clinic.logo.lower().endswith(".svg"):
            # An SVG can link to images and stylesheets of its own.
            _check_references(
                clinic_dir / clinic.logo, clinic_dir, _allowed(content, clinic_dir), report
            )
    return clinics


def _check_references(path: Path, base: Path, allowed: tuple[Path, ...], report: Report) -> None:
    """Every URL ``path`` names must be a file inside ``allowed``."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        report.problems.append(f"{path}: cannot read: {error}")
        return
    kinds = ("css",) if path.suffix == ".css" else ("html", "css")
    for kind in kinds:
        for line, column, url in references(text, kind):
            problem = url_problem(url, base, allowed)
            if problem:
                report.problems.append(f"{path}:{line}:{column}: {problem}")


def _allowed(content: ContentStore, clinic_dir: Path) -> tuple[Path, ...]:
    """What a clinic's page may load: the same folders the renderer allows."""
    root = (content.templates_dir,) if content.templates_dir.is_dir() else ()
    return (clinic_dir, *root, BUILTIN_TEMPLATES)


def _check_default(content: ContentStore, clinics: list[Branding], report: Report) -> None:
    if not clinics:
        if content.branding_dir.is_dir() and not content.clinic_ids():
            report.problems.append(f"{content.branding_dir}: no <clinic>/clinic.yaml found")
        return
    # Read as the commands read it, so a clinic with a broken font (reported
    # with that clinic) still counts as the default it says it is.
    marked = []
    for clinic_id in content.clinic_ids():
        with contextlib.suppress(ContentError):  # that clinic's own problem is reported with it
            if content.says_default(clinic_id):
                marked.append(clinic_id)
    try:
        choose_default(content.branding_dir, marked, content.clinic_ids())
    except ContentError as error:
        report.problems.extend(error.problems)


# Attributes the sandbox refuses whatever object they are asked of.
_INTERNAL_ATTRIBUTES = (
    sandbox.UNSAFE_FUNCTION_ATTRIBUTES
    | sandbox.UNSAFE_METHOD_ATTRIBUTES
    | {"mro", "f_globals", "f_locals", "f_builtins", "tb_frame", "gi_frame", "gi_code"}
    | {"cr_frame", "cr_code", "ag_frame", "ag_code"}
)


def sandbox_refusals(tree: nodes.Template) -> list[tuple[int, str]]:
    """(line, message) for each attribute or item the sandbox would refuse at render time.

    Such a template fails only when the line runs (perhaps only for some
    patients); ``validate`` names it up front.
    """
    found = []
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        if isinstance(node, nodes.Getattr):
            name = node.attr
        elif (
            isinstance(node, nodes.Getitem)
            and isinstance(node.arg, nodes.Const)
            and isinstance(node.arg.value, str)
        ):
            name = node.arg.value
        else:
            continue
        if name.startswith("_") or name in _INTERNAL_ATTRIBUTES:
            found.append(
                (
                    node.lineno,
                    f"'{name}' cannot be used: templates run in a sandbox that refuses "
                    "names starting with '_' and Python's internals",
                )
            )
    return found


def _leads_out(path: Path, folder: Path) -> bool:
    try:
        return not path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):  # a link loop
        return True


def _check_templates(content: ContentStore, report: Report) -> None:
    """Template syntax and the files templates and stylesheets refer to.

    Covers the root's templates and every clinic's overrides, so that a
    forbidden URL is named with its line here rather than at render time.
    """
    folders: list[tuple[Path, Path | None]] = []
    if content.templates_dir.is_dir():
        folders.append((content.templates_dir, None))
    folders += [
        (content.branding_dir / cid / "templates", content.branding_dir / cid)
        for cid in content.clinic_ids()
        if (content.branding_dir / cid / "templates").is_dir()
    ]
    environment = SandboxedEnvironment(extensions=list(TEMPLATE_EXTENSIONS))
    for folder, clinic_dir in folders:
        for path in sorted(p for p in folder.rglob("*") if p.suffix in (".html", ".css", ".txt")):
            if _leads_out(path, folder):
                report.problems.append(
                    f"{path}: is a link leading outside {folder}; templates and stylesheets "
                    "are used only from inside their folder, so replace the link with a copy"
                )
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                report.problems.append(f"{path}: cannot read: {error}")
                continue
            if path.name != "handout.css":  # the one stylesheet used as it is, not a template
                try:
                    tree = environment.parse(text, name=path.name, filename=str(path))
                except jinja2.TemplateSyntaxError as error:
                    report.problems.append(f"{path}:{error.lineno}: template: {error.message}")
                else:
                    report.problems.extend(
                        f"{path}:{line}: template: {what}" for line, what in sandbox_refusals(tree)
                    )
            if clinic_dir is None or path.suffix == ".txt":
                continue  # the chain-wide templates are trusted; plain-text email loads nothing
            # The page and clinic.css resolve against the clinic's folder; a
            # replaced handout.css against the folder it sits in.
            base = path.parent if path.name == "handout.css" else clinic_dir
            _check_references(path, base, _allowed(content, clinic_dir), report)


def _check_aliases(content: ContentStore, report: Report) -> None:
    """An alias that also names another clinic or protocol would make that name ambiguous.

    One exception: an alias several protocols list names them together (one handout
    of all of them), so it is refused only where they could not share a handout.
    """
    protocols = {k.ident: k for k in content.known_protocols()}
    clinics = {k.ident: k for k in content.known_clinics()}
    protocol_aliases = _aliases_of(content.protocol, protocols)
    kinds: list[tuple[str, list[Known], dict[str, list[str]], Callable[[str], Path]]] = [
        ("protocol", list(protocols.values()), protocol_aliases, content.protocol_path),
        (
            "clinic",
            list(clinics.values()),
            _aliases_of(content.clinic, clinics),
            lambda ident: content.branding_dir / ident / "clinic.yaml",
        ),
    ]
    for kind, known, aliases, path_of in kinds:
        for shared in shared_aliases(known, aliases, together=kind == "protocol"):
            if shared.other == shared.ident:
                message = f"'{shared.alias}' is listed twice"
            elif shared.own_name:
                message = (
                    f"'{shared.alias}' is the {_OWN_NAMES[kind]} of the {kind} "
                    f"'{shared.other}', so it leads to that {kind} alone; a name must lead to "
                    "one place"
                )
            else:
                message = (
                    f"'{shared.alias}' also names the {kind} '{shared.other}'; "
                    "a name must lead to one place"
                )
            _alias_problem(path_of(shared.ident), shared.alias_index, message, report)
    _check_named_together(content, protocol_aliases, report)


_OWN_NAMES = {"protocol": "id, title or procedure", "clinic": "id or name"}


def _check_named_together(
    content: ContentStore, aliases: dict[str, list[str]], report: Report
) -> None:
    """Protocols one alias names together make one handout, in one language."""
    for listings in named_together(aliases).values():
        first_id, _ = listings[0]
        language = content.protocol(first_id).language
        for ident, index in listings[1:]:
            own = content.protocol(ident).language
            if not same_language(own, language):
                alias = aliases[ident][index]
                report.problems.append(
                    f"{_alias_position(content.protocol_path(ident), index)}: aliases[{index}]: "
                    f"'{alias}' names this protocol ('{own}') together with '{first_id}' "
                    f"('{language}'), for one handout of both; protocols named together "
                    "must be written in one language"
                )


def _alias_position(path: Path, index: int) -> str:
    _, node = parse_yaml(path)
    return position_of(path, node, ("aliases", index))


def _alias_problem(path: Path, index: int, message: str, report: Report) -> None:
    report.problems.append(f"{_alias_position(path, index)}: aliases[{index}]: {message}")


def _aliases_of(load: Callable[[str], Any], known: dict[str, Known]) -> dict[str, list[str]]:
    aliases = {}
    for ident in known:
        try:
            aliases[ident] = list(load(ident).aliases)
        except ContentError:
            continue  # already reported with its own problems
    return aliases


def _check_import_profiles(content: ContentStore, report: Report) -> None:
    """Every ``imports/<id>.yaml``, like every other content file."""
    folder = content.imports_dir
    if not folder.is_dir():
        return  # optional: exports with recognisable columns need no profile
    for path in sorted(folder.iterdir()):
        if path.suffix in _PROTOCOL_LOOKALIKES:
            report.problems.append(f"{path}: ignored; import profiles must end in .yaml")
    for profile_id in content.import_profile_ids():
        try:
            load_import_profile(folder / f"{profile_id}.yaml")
        except ContentError as error:
            report.problems.extend(error.problems)
