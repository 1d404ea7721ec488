"""The TmIndex family; `for_database` picks the member that suits a database."""

from __future__ import annotations

from dragoman.core.assets.tm_index.base import TmIndex
from dragoman.store.db import Database


def for_database(db: Database) -> TmIndex:
    """PostgresTmIndex on PostgreSQL, SqlTmIndex on anything else."""
    if db.engine.dialect.name == "postgresql":
        from dragoman.core.assets.tm_index.postgres import PostgresTmIndex

        return PostgresTmIndex(db)
    from dragoman.core.assets.tm_index.sqlite import SqlTmIndex

    return SqlTmIndex(db)
