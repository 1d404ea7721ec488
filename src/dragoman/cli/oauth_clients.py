"""`dragoman oauth-clients create|revoke`: OAuth2 clients (client credentials), straight
against the database."""

from __future__ import annotations

import typer

from dragoman.cli.common import announce_revoked, console, err_console, open_database
from dragoman.core import oauth, orgs
from dragoman.errors import DragomanError
from dragoman.settings import Settings

clients_app = typer.Typer(help="OAuth2 clients (client credentials).", no_args_is_help=True)


@clients_app.command("create")
def create_client(
    org: str = typer.Option(..., "--org", help="Organization name (created if new)."),
    name: str | None = typer.Option(None, "--name", help="A label for the client."),
    redirect_uri: list[str] = typer.Option(
        [],
        "--redirect-uri",
        help="A redirect URI for the authorization-code grant (repeatable; exact match).",
    ),
) -> None:
    """Create a client; its id and secret are the last line, separated by one space (the
    secret is shown only once)."""
    db = open_database(Settings())
    try:
        with db.write() as conn:
            organization = orgs.get_or_create_org(conn, org)
            client_id, secret = oauth.create_client(
                conn, organization.id, name=name, redirect_uris=redirect_uri
            )
    except DragomanError as exc:
        err_console.print(exc.message, highlight=False)
        raise typer.Exit(2) from exc
    finally:
        db.dispose()
    console.print(
        f"organization {organization.name} ({organization.id}); new OAuth2 client "
        "(client_id client_secret):",
        highlight=False,
    )
    print(f"{client_id} {secret}")


@clients_app.command("revoke")
def revoke_client(client_id: str = typer.Argument(..., help="The client id (oac_...).")) -> None:
    """Revoke a client and its tokens; running processes stop accepting them within seconds."""
    settings = Settings()
    db = open_database(settings)
    try:
        with db.write() as conn:
            revoked = oauth.revoke_client(conn, client_id)
    except DragomanError as exc:
        err_console.print(exc.message, highlight=False)
        raise typer.Exit(2) from exc
    finally:
        db.dispose()
    console.print(f"revoked {client_id} and {len(revoked)} live tokens", highlight=False)
    announce_revoked(settings, revoked, "token")


def register(app: typer.Typer) -> None:
    app.add_typer(clients_app, name="oauth-clients")
