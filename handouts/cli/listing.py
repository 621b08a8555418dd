"""``handouts list``: the protocols and clinics a content folder holds, and where it is."""

from __future__ import annotations

import json

import click

from ..content.store import ContentStore


@click.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def list_command(store: ContentStore, as_json: bool) -> None:
    """List the protocols and clinics available.

    Exit status 1 when the content folder has no protocols or no clinics.

    \b
    Examples:
      handouts list
      handouts --root my-clinic list --json
    """
    protocols = store.protocols()
    clinics = store.clinics()
    default_id = store.default_clinic_id if clinics else None
    if as_json:
        listing = {
            "root": str(store.root),
            "protocols": [
                {"id": p.id, "title": p.title, "languages": store.protocol_languages(p.id)}
                for p in protocols
            ],
            "clinics": [
                {"id": c.id, "name": c.name, "default": c.id == default_id} for c in clinics
            ],
        }
        click.echo(json.dumps(listing, ensure_ascii=False, indent=2))
    else:
        click.echo(f"Content: {store.root}")
        click.echo("Protocols:")
        for p in protocols:
            languages = ", ".join(store.protocol_languages(p.id))
            click.echo(f"  {p.id:<20} {p.title}  [{languages}]")
        click.echo("Clinics:")
        for c in clinics:
            marker = "  (default)" if c.id == default_id else ""
            click.echo(f"  {c.id:<20} {c.name}{marker}")
    missing = [
        kind for kind, found in (("protocols", protocols), ("clinics", clinics)) if not found
    ]
    if missing:
        click.echo(
            f"No {' and no '.join(missing)} in {store.root}; "
            "'handouts init DIR' writes a starter content folder.",
            err=True,
        )
        raise SystemExit(1)
