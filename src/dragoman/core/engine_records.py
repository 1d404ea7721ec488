"""Org-scoped Engine records (`eng_...`) that name a provider and its options."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError

from dragoman.errors import NotFoundError
from dragoman.ids import new_id
from dragoman.store.tables import engines
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
) -> EngineRecord:
    """A new engine for the organization, optionally becoming its default."""
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
