"""What the CLI commands share: settings, a migrated database, the console."""

from __future__ import annotations

import typer
from rich.console import Console

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
