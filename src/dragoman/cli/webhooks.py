"""`dragoman webhook-secret` and `dragoman callback-url`: webhook settings of an organization."""

from __future__ import annotations

from datetime import timedelta

import typer

from dragoman.cli.common import console, err_console, open_database
from dragoman.core import org_settings, orgs
from dragoman.core.submission import check_callback_url, screen_callback_url
from dragoman.delivery.webhooks import secrets
from dragoman.errors import DragomanError
from dragoman.settings import Settings


def webhook_secret(
    org: str = typer.Option(..., "--org", help="Organization name (created if new)."),
    rotate: bool = typer.Option(
        False, "--rotate", help="Start a new secret; the old one keeps signing for the overlap."
    ),
) -> None:
    """Print the organization's webhook signing secret (`whsec_...`) as the last line."""
    settings = Settings()
    db = open_database(settings)
    with db.write() as conn:
        organization = orgs.get_or_create_org(conn, org)
        if rotate:
            overlap = timedelta(hours=settings.webhook_secret_overlap_hours)
            secret = secrets.rotate(conn, organization.id, overlap)
            console.print(
                f"rotated; the previous secret also signs deliveries for {overlap} more",
                highlight=False,
            )
        else:
            secret = secrets.current_secret(conn, organization.id)
    db.dispose()
    console.print(f"organization {organization.name} ({organization.id}); webhook secret:",
                  highlight=False)  # fmt: skip
    print(secret)


def callback_url(
    url: str = typer.Argument(None, help="HTTPS URL; omit to show the current one."),
    org: str = typer.Option(..., "--org", help="Organization name (created if new)."),
    clear: bool = typer.Option(False, "--clear", help="Remove the default callback URL."),
) -> None:
    """Show or set the callback URL used when a request names no `callbackUrl`."""
    settings = Settings()
    try:
        if url is not None:
            check_callback_url(url, "URL", settings=settings)
            screen_callback_url(url, settings, "URL")
    except DragomanError as exc:
        err_console.print(f"[red]{exc.message}")
        raise typer.Exit(2) from exc
    db = open_database(settings)
    with db.write() as conn:
        organization = orgs.get_or_create_org(conn, org)
        if url is not None or clear:
            organization = org_settings.set_default_callback_url(conn, organization.id, url)
    db.dispose()
    print(organization.default_callback_url or "(none)")


def register(app: typer.Typer) -> None:
    app.command("webhook-secret")(webhook_secret)
    app.command("callback-url")(callback_url)
