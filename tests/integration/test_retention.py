"""Retention: expired outputs answer 404 saying so; content, keys and events are deleted."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from dragoman.settings import Settings
from dragoman.store.tables import artifacts, events, job_groups
from dragoman.timefmt import utcnow
from dragoman.worker.retention import apply_retention, collect_orphan_outputs
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


def test_retention_deletes_file_blobs_with_their_rows(
    database_url: str, settings_factory: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = settings_factory(
        database_url, retention_output_hours=1.0, retention_content_hours=2.0
    )
    po = Path(__file__).parent.parent / "fixtures" / "formats" / "po" / "django.po"
    with running_api(settings) as api:
        key = api.new_key()
        groups = []
        for _ in range(2):
            response = api.client.post(
                "/jobs/localization/files",
                headers={"X-API-Key": key},
                files={"file": (po.name, po.read_bytes())},
                data={"sourceLocale": "en", "targetLocales": "es,fr"},
            )
            assert response.status_code == 202, response.text
            groups.append(api.wait_group(key, response.json()["groupId"]))
        blobs_dir = settings.data_dir / "blobs"
        assert len(_files(blobs_dir)) == 2 + 4  # two sources, four outputs
        db, store = api.services.db, api.services.blobs

        report = apply_retention(
            db, settings, utcnow() + timedelta(hours=1, minutes=1), blobs=store
        )
        assert report.outputs == 4 and report.blobs == 4
        assert len(_files(blobs_dir)) == 2
        job_id = groups[0]["jobs"][0]["id"]
        gone = api.client.get(f"/jobs/localization/{job_id}/file", headers={"X-API-Key": key})
        assert gone.status_code == 404 and "expired" in gone.json()["error"]

        report = apply_retention(db, settings, utcnow() + timedelta(hours=3), blobs=store)
        assert report.contents == 2 and report.blobs == 2
        assert _files(blobs_dir) == []
        with db.read() as conn:
            assert conn.execute(select(func.count()).select_from(artifacts)).scalar() == 0


def test_orphaned_outputs_of_final_jobs_are_collected(
    database_url: str, settings_factory: Callable[..., Settings]
) -> None:
    po = Path(__file__).parent.parent / "fixtures" / "formats" / "po" / "django.po"
    with running_api(settings_factory(database_url)) as api:
        key = api.new_key()
        response = api.client.post(
            "/jobs/localization/files",
            headers={"X-API-Key": key},
            files={"file": (po.name, po.read_bytes())},
            data={"sourceLocale": "en", "targetLocales": "es"},
        )
        group = api.wait_group(key, response.json()["groupId"])
        job_id = group["jobs"][0]["id"]
        with api.services.db.read() as conn:
            org_id = conn.execute(
                select(job_groups.c.org_id).where(job_groups.c.id == group["groupId"])
            ).scalar_one()
        store = api.services.blobs
        assert store is not None
        store.put_bytes(f"{org_id}/out/{job_id}/9", b"a losing attempt's bytes")
        assert collect_orphan_outputs(api.services.db, store, org_id) == 1
        assert store.exists(f"{org_id}/out/{job_id}/1")
        assert not store.exists(f"{org_id}/out/{job_id}/9")


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []
