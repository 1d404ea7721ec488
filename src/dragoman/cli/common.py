"""What the CLI commands share: settings, a migrated database, the console."""

from __future__ import annotations

from rich.console import Console

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
