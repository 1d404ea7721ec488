"""Amplification limits and per-organization quotas over real HTTP (issue 9 item 4): source
size x targets per request (413), queued jobs and stored bytes (429 + Retry-After), requests
per minute on the native and TranslatePlus surfaces; each error names its setting."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from dragoman.settings import Settings
from dragoman.store.tables import job_groups, jobs
from tests.apptools import Api, running_api

LOCALES = ["de", "fr", "es", "it", "pt", "nl", "sv", "da", "fi", "pl"]
Make = Callable[..., Settings]


def _rows(api: Api) -> tuple[int, int]:
    with api.services.db.read() as conn:
        groups = conn.execute(select(func.count()).select_from(job_groups)).scalar_one()
        count = conn.execute(select(func.count()).select_from(jobs)).scalar_one()
    return int(groups), int(count)


def _blob_files(settings: Settings) -> list[Path]:
    return [p for p in (Path(settings.data_dir) / "blobs").rglob("*") if p.is_file()]


def _body(targets: list[str], data: Any = None, **extra: Any) -> dict[str, Any]:
    return {"sourceLocale": "en", "targetLocales": targets, "data": data or {"t": "Hi"}, **extra}


def test_the_reported_request_is_refused_at_once_and_writes_nothing(
    sqlite_url: str, settings_factory: Make
) -> None:
    # Issue 9: one 4.95 MB string to 100 targets was accepted and wrote 1.09 GB.
    locales = [f"x-l{i:03d}" for i in range(100)]
    body = json.dumps(_body(locales, {"t": "a" * 4_950_000})).encode()
    with running_api(settings_factory(sqlite_url), run_workers=False) as api:
        key = api.new_key()
        started = time.perf_counter()
        response = api.client.post(
            "/jobs/localization",
            content=body,
            headers={"X-API-Key": key, "Content-Type": "application/json"},
        )
        took = time.perf_counter() - started
        assert response.status_code == 413, response.text
        error = response.json()
        assert error["field"] == "data"
        assert "x 100 target locales" in error["error"]
        assert str(256 * 1024 * 1024) in error["error"]
        assert "DRAGOMAN_MAX_REQUEST_WORK_BYTES" in error["error"]
        assert _rows(api) == (0, 0)
        assert took < 5, took  # generous: 2 shared cores; it was accepted in 0.12 s before
        # The same text to three targets is ordinary work.
        small = api.post(key, _body(["de", "fr", "es"], {"t": "a" * 4_950_000}))
        assert small.status_code == 202, small.text


def test_work_limit_applies_to_file_uploads_on_both_surfaces(
    sqlite_url: str, settings_factory: Make
) -> None:
    settings = settings_factory(sqlite_url, max_request_work_bytes=2000)
    data = json.dumps({f"k{i}": f"Value number {i}" for i in range(20)}).encode()
    assert 401 <= len(data) <= 2000 // 3  # 5 targets: over; 3: within
    with running_api(settings, run_workers=False) as api:
        key = api.new_key()
        native = api.client.post(
            "/jobs/localization/files",
            headers={"X-API-Key": key},
            files={"file": ("en.json", data)},
            data={"sourceLocale": "en", "targetLocales": ",".join(LOCALES[:5])},
        )
        assert native.status_code == 413, native.text
        assert f"file is {len(data)} bytes x 5 target locales" in native.json()["error"]
        assert "DRAGOMAN_MAX_REQUEST_WORK_BYTES" in native.json()["error"]
        plus = api.client.post(
            "/v2/i18n/jobs",
            headers={"X-API-KEY": key},
            files={"file": ("en.json", data)},
            data={"target_languages": ",".join(LOCALES[:5]), "source_language": "en"},
        )
        assert plus.status_code == 413, plus.text
        assert "DRAGOMAN_MAX_REQUEST_WORK_BYTES" in plus.json()["detail"]
        assert _rows(api) == (0, 0)
        assert _blob_files(settings) == []  # refused before the bytes were stored
        ok = api.client.post(
            "/jobs/localization/files",
            headers={"X-API-Key": key},
            files={"file": ("en.json", data)},
            data={"sourceLocale": "en", "targetLocales": "de"},
        )
        assert ok.status_code == 202, ok.text
        assert len(_blob_files(settings)) == 1


def test_queued_jobs_quota_is_429_with_retry_after_per_organization(
    sqlite_url: str, settings_factory: Make
) -> None:
    settings = settings_factory(sqlite_url, quota_queued_jobs=5, quota_refresh_seconds=7)
    with running_api(settings, run_workers=False) as api:  # nothing runs: jobs stay queued
        key, other = api.new_key(), api.new_key()
        assert api.post(key, _body(LOCALES[:3])).status_code == 202
        refused = api.post(key, _body(LOCALES[:3]))
        assert refused.status_code == 429, refused.text
        assert refused.headers["Retry-After"] == "7"
        message = refused.json()["error"]
        assert "3 jobs queued or translating" in message and "adds 3" in message
        assert "quota is 5 (DRAGOMAN_QUOTA_QUEUED_JOBS)" in message
        assert api.post(key, _body(LOCALES[:2])).status_code == 202  # exactly 5
        assert api.post(other, _body(LOCALES[:5])).status_code == 202  # its own quota
        assert _rows(api) == (3, 10)


def test_quota_frees_up_as_jobs_finish(sqlite_url: str, settings_factory: Make) -> None:
    settings = settings_factory(sqlite_url, quota_queued_jobs=3, quota_refresh_seconds=0.2)
    with running_api(settings) as api:
        key = api.new_key()
        first = api.post(key, _body(LOCALES[:3]))
        assert first.status_code == 202
        api.wait_group(key, first.json()["groupId"])
        time.sleep(0.3)  # the next reading sees them finished
        assert api.post(key, _body(LOCALES[:3])).status_code == 202


def test_replay_with_an_idempotency_key_is_not_counted_twice(
    sqlite_url: str, settings_factory: Make
) -> None:
    settings = settings_factory(sqlite_url, quota_queued_jobs=4, quota_refresh_seconds=60)
    with running_api(settings, run_workers=False) as api:
        key = api.new_key()
        body = _body(LOCALES[:2], idempotencyKey="same")
        assert api.post(key, body).status_code == 202
        for _ in range(5):
            assert api.post(key, body).status_code == 200
        assert api.post(key, _body(LOCALES[:2])).status_code == 202  # 4: replays gave back
        # At the quota, new work is refused but a replay still finds its group.
        assert api.post(key, _body(["de"], idempotencyKey="new")).status_code == 429
        assert api.post(key, body).status_code == 200


def test_stored_bytes_quota_is_429_naming_the_setting(
    sqlite_url: str, settings_factory: Make
) -> None:
    settings = settings_factory(sqlite_url, quota_stored_bytes=100_000)
    text = {"t": "x" * 20_000}
    with running_api(settings, run_workers=False) as api:
        key, other = api.new_key(), api.new_key()
        assert api.post(key, _body(["de"], text)).status_code == 202  # ~40 KB
        assert api.post(key, _body(["de"], text)).status_code == 202  # ~80 KB
        refused = api.post(key, _body(["de"], text))
        assert refused.status_code == 429, refused.text
        assert refused.headers["Retry-After"] == str(int(settings.retention_interval_seconds))
        assert "DRAGOMAN_QUOTA_STORED_BYTES" in refused.json()["error"]
        assert "100000" in refused.json()["error"]
        assert api.post(other, _body(["de"], text)).status_code == 202


@pytest.mark.parametrize(
    ("path", "header", "error_key"),
    [("/jobs/localization", "X-API-Key", "error"), ("/v2/i18n/jobs", "X-API-KEY", "detail")],
)
def test_requests_per_minute_on_every_surface(
    sqlite_url: str, settings_factory: Make, path: str, header: str, error_key: str
) -> None:
    settings = settings_factory(sqlite_url, quota_requests_per_minute=6)
    with running_api(settings, run_workers=False) as api:
        key, other = api.new_key(), api.new_key()
        codes = [api.client.get(path, headers={header: key}).status_code for _ in range(6)]
        assert codes == [200] * 6
        refused = api.client.get(path, headers={header: key})
        assert refused.status_code == 429, refused.text
        assert 1 <= int(refused.headers["Retry-After"]) <= 10  # one request every 10 s
        assert "DRAGOMAN_QUOTA_REQUESTS_PER_MINUTE" in refused.json()[error_key]
        assert api.client.get(path, headers={header: other}).status_code == 200
        assert api.client.get("/healthz").status_code == 200  # unauthenticated: not counted
        # A bad key is a 401/403, not a 429, and spends no organization's allowance.
        assert api.client.get(path, headers={header: "nope"}).status_code in (401, 403)


def test_defaults_let_a_busy_client_through(sqlite_url: str, settings_factory: Make) -> None:
    settings = settings_factory(sqlite_url)
    assert settings.quota_requests_per_minute >= 60_000
    with running_api(settings, run_workers=False) as api:
        key = api.new_key()
        codes = {api.post(key, _body(LOCALES[:3])).status_code for _ in range(300)}
        assert codes == {202}
