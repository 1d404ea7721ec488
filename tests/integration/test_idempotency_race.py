"""Twenty concurrent identical POSTs with one idempotency key create exactly one group."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
from sqlalchemy import func, select

from dragoman.settings import Settings
from dragoman.store.tables import job_groups, jobs
from tests.apptools import running_api

BODY = {
    "sourceLocale": "en",
    "targetLocales": ["de", "fr", "ja"],
    "data": {"title": "Introduction to Machine Learning"},
    "idempotencyKey": "course-101-v1",
}


def test_twenty_concurrent_identical_posts_make_one_group(
    database_url: str, settings_factory: Callable[..., Settings]
) -> None:
    with running_api(settings_factory(database_url), run_workers=False) as api:
        key = api.new_key()
        base = str(api.client.base_url)

        async def fire() -> list[httpx.Response]:
            async with httpx.AsyncClient(base_url=base, timeout=30) as client:
                return await asyncio.gather(
                    *[
                        client.post("/jobs/localization", json=BODY, headers={"X-API-Key": key})
                        for _ in range(20)
                    ]
                )

        responses = asyncio.run(fire())
        assert sorted(r.status_code for r in responses) == [200] * 19 + [202]
        assert len({r.json()["groupId"] for r in responses}) == 1
        assert len({tuple(j["id"] for j in r.json()["jobs"]) for r in responses}) == 1
        with api.services.db.read() as conn:
            assert conn.execute(select(func.count()).select_from(job_groups)).scalar_one() == 1
            assert conn.execute(select(func.count()).select_from(jobs)).scalar_one() == 3
        dispatched = api.services.dispatcher
        assert dispatched is not None
