"""The batching writer: one commit for many callers, and one caller's failure touches no other."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import Connection, func, insert, select

from dragoman.store.db import Database
from dragoman.store.tables import organizations
from dragoman.store.writer import Writer
from dragoman.timefmt import utcnow


@pytest.fixture
def db(database_url: str) -> Database:
    database = Database(database_url)
    yield database
    database.dispose()


def add_org(name: str, fail: bool = False):  # type: ignore[no-untyped-def]
    def work(conn: Connection) -> str:
        conn.execute(insert(organizations).values(id=f"org_{name}", name=name, created_at=utcnow()))
        if fail:
            raise ValueError(f"{name} is bad input")
        return name

    return work


def names(db: Database) -> set[str]:
    with db.read() as conn:
        return {r.name for r in conn.execute(select(organizations.c.name))}


async def test_many_callers_all_committed(db: Database) -> None:
    writer = Writer(db)
    try:
        results = await asyncio.gather(*[writer.run(add_org(f"o{i}")) for i in range(200)])
    finally:
        writer.stop()
    assert sorted(results) == sorted(f"o{i}" for i in range(200))
    assert names(db) == {f"o{i}" for i in range(200)}


async def test_one_failure_is_rolled_back_alone(db: Database) -> None:
    writer = Writer(db)
    try:
        outcomes = await asyncio.gather(
            *[writer.run(add_org(f"o{i}", fail=(i == 7))) for i in range(50)],
            return_exceptions=True,
        )
    finally:
        writer.stop()
    failed = [o for o in outcomes if isinstance(o, Exception)]
    assert len(failed) == 1 and isinstance(failed[0], ValueError) and "o7" in str(failed[0])
    assert names(db) == {f"o{i}" for i in range(50) if i != 7}


async def test_database_error_reaches_its_caller_only(db: Database) -> None:
    writer = Writer(db)
    try:
        first = await writer.run(add_org("dup"))
        outcomes = await asyncio.gather(
            writer.run(add_org("dup")), writer.run(add_org("fresh")), return_exceptions=True
        )
    finally:
        writer.stop()
    assert first == "dup"
    assert isinstance(outcomes[0], Exception) and outcomes[1] == "fresh"
    with db.read() as conn:
        count = conn.execute(select(func.count()).select_from(organizations)).scalar_one()
    assert count == 2
