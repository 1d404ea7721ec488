"""`dragoman keys create|revoke`: organizations and API keys, straight against the database."""

from __future__ import annotations

import typer

from dragoman.cli.common import announce_revoked, console, err_console, open_database
from dragoman.core import orgs
from dragoman.errors import DragomanError
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


@keys_app.command("revoke")
def revoke_key(
    key: str = typer.Argument(
        ..., metavar="KEY_PREFIX_OR_ID", help="The key's id (key_...), prefix (dgm_xxxx) or key."
    ),
) -> None:
    """Revoke an API key; every running process stops accepting it within a second."""
    settings = Settings()
    db = open_database(settings)
    try:
        with db.write() as conn:
            revoked = orgs.revoke_key(conn, key)
    except DragomanError as exc:
        err_console.print(exc.message, highlight=False)
        raise typer.Exit(2) from exc
    finally:
        db.dispose()
    for item in revoked:
        console.print(f"revoked {item.id} ({item.hint}...) of {item.org_id}", highlight=False)
    announce_revoked(settings, revoked, "key")


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")
