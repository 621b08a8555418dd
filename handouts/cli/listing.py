"""``handouts list``: the protocols and clinics a content folder holds, and where it is."""

from __future__ import annotations

import json

import click

from ..content.listing import list_content
from ..content.store import ContentStore


@click.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def list_command(store: ContentStore, as_json: bool) -> None:
    """List the protocols and clinics available, marking drafts.

    A draft protocol or translation shows "DRAFT" until a clinician signs it
    off ('handouts signoff'); a signed-off one shows who signed it and when.

    Exit status 1 when the content folder has no protocols or no clinics, or
    a file in it cannot be read; 'handouts validate' checks every field.

    \b
    Examples:
      handouts list
      handouts --root my-clinic list --json
    """
    listing = list_content(store)
    if as_json:
        shown: dict[str, object] = {
            "root": str(listing.root),
            "protocols": [
                {
                    "id": p.id,
                    "title": p.title,
                    "languages": p.languages,
                    "draft": p.draft,
                    "approval": {
                        language: {"status": a.status, "detail": a.describe()}
                        for language, a in p.approvals.items()
                    },
                }
                for p in listing.protocols
            ],
            "clinics": [
                {"id": c.id, "name": c.name, "default": c.default} for c in listing.clinics
            ],
        }
        click.echo(json.dumps(shown, ensure_ascii=False, indent=2))
    else:
        click.echo(f"Content: {listing.root}")
        click.echo("Protocols:")
        for p in listing.protocols:
            click.echo(f"  {p.id:<20} {p.title}  [{', '.join(p.languages)}]")
            for language, approval in p.approvals.items():
                if approval.draft:  # a reviewed file needs no line of its own
                    detail = approval.describe()
                    marked = detail if approval.approved else detail.replace("draft", "DRAFT", 1)
                    click.echo(f"  {'':<20}   {language}: {marked}")
        click.echo("Clinics:")
        for c in listing.clinics:
            marker = "  (default)" if c.default else ""
            click.echo(f"  {c.id:<20} {c.name}{marker}")
    for problem in listing.problems:
        click.echo(f"cannot be read: {problem}", err=True)
    missing = [
        kind
        for kind, found in (("protocols", listing.protocols), ("clinics", listing.clinics))
        if not found
    ]
    if missing:
        click.echo(
            f"No {' and no '.join(missing)} in {listing.root}; "
            "'handouts init DIR' writes a starter content folder.",
            err=True,
        )
    if missing or listing.problems:
        raise SystemExit(1)
