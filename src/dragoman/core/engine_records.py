"""Org-scoped Engine records (`eng_...`) that name a provider and its options."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError

from dragoman.errors import ConflictError, NotFoundError
from dragoman.ids import has_prefix, new_id
from dragoman.store.tables import engines, organizations
from dragoman.timefmt import utcnow


@dataclass(frozen=True, slots=True)
class EngineRecord:
    """One configured engine of an organization."""

    id: str
    org_id: str
    name: str
    provider: str
    options: dict[str, Any] = field(default_factory=dict)
    is_default: bool = False
    created_at: datetime | None = None


DEFAULT_MAX_ENGINES_PER_ORG = 20  # the default of Settings.max_engines_per_org

_DEFAULT_ENGINE = select(engines).where(
    engines.c.org_id == bindparam("org_id"), engines.c.is_default
)


def _record(row: Row[Any]) -> EngineRecord:
    return EngineRecord(
        row.id,
        row.org_id,
        row.name,
        row.provider,
        dict(row.options),
        row.is_default,
        row.created_at,
    )


def default_engine(conn: Connection, org_id: str, provider: str) -> EngineRecord:
    """The organization's default engine, created on first use with `provider`."""
    query = _DEFAULT_ENGINE
    row = conn.execute(query, {"org_id": org_id}).first()
    if row is None:
        try:
            with conn.begin_nested():
                conn.execute(
                    insert(engines).values(
                        id=new_id("eng"),
                        org_id=org_id,
                        name=f"Default ({provider})",
                        provider=provider,
                        options={},
                        is_default=True,
                        created_at=utcnow(),
                    )
                )
        except IntegrityError:  # another request created it first; the unique index decided
            pass
        row = conn.execute(query, {"org_id": org_id}).one()
    return _record(row)


def get_engine(conn: Connection, org_id: str, engine_id: str) -> EngineRecord:
    """The organization's engine `engine_id`; NotFoundError otherwise (other orgs' too)."""
    if not has_prefix(engine_id, "eng"):  # NULs and such never reach the database
        raise NotFoundError(f"engine {engine_id[:80]!a} not found", field="engineId")
    row = conn.execute(
        select(engines).where(engines.c.id == engine_id, engines.c.org_id == org_id)
    ).first()
    if row is None:
        raise NotFoundError(f"engine {engine_id!r} not found", field="engineId")
    return _record(row)


def list_engines(conn: Connection, org_id: str) -> list[EngineRecord]:
    """Every engine of the organization, oldest first."""
    rows = conn.execute(
        select(engines)
        .where(engines.c.org_id == org_id)
        .order_by(engines.c.created_at, engines.c.id)
    )
    return [_record(row) for row in rows]


def create_engine_record(
    conn: Connection,
    org_id: str,
    *,
    name: str,
    provider: str,
    options: dict[str, Any],
    make_default: bool = False,
    max_engines: int = DEFAULT_MAX_ENGINES_PER_ORG,
) -> EngineRecord:
    """A new engine for the organization, optionally becoming its default.

    ConflictError (409) when the organization already has `max_engines` (the setting
    `max_engines_per_org`): each distinct engine can cost a warm backend in every worker.
    """
    # Lock the organization's row so that two concurrent creations cannot both pass the
    # count on PostgreSQL (SQLite serializes writers anyway; FOR UPDATE is dropped there).
    conn.execute(select(organizations.c.id).where(organizations.c.id == org_id).with_for_update())
    count = conn.execute(
        select(func.count()).select_from(engines).where(engines.c.org_id == org_id)
    ).scalar_one()
    if count >= max_engines:
        raise ConflictError(
            f"this organization already has {count} engines, the most allowed "
            f"(max_engines_per_org = {max_engines}); reuse one of them",
            limit=max_engines,
        )
    if make_default:
        conn.execute(
            update(engines)
            .where(engines.c.org_id == org_id, engines.c.is_default)
            .values(is_default=False)
        )
    engine_id = new_id("eng")
    conn.execute(
        insert(engines).values(
            id=engine_id,
            org_id=org_id,
            name=name,
            provider=provider,
            options=options,
            is_default=make_default,
            created_at=utcnow(),
        )
    )
    return get_engine(conn, org_id, engine_id)
