"""Retention: expired outputs answer 404 saying so; content, keys and events are deleted."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import func, select

from dragoman.settings import Settings
from dragoman.store.tables import events, job_groups
from dragoman.timefmt import utcnow
from dragoman.worker.retention import apply_retention
from tests.apptools import running_api

BODY = {"sourceLocale": "en", "targetLocales": ["de"], "data": {"t": "Hello"},
        "idempotencyKey": "lesson-1-v1"}  # fmt: skip


def test_sweeper_deletes_expired_data_and_reads_say_expired(
    database_url: str, settings_factory: Callable[..., Settings]
) -> None:
    settings = settings_factory(database_url, retention_output_hours=1.0,
                                retention_content_hours=2.0, retention_idempotency_hours=3.0,
                                retention_events_hours=4.0)  # fmt: skip
    with running_api(settings) as api:
        key = api.new_key()
        created = api.post(key, BODY).json()
        api.wait_group(key, created["groupId"])
        job_id = created["jobs"][0]["id"]
        db = api.services.db

        nothing = apply_retention(db, settings, utcnow() + timedelta(minutes=30))
        assert (nothing.outputs, nothing.contents, nothing.events) == (0, 0, 0)
        assert api.get(key, f"/jobs/localization/{job_id}").status_code == 200

        report = apply_retention(db, settings, utcnow() + timedelta(hours=1, minutes=1))
        assert report.outputs == 1 and report.contents == 0
        expired = api.get(key, f"/jobs/localization/{job_id}")
        assert expired.status_code == 404
        assert "expired on" in expired.json()["error"] and job_id in expired.json()["error"]
        assert api.get(key, f"/jobs/localization/groups/{created['groupId']}").status_code == 200
        replay = api.post(key, BODY)
        assert replay.status_code == 200 and replay.json()["groupId"] == created["groupId"]

        report = apply_retention(db, settings, utcnow() + timedelta(hours=5))
        assert report.contents == 1 and report.idempotency_keys == 1 and report.events >= 3
        with db.read() as conn:
            group = conn.execute(select(job_groups).where(job_groups.c.id == created["groupId"]))
            row = group.one()
            assert row.content is None and row.content_expired_at is not None
            left = conn.execute(select(func.count()).select_from(events).where(
                events.c.group_id == created["groupId"])).scalar()  # fmt: skip
            assert left == 0
        fresh = api.post(key, {**BODY, "data": {"t": "Other"}})
        assert fresh.status_code == 202, "an expired idempotency key can be used again"
        assert fresh.json()["groupId"] != created["groupId"]


def test_unfinished_groups_keep_their_content(
    database_url: str, settings_factory: Callable[..., Settings]
) -> None:
    settings = settings_factory(database_url, retention_content_hours=1.0)
    with running_api(settings, run_workers=False) as api:
        key = api.new_key()
        created = api.post(key, {**BODY, "idempotencyKey": None}).json()
        report = apply_retention(api.services.db, settings, utcnow() + timedelta(hours=2))
        assert report.contents == 0
        assert api.get(key, f"/jobs/localization/{created['jobs'][0]['id']}").status_code == 200
