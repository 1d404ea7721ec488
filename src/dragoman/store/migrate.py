"""Alembic migrations, run on start or by `dragoman db upgrade`."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from dragoman.store.db import Database

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
MIGRATION_LOCK_KEY = 0x647261676F6D616E  # "dragoman"


def alembic_config(database: Database) -> Config:
    """An Alembic config pointing at the packaged migrations and this database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection_engine"] = database.engine
    return config


def upgrade(database: Database, revision: str = "head") -> None:
    """Bring the schema up to `revision`; safe to run from several processes."""
    with database.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Several API and worker processes start at once: one migrates, the others wait
            # here and then find the schema current (SQLite serialises writers by itself).
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        config = alembic_config(database)
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def current(database: Database) -> str | None:
    """The schema revision the database is at, or None when it was never migrated."""
    from alembic.runtime.migration import MigrationContext

    with database.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
