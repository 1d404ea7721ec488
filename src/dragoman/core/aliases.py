"""A surface's own ids for core objects (LanguageWire's uuid jobId for a group), issued in
the transaction that creates the object and deleted with it."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, delete, insert, select

from dragoman.store.tables import aliases
from dragoman.timefmt import utcnow


def issue(
    conn: Connection, *, surface: str, kind: str, alias: str, core_id: str, org_id: str
) -> None:
    """Record `alias` for `core_id` (the caller's write transaction)."""
    conn.execute(
        insert(aliases).values(
            surface=surface,
            kind=kind,
            alias=alias,
            core_id=core_id,
            org_id=org_id,
            created_at=utcnow(),
        )
    )


def resolve(conn: Connection, *, surface: str, kind: str, alias: str, org_id: str) -> str | None:
    """The core id behind the organization's `alias`, or None (other organizations' too)."""
    return conn.execute(
        select(aliases.c.core_id).where(
            aliases.c.surface == surface,
            aliases.c.kind == kind,
            aliases.c.alias == alias,
            aliases.c.org_id == org_id,
        )
    ).scalar()


def alias_of(conn: Connection, *, surface: str, kind: str, core_id: str) -> str | None:
    """The alias a surface gave `core_id`, or None."""
    return conn.execute(
        select(aliases.c.alias).where(
            aliases.c.surface == surface, aliases.c.kind == kind, aliases.c.core_id == core_id
        )
    ).scalar()


def forget(conn: Connection, core_ids: Sequence[str]) -> None:
    """Delete every alias of these core objects."""
    if core_ids:
        conn.execute(delete(aliases).where(aliases.c.core_id.in_(list(core_ids))))
