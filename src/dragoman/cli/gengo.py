"""`dragoman gengo-keys create --org NAME`: a Gengo API key pair for an organization."""

from __future__ import annotations

import typer

from dragoman.cli.common import console, err_console, open_database
from dragoman.core import gengo_keys
from dragoman.core.orgs import get_or_create_org
from dragoman.errors import DragomanError
from dragoman.settings import Settings

gengo_app = typer.Typer(help="Gengo API keys (public and private).", no_args_is_help=True)


@gengo_app.command("create")
def create(org: str = typer.Option(..., "--org", help="Organization name.")) -> None:
    """Create a key pair; the last line is the public and the private key, one space apart."""
    db = open_database(Settings())
    try:
        with db.write() as conn:
            organization = get_or_create_org(conn, org)
            public, private = gengo_keys.create_keys(conn, organization.id)
    except DragomanError as exc:
        err_console.print(exc.message, highlight=False)
        raise typer.Exit(2) from exc
    finally:
        db.dispose()
    console.print(
        f"Gengo keys for {organization.name} ({organization.id}); the private key is shown "
        "once here and signs requests:",
        highlight=False,
    )
    print(f"{public} {private}")


def register(app: typer.Typer) -> None:
    app.add_typer(gengo_app, name="gengo-keys")
