"""A surface's own ids for core objects (LanguageWire's uuid jobId for a group), issued in
the transaction that creates the object and deleted with it."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from dragoman.store.project_tables import alias_counters
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


def next_integer(conn: Connection, *, surface: str, kind: str) -> int:
    """The next integer id of `surface`'s `kind` (1, 2, ...; never reused), in the caller's
    write transaction, which holds the counter's row until it commits."""
    counter = (alias_counters.c.surface == surface) & (alias_counters.c.kind == kind)
    for _ in range(2):
        value = conn.execute(
            update(alias_counters)
            .where(counter)
            .values(last=alias_counters.c.last + 1)
            .returning(alias_counters.c.last)
        ).scalar()
        if value is not None:
            return int(value)
        try:
            with conn.begin_nested():
                conn.execute(insert(alias_counters).values(surface=surface, kind=kind, last=1))
            return 1
        except IntegrityError:  # another transaction created the counter first
            continue
    raise RuntimeError(f"could not issue an integer id for {surface} {kind}")


def issue_integer(conn: Connection, *, surface: str, kind: str, core_id: str, org_id: str) -> int:
    """Issue the next integer id of `kind` as the alias of `core_id` and return it."""
    number = next_integer(conn, surface=surface, kind=kind)
    issue(conn, surface=surface, kind=kind, alias=str(number), core_id=core_id, org_id=org_id)
    return number
