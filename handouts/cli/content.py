"""``validate``, ``schema`` and ``init``: make, check and help edit a content folder."""

from __future__ import annotations

from pathlib import Path

import click

from ..content.store import ContentStore


@click.command("validate", short_help="Check every protocol and clinic file.")
@click.option(
    "--reading-grade",
    "grade_target",
    type=click.FloatRange(min=0, min_open=True),
    metavar="N",
    help="Reading-grade target for every protocol, overriding reading_grade_target.",
)
@click.option(
    "--strict", is_flag=True, help="Treat warnings (e.g. a high reading grade) as errors."
)
@click.pass_obj
def validate_command(content: ContentStore, grade_target: float | None, strict: bool) -> None:
    """Check every protocol and branding file and print every problem.

    Problems are printed as path:line:column: field: message, followed by each
    protocol's reading grade (Flesch-Kincaid) and each draft's sign-off. Exit
    status 1 if anything is wrong; a reading grade above target, a clinic
    without its own words in a translation's language, or a font that is
    neither installed nor shipped is a warning and fails only with --strict.

    \b
    Examples:
      handouts validate
      handouts --root my-clinic validate --reading-grade 8 --strict
    """
    from ..validate import validate_root

    report = validate_root(content, grade_target)
    for problem in report.problems:
        click.echo(problem)
    for warning in report.warnings:
        click.echo(f"warning: {warning}")
    if report.grades:
        click.echo("Reading grades (Flesch-Kincaid):")
    for grade in report.grades:
        target = "no target" if grade.target is None else f"target {grade.target:g}"
        flag = "  ABOVE TARGET" if grade.above_target else ""
        click.echo(f"  {grade.protocol_id:<20} {grade.grade:>5.1f}  ({target}){flag}")
    if report.approvals:
        click.echo("Drafts (given to patients only once signed off, or with --allow-draft):")
    for approval in report.approvals:
        shown = approval.describe()
        if not approval.approved:
            shown = shown.replace("draft", "DRAFT", 1)
        click.echo(f"  {approval.protocol:<20} {approval.language:<5} {shown}")
    failed = bool(report.problems) or (strict and bool(report.warnings))
    count = len(report.problems)
    if report.problems:
        click.echo(f"{count} problem{'s' if count != 1 else ''} in {content.root}", err=True)
    elif failed:
        click.echo("warnings count as errors with --strict", err=True)
    else:
        click.echo(f"All content in {content.root} is valid.")
    if failed:
        raise SystemExit(1)


@click.command("schema", short_help="Write JSON Schemas for editor autocompletion.")
@click.option(
    "-o",
    "--output",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write protocol.schema.json and branding.schema.json into "
    "(default: schema/ in the content root, beside protocols/ and branding/).",
)
@click.pass_obj
def schema_command(content: ContentStore, folder: Path | None) -> None:
    """Write JSON Schemas for protocol and branding files, for editor autocompletion.

    The example files name them in a '# yaml-language-server: $schema=' comment.

    \b
    Example:
      handouts --root my-clinic schema
    """
    from ..content.schema import write_schemas

    for path in write_schemas(folder or content.root / "schema"):
        click.echo(str(path))


@click.command("init", short_help="Write a starter content folder to edit.")
@click.argument("folder", type=click.Path(path_type=Path))
def init_command(folder: Path) -> None:
    """Write a starter content folder: the example clinics and protocols to edit.

    FOLDER must be new or empty. Point the other commands at it with --root
    (or HANDOUTS_ROOT).

    \b
    Example:
      handouts init my-clinic
      handouts --root my-clinic validate
      handouts --root my-clinic handout microneedling --patient "Sam Lee" --date 2026-11-22
    """
    from ..content.starter import write_starter

    for path in write_starter(folder):
        click.echo(str(path))
    click.echo(f"Next: handouts --root {folder} validate", err=True)


@click.command("signoff", short_help="Record a clinician's sign-off of a draft protocol.")
@click.argument("protocol")
@click.option(
    "--clinician", required=True, metavar="NAME", help="Who checked it, e.g. 'Dr Ana Silva'."
)
@click.option(
    "--language",
    metavar="CODE",
    help="Sign off the protocol's translation into this language (e.g. es) instead.",
)
@click.pass_obj
def signoff_command(
    content: ContentStore, protocol: str, clinician: str, language: str | None
) -> None:
    """Record that a clinician checked PROTOCOL's text (or one translation's) as it is now.

    A draft may then be given to patients. The sign-off keeps the file's
    hash: once anyone edits the file, it lapses and the draft is refused
    again until it is signed off anew. 'handouts list' and 'handouts
    validate' show who signed off what. Sign-offs are kept in the data
    folder (HANDOUTS_DATA), per content folder, so upgrading the tool keeps
    them.

    \b
    Examples:
      handouts signoff botulinum-toxin --clinician "Dr Ana Silva"
      handouts signoff microneedling --language es --clinician "Dr Ana Silva"
    """
    from .. import service

    record = service.sign_off(content, protocol, clinician, language=language)
    click.echo(
        f"{record.protocol} [{record.language}]: signed off by {record.clinician} "
        f"on {record.signed_on.isoformat()} (sha256 {record.sha256[:12]}...)"
    )
