"""`dragoman keys create`: organizations and API keys, straight against the database."""

from __future__ import annotations

import typer

from dragoman.cli.common import console, open_database
from dragoman.core import orgs
from dragoman.settings import Settings

keys_app = typer.Typer(help="API keys.", no_args_is_help=True)


@keys_app.command("create")
def create_key(
    org: str = typer.Option(..., "--org", help="Organization name (created if new)."),
) -> None:
    """Create an API key; the key is the last line of the output and is shown only once."""
    db = open_database(Settings())
    with db.write() as conn:
        organization = orgs.get_or_create_org(conn, org)
        key = orgs.create_key(conn, organization.id)
    db.dispose()
    console.print(
        f"organization {organization.name} ({organization.id}); new API key:", highlight=False
    )
    print(key)


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")
