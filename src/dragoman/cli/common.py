"""What the CLI commands share: settings, a migrated database, the console."""

from __future__ import annotations

import typer
from rich.console import Console

from dragoman.core import orgs
from dragoman.core.orgs import org_id_by_name
from dragoman.errors import DragomanError
from dragoman.settings import Settings
from dragoman.store import migrate
from dragoman.store.db import Database

console = Console()
err_console = Console(stderr=True)


def open_database(settings: Settings) -> Database:
    """The configured database, migrated to the current schema."""
    db = Database(settings.resolved_database_url())
    migrate.upgrade(db)
    return db


def org_id_of(db: Database, name: str) -> str:
    """The id of the organization called `name`; ValidationError naming `org` if none."""
    with db.read() as conn:
        return org_id_by_name(conn, name)


def fail(exc: DragomanError) -> typer.Exit:
    """Print a refusal (with its line, for a file) and exit 2."""
    line = getattr(exc, "line", None)
    err_console.print(exc.message + (f" (line {line})" if line else ""), highlight=False)
    return typer.Exit(2)


def announce_revoked(settings: Settings, revoked: list[orgs.RevokedKey], what: str) -> None:
    """Tell running processes over the event bus that credentials were revoked (their
    caches drop them at once); without a bus, or when it fails, the caches expire them."""
    url = settings.resolved_event_bus_url()
    if url is None or not revoked:
        return  # processes apart cannot be told: their caches keep it a second at most
    from dragoman.delivery.buses.redis import RedisBus

    bus = RedisBus(url)
    try:
        orgs.announce_revoked(bus, revoked)
    except Exception as exc:  # the revocation stands; caches expire it on their own
        err_console.print(
            f"revoked, but running processes could not be told through the event bus "
            f"({type(exc).__name__}: {exc}); they stop accepting the {what} within "
            f"{orgs.KeyCache().ttl:.0f} seconds",
            highlight=False,
        )
    finally:
        bus.close()
