"""The TranslatePlus i18n API over HTTP on 127.0.0.1: both path sets, its job object, its
errors, with the identity engine as the organization's default (real server; SQLite, and
PostgreSQL when reachable)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook

import tests.apptools
from dragoman.core import queries
from dragoman.delivery.webhooks.outbox import Delivery
from dragoman.delivery.webhooks.secrets import current_secret
from dragoman.settings import Settings
from dragoman.store.tables import job_groups
from dragoman.surfaces.translateplus.webhooks import TranslatePlusWebhookPayloads
from tests.apptools import Api, running_api
from tests.webhook_receiver import https_receiver

YAML = b"""en:
  greeting: "Welcome back, %{name}!"
  buttons:
    save: Save the file
    cancel: Cancel
"""
JSON = b'{\n  "title": "Settings",\n  "actions": {"save": "Save the file", "open": "Open"}\n}\n'
JOB_FIELDS = {
    "id", "job_id", "status", "original_filename", "file_type", "source_language",
    "target_languages", "total_keys", "translated_keys", "failed_keys", "error_message",
    "created_at", "updated_at", "completed_at", "translated_files",
}  # fmt: skip
ISO = "%Y-%m-%dT%H:%M:%SZ"


def with_translateplus(monkeypatch: pytest.MonkeyPatch) -> None:
    """Mount the TranslatePlus router when app.py does not yet (until the lead wires it)."""
    from dragoman.surfaces.translateplus import router

    create_app = tests.apptools.create_app

    def create(*args: Any, **kwargs: Any) -> Any:
        app = create_app(*args, **kwargs)
        if not any(getattr(r, "path", "") == "/v2/i18n/jobs" for r in app.routes):
            app.include_router(router)
        return app

    monkeypatch.setattr(tests.apptools, "create_app", create)


@pytest.fixture
def make_api(
    database_url: str, settings_factory: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Any]:
    with_translateplus(monkeypatch)

    def make(**overrides: Any) -> Any:
        api_options = overrides.pop("_api", {})
        overrides.setdefault("default_engine_provider", "identity")
        return running_api(settings_factory(database_url, **overrides), **api_options)

    return make


@pytest.fixture
def api(make_api: Callable[..., Any]) -> Iterator[Api]:
    with make_api() as running:
        yield running


def create(
    api: Api, key: str, name: str, data: bytes, path: str = "/v2/i18n/jobs", **fields: str
) -> httpx.Response:
    form = {"target_languages": "fr,es", **fields}
    return api.client.post(
        path, headers={"X-API-KEY": key}, files={"file": (name, data)}, data=form
    )


def wait_final(api: Api, key: str, job_id: str, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        body: dict[str, Any] = api.get(key, f"/v2/i18n/jobs/{job_id}").json()
        if body["status"] in ("completed", "partial", "failed"):
            return body
        assert time.monotonic() < deadline, f"not final after {timeout}s: {body}"
        time.sleep(0.05)


def test_documented_paths_create_poll_download(api: Api) -> None:
    key = api.new_key()
    response = create(api, key, "en.yml", YAML, "/v2/translate/i18n", source_language="en")
    assert response.status_code == 201, response.text
    created = response.json()
    assert set(created) == JOB_FIELDS
    assert created["id"] == created["job_id"]
    assert created["status"] in ("pending", "processing", "completed")
    assert created["original_filename"] == "en.yml" and created["file_type"] == "yaml"
    assert created["source_language"] == "en" and created["target_languages"] == ["fr", "es"]
    assert created["total_keys"] == 3
    time.strptime(created["created_at"], ISO)

    job_id = created["id"]
    deadline = time.monotonic() + 30
    while True:
        status = api.get(key, f"/v2/translate/i18n/jobs/{job_id}/status").json()
        if status["status"] == "completed":
            break
        assert time.monotonic() < deadline, status
        time.sleep(0.05)
    assert (status["translated_keys"], status["failed_keys"]) == (3, 0)
    assert status["error_message"] is None
    time.strptime(status["completed_at"], ISO)
    files = {f["language_code"]: f for f in status["translated_files"]}
    assert set(files) == {"fr", "es"}
    for lang, entry in files.items():
        assert entry["file_url"].endswith(
            f"/v2/translate/i18n/jobs/{job_id}/download?language_code={lang}"
        )
        got = api.client.get(entry["file_url"], headers={"X-API-KEY": key})
        assert got.status_code == 200, got.text
        # Identity engine: only the Rails root key follows the target.
        assert got.content == YAML.replace(b"en:\n", f"{lang}:\n".encode(), 1)
        assert int(got.headers["content-length"]) == entry["file_size"] == len(got.content)
        assert f"{lang}.yml" in got.headers["content-disposition"]


def test_client_paths_with_a_json_content_type_and_auto_source(api: Api) -> None:
    key = api.new_key()
    # What translateplus-python sends: a multipart body labelled application/json.
    session = requests.Session()
    session.headers.update({"X-API-KEY": key, "Content-Type": "application/json"})
    prepared = session.prepare_request(
        requests.Request(
            "POST",
            f"{api.client.base_url}/v2/i18n/jobs",
            data={"source_language": "auto", "target_languages": "de"},
            files={"file": ("common.json", JSON)},
        )
    )
    assert prepared.headers["Content-Type"] == "application/json"
    response = api.client.post(
        "/v2/i18n/jobs", content=prepared.body, headers=dict(prepared.headers)
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["source_language"] == "en"  # detected from the file's strings
    assert created["file_type"] == "json" and created["total_keys"] == 3
    done = wait_final(api, key, created["id"])
    assert done["status"] == "completed"
    [entry] = done["translated_files"]
    assert entry["file_url"].endswith(f"/v2/i18n/jobs/{created['id']}/download/de")
    got = api.client.get(f"/v2/i18n/jobs/{created['id']}/download/de", headers={"X-API-KEY": key})
    assert got.status_code == 200 and got.content == JSON


def test_lists_newest_first_bare_and_paginated(api: Api) -> None:
    key = api.new_key()
    ids = [create(api, key, f"f{i}.json", JSON).json()["id"] for i in range(3)]
    api.post(key, {"sourceLocale": "en", "targetLocales": ["fr"], "data": {"a": "Hi"}})
    bare = api.get(key, "/v2/translate/i18n/jobs").json()
    assert isinstance(bare, list)
    assert [j["id"] for j in bare] == ids[::-1]  # a native JSON job is not listed here
    first = api.get(key, "/v2/i18n/jobs", page=1, page_size=2).json()
    assert set(first) == {"count", "next", "previous", "results"}
    assert first["count"] == 3 and first["previous"] is None
    assert [j["id"] for j in first["results"]] == ids[:0:-1]
    second = httpx.get(first["next"], headers={"X-API-KEY": key}).json()
    assert [j["id"] for j in second["results"]] == ids[:1]
    assert second["next"] is None and "page=1" in second["previous"]
    beyond = api.get(key, "/v2/i18n/jobs", page=3, page_size=2)
    assert (beyond.status_code, beyond.json()) == (404, {"detail": "Invalid page."})
    # Another organization sees none of them.
    assert api.get(api.new_key(), "/v2/translate/i18n/jobs").json() == []


def test_delete_removes_the_job_and_its_files(api: Api) -> None:
    key = api.new_key()
    job_id = create(api, key, "en.yml", YAML, source_language="en").json()["id"]
    wait_final(api, key, job_id)
    blobs = api.services.settings.data_dir / "blobs"
    assert any(p.is_file() for p in blobs.rglob("*"))
    assert api.client.delete(f"/v2/i18n/jobs/{job_id}", headers={"X-API-KEY": api.new_key()}
                             ).status_code == 404  # fmt: skip
    deleted = api.client.delete(f"/v2/i18n/jobs/{job_id}", headers={"X-API-KEY": key})
    assert deleted.status_code == 200 and deleted.json()["deleted"] is True
    for path in (f"/v2/i18n/jobs/{job_id}", f"/v2/i18n/jobs/{job_id}/download/fr"):
        gone = api.get(key, path)
        assert gone.status_code == 404 and gone.json() == {"detail": f"Job {job_id} not found."}
    assert not any(p.is_file() for p in blobs.rglob("*"))


@pytest.mark.parametrize(
    ("headers", "status", "detail"),
    [
        ({}, 401, "API key is required: send it in the X-API-KEY header."),
        ({"X-API-KEY": "nope"}, 403, "Invalid API key. Please verify your API key is valid."),
    ],
)
def test_auth_errors(api: Api, headers: dict[str, str], status: int, detail: str) -> None:
    for method, path in [
        ("GET", "/v2/translate/i18n/jobs"),
        ("GET", "/v2/i18n/jobs"),
        ("POST", "/v2/i18n/jobs"),
        ("DELETE", "/v2/i18n/jobs/x"),
    ]:
        response = api.client.request(method, path, headers=headers)
        assert (response.status_code, response.json()) == (status, {"detail": detail})


def test_request_errors_are_detail_422_404(api: Api) -> None:
    key = api.new_key()
    h = {"X-API-KEY": key}
    cases: list[tuple[httpx.Response, int, str]] = [
        (api.client.post("/v2/i18n/jobs", headers=h, json={"target_languages": "fr"}), 422,
         "multipart"),
        (api.client.post("/v2/i18n/jobs", headers=h, data={"target_languages": "fr"},
                         files={"x": ("a.txt", b"a")}), 422, "file is required"),
        (create(api, key, "en.yml", YAML, target_languages=""), 422, "target_languages"),
        (create(api, key, "en.yml", YAML, target_languages="fr,??"), 422, "target_languages"),
        (create(api, key, "en.yml", YAML, source_language="xx-??"), 422, "source_language"),
        (create(api, key, "en.bin", b"\x00\x01"), 422, "format"),
        (create(api, key, "en.json", b"{not json"), 422, "JSON"),
        (create(api, key, "en.yml", YAML, file_type="docx"), 422, "file_type"),
        (create(api, key, "en.yml", YAML, webhook_url="http://127.0.0.1/hook"), 400,
         "webhook_url"),
        (api.get(key, "/v2/i18n/jobs/nope"), 404, "Job nope not found."),
        (api.get(key, "/v2/translate/i18n/jobs/nope/status"), 404, "Job nope not found."),
    ]  # fmt: skip
    for response, status, fragment in cases:
        assert response.status_code == status, response.text
        assert list(response.json()) == ["detail"] and fragment in response.json()["detail"]

    job_id = create(api, key, "en.yml", YAML, source_language="en").json()["id"]
    wait_final(api, key, job_id)
    missing = api.get(key, f"/v2/translate/i18n/jobs/{job_id}/download")
    assert missing.status_code == 422 and missing.json() == {"detail": "language_code is required."}
    other = api.get(key, f"/v2/translate/i18n/jobs/{job_id}/download", language_code="de")
    assert other.status_code == 404 and "'de'" in other.json()["detail"]
    upper = api.get(key, f"/v2/i18n/jobs/{job_id}/download/FR")
    assert upper.status_code == 200 and upper.content.startswith(b"fr:\n")


def test_download_before_completion_is_409(make_api: Callable[..., Any]) -> None:
    with make_api(_api={"run_workers": False}) as api:
        key = api.new_key()
        job = create(api, key, "en.yml", YAML, source_language="en").json()
        assert job["status"] == "pending" and job["translated_files"] == []
        assert job["completed_at"] is None and job["translated_keys"] == 0
        early = api.get(key, f"/v2/i18n/jobs/{job['id']}/download/fr")
        assert early.status_code == 409 and "completed" in early.json()["detail"]


def test_upload_over_the_limit_is_413_in_detail_shape(make_api: Callable[..., Any]) -> None:
    with make_api(max_upload_bytes=4096) as api:
        key = api.new_key()
        big = b"en:\n" + b"".join(b"  k%d: Hello world\n" % i for i in range(30_000))
        for path in ("/v2/i18n/jobs", "/v2/translate/i18n"):
            response = create(api, key, "en.yml", big, path)
            assert response.status_code == 413
            assert list(response.json()) == ["detail"]
        # Within the body limit but over the file limit: the core's check, same shape.
        medium = b"en:\n" + b"".join(b"  k%d: Hello\n" % i for i in range(400))
        response = create(api, key, "en.yml", medium)
        assert response.status_code == 413 and "limit" in response.json()["detail"]


def test_webhook_url_gets_a_signed_delivery(make_api: Callable[..., Any], tmp_path: Path) -> None:
    with https_receiver(tmp_path) as receiver:
        hooks = {
            "webhook_allow_networks": ("127.0.0.0/8",),
            "webhook_ca_bundle": receiver.ca_path,
            "webhook_poll_interval_seconds": 0.2,
        }
        with make_api(**hooks) as api:
            key = api.new_key()
            url = receiver.url("/tp-hook")
            job = create(api, key, "en.yml", YAML, source_language="en", webhook_url=url)
            assert job.status_code == 201, job.text
            job_id = job.json()["id"]
            got = receiver.wait("/tp-hook", 3)  # each language, then the whole file
            with api.services.db.read() as conn:
                secret = current_secret(conn, status_org(api, job_id))
            for delivery in got:
                Webhook(secret).verify(delivery.body, delivery.headers)
                assert job_id in delivery.body.decode()


def test_webhook_body_is_the_translateplus_job_object(api: Api) -> None:
    key = api.new_key()
    job_id = create(api, key, "en.yml", YAML, source_language="en").json()["id"]
    status = wait_final(api, key, job_id)
    render = TranslatePlusWebhookPayloads(api.services.settings)
    with api.services.db.read() as conn:
        group = queries.get_group(conn, status_org(api, job_id), job_id)
        fr = next(j for j in group.jobs if j.target_locale == "fr")
        whole = json.loads(render(conn, delivery(group.org_id, job_id, None, "group.completed")))
        one = json.loads(render(conn, delivery(group.org_id, job_id, fr.id, "job.completed")))
        gone = json.loads(render(conn, delivery(group.org_id, "tp_gone", None, "group.completed")))
    assert whole.pop("event") == "group.completed"
    status.pop("translated_files")
    files = whole.pop("translated_files")
    assert whole == status
    base = api.services.settings.public_url or "http://127.0.0.1:8000"
    assert {f["file_url"] for f in files} == {
        f"{base}/v2/i18n/jobs/{job_id}/download/{lang}" for lang in ("fr", "es")
    }
    assert (one["event"], one["language_code"], one["id"]) == ("job.completed", "fr", job_id)
    assert gone == {"event": "group.completed", "id": "tp_gone", "job_id": "tp_gone",
                    "status": "deleted"}  # fmt: skip


def status_org(api: Api, group_id: str) -> str:
    with api.services.db.read() as conn:
        org_id: str = conn.execute(
            select(job_groups.c.org_id).where(job_groups.c.id == group_id)
        ).scalar_one()
        return org_id


def delivery(org_id: str, group_id: str, job_id: str | None, event: str) -> Delivery:
    return Delivery("whd_test", org_id, group_id, job_id, event, "https://x", None, 0, None, "t")
