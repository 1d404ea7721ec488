"""The native localization-jobs API against the seed document's examples (seed 000)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from dragoman.settings import Settings
from tests.apptools import Api, running_api

ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
GROUP_ID = re.compile(r"^ljg_[A-Za-z0-9]{16}$")
JOB_ID = re.compile(r"^ljb_[A-Za-z0-9]{16}$")

SEED_REQUEST: dict[str, Any] = {
    "sourceLocale": "en",
    "targetLocales": ["de", "fr", "ja"],
    "data": {
        "id": "course_101",
        "title": "Introduction to Machine Learning",
        "steps": [
            {"heading": "What is ML?", "body": "Machine learning is a subset of AI."},
            {"heading": "Supervised Learning", "body": "Training with labeled data."},
        ],
        "metadata": {
            "author": "Dr. Smith",
            "difficulty": "beginner",
            "lessons": 12,
            "free": True,
            "rating": None,
        },
    },
}


@pytest.fixture
def api(database_url: str, settings_factory: Callable[..., Settings]) -> Iterator[Api]:
    with running_api(settings_factory(database_url)) as running:
        yield running


@pytest.fixture
def key(api: Api) -> str:
    return api.new_key()


def test_create_returns_202_with_seed_shape(api: Api, key: str) -> None:
    response = api.post(key, SEED_REQUEST)
    assert response.status_code == 202
    body = response.json()
    assert set(body) == {"groupId", "status", "jobs", "createdAt"}
    assert GROUP_ID.match(body["groupId"])
    assert body["status"] in ("pending", "processing", "completed")
    assert [j["targetLocale"] for j in body["jobs"]] == ["de", "fr", "ja"]
    for job in body["jobs"]:
        assert set(job) == {"id", "targetLocale", "status"}
        assert JOB_ID.match(job["id"])
    assert len({j["id"] for j in body["jobs"]}) == 3
    assert ISO_MS.match(body["createdAt"])


def test_group_completes_and_counts(api: Api, key: str) -> None:
    created = api.post(key, SEED_REQUEST).json()
    group = api.wait_group(key, created["groupId"])
    assert group["groupId"] == created["groupId"]
    assert group["status"] == "completed"
    assert group["sourceLocale"] == "en"
    assert (group["totalJobs"], group["completedJobs"], group["failedJobs"]) == (3, 3, 0)
    assert [j["id"] for j in group["jobs"]] == [j["id"] for j in created["jobs"]]
    for job in group["jobs"]:
        assert set(job) == {"id", "targetLocale", "status", "completedAt"}
        assert ISO_MS.match(job["completedAt"])
    assert group["createdAt"] == created["createdAt"]


def test_job_output_mirrors_input_structure(api: Api, key: str) -> None:
    created = api.post(key, SEED_REQUEST).json()
    api.wait_group(key, created["groupId"])
    job = api.get(key, f"/jobs/localization/{created['jobs'][0]['id']}").json()
    for field in (
        "id",
        "groupId",
        "targetLocale",
        "status",
        "outputData",
        "errorMessage",
        "callbackStatus",
        "createdAt",
        "startedAt",
        "completedAt",
    ):
        assert field in job
    assert job["status"] == "completed" and job["errorMessage"] is None
    assert job["callbackStatus"] is None  # no callback URL anywhere
    out, src = job["outputData"], SEED_REQUEST["data"]
    assert list(out) == list(src)
    assert out["id"] == "course_101"  # an identifier-like string is not prose
    assert out["title"] != src["title"]  # pseudo-localized
    assert len(out["steps"]) == 2 and list(out["steps"][0]) == ["heading", "body"]
    assert {k: v for k, v in out["metadata"].items() if not isinstance(v, str)} == {
        "lessons": 12,
        "free": True,
        "rating": None,
    }
    for stamp in ("createdAt", "startedAt", "completedAt"):
        assert ISO_MS.match(job[stamp])
    assert job["createdAt"] <= job["startedAt"] <= job["completedAt"]


def test_missing_or_wrong_key_is_401_json(api: Api) -> None:
    missing = api.client.post("/jobs/localization", json=SEED_REQUEST)
    assert missing.status_code == 401 and "API key" in missing.json()["error"]
    wrong = api.post("dgm_not-a-key", SEED_REQUEST)
    assert wrong.status_code == 401 and wrong.json()["error"]
    assert api.client.get("/jobs/localization").status_code == 401


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"sourceLocale": "english"}, 422, "sourceLocale"),
        ({"sourceLocale": "en_US"}, 422, "sourceLocale"),
        ({"targetLocales": ["de", "qx"]}, 422, "targetLocales[1]"),
        ({"targetLocales": ["de", "not a locale"]}, 422, "targetLocales[1]"),
        ({"targetLocales": []}, 422, "targetLocales"),
        ({"targetLocales": ["de", "fr", "de"]}, 422, "targetLocales[2]"),
        ({"targetLocales": ["de", "en"]}, 422, "targetLocales[1]"),
        ({"callbackUrl": "http://example.com/hook"}, 400, "callbackUrl"),
        ({"callbackUrl": "not a url"}, 400, "callbackUrl"),
        ({"engineId": "eng_doesNotExist0000"}, 404, "engineId"),
        ({"data": ["a", "b"]}, 422, "data"),
        ({"data": "text"}, 422, "data"),
        ({"targetLocales": "de"}, 422, "targetLocales"),
        ({"hints": {"title": "not a list"}}, 422, "hints.title"),
    ],
)
def test_bad_input_names_the_field(
    api: Api, key: str, change: dict[str, Any], status: int, field: str
) -> None:
    response = api.post(key, {**SEED_REQUEST, **change})
    assert response.status_code == status, response.text
    body = response.json()
    assert body["field"] == field
    assert body["error"]


def test_missing_required_field(api: Api, key: str) -> None:
    body = {k: v for k, v in SEED_REQUEST.items() if k != "sourceLocale"}
    response = api.post(key, body)
    assert response.status_code == 422
    assert response.json()["field"] == "sourceLocale"


def test_malformed_json_is_422(api: Api, key: str) -> None:
    response = api.client.post(
        "/jobs/localization",
        content=b'{"sourceLocale": ',
        headers={"X-API-Key": key, "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert "JSON" in response.json()["error"]


def test_data_too_deep_states_the_limit(api: Api, key: str) -> None:
    deep: dict[str, Any] = {"leaf": "text"}
    for _ in range(40):
        deep = {"nested": deep}
    response = api.post(key, {**SEED_REQUEST, "data": deep})
    assert response.status_code == 422
    assert "32" in response.json()["error"]


def test_absurdly_deep_json_is_4xx_not_500(api: Api, key: str) -> None:
    body = (
        b'{"sourceLocale":"en","targetLocales":["de"],"data":'
        + b'{"a":' * 5000
        + b'"x"'
        + b"}" * 5001
    )
    response = api.client.post(
        "/jobs/localization",
        content=body,
        headers={"X-API-Key": key, "Content-Type": "application/json"},
    )
    assert 400 <= response.status_code < 500


def test_too_many_strings_is_413(
    database_url: str, settings_factory: Callable[..., Settings]
) -> None:
    with running_api(settings_factory(database_url, max_data_strings=10), run_workers=False) as api:
        key = api.new_key()
        response = api.post(key, {**SEED_REQUEST, "data": {f"k{i}": "word" for i in range(11)}})
        assert response.status_code == 413
        assert "10" in response.json()["error"]


def test_body_over_limit_is_413(
    database_url: str, settings_factory: Callable[..., Settings]
) -> None:
    with running_api(
        settings_factory(database_url, max_request_bytes=2048), run_workers=False
    ) as api:
        key = api.new_key()
        response = api.post(key, {**SEED_REQUEST, "data": {"big": "x" * 4000}})
        assert response.status_code == 413
        assert "2048" in response.json()["error"]


def test_locales_are_normalised(api: Api, key: str) -> None:
    body = api.post(
        key, {**SEED_REQUEST, "sourceLocale": "EN", "targetLocales": ["pt-br", "es-419"]}
    ).json()
    assert [j["targetLocale"] for j in body["jobs"]] == ["pt-BR", "es-419"]


def test_idempotency_returns_existing_group(api: Api, key: str) -> None:
    request = {**SEED_REQUEST, "idempotencyKey": "550e8400-e29b-41d4-a716-446655440000"}
    first = api.post(key, request)
    second = api.post(key, request)
    assert first.status_code == 202 and second.status_code == 200
    assert second.json()["groupId"] == first.json()["groupId"]
    assert [j["id"] for j in second.json()["jobs"]] == [j["id"] for j in first.json()["jobs"]]
    changed = api.post(key, {**request, "data": {"title": "Something else"}})
    assert changed.status_code == 422 and changed.json()["field"] == "idempotencyKey"


def test_idempotency_is_per_organization_and_engine(api: Api, key: str) -> None:
    request = {**SEED_REQUEST, "idempotencyKey": "shared-key"}
    mine = api.post(key, request).json()
    theirs = api.post(api.new_key(), request).json()
    assert mine["groupId"] != theirs["groupId"]
    engine = api.client.post(
        "/engines", json={"name": "second", "provider": "pseudo"}, headers={"X-API-Key": key}
    ).json()
    other_engine = api.post(key, {**request, "engineId": engine["id"]})
    assert other_engine.status_code == 202
    assert other_engine.json()["groupId"] != mine["groupId"]


def test_list_newest_first_with_cursor(api: Api, key: str) -> None:
    created = [
        api.post(key, {**SEED_REQUEST, "targetLocales": ["de", "fr"]}).json() for _ in range(6)
    ]
    expected = [
        j["id"]
        for c in reversed(created)
        for j in sorted(c["jobs"], key=lambda j: j["id"], reverse=True)
    ]
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 5}
        if cursor:
            params["cursor"] = cursor
        page = api.get(key, "/jobs/localization", **params).json()
        pages += 1
        seen.extend(item["id"] for item in page["items"])
        for item in page["items"]:
            assert set(item) >= {
                "id",
                "groupId",
                "targetLocale",
                "status",
                "createdAt",
                "completedAt",
            }
        cursor = page["nextCursor"]
        if cursor is None:
            break
        # Inserts between pages must not shift or repeat what follows.
        api.post(key, {**SEED_REQUEST, "targetLocales": ["it"]})
    assert pages == 3
    assert seen == expected


def test_list_defaults_limits_and_filters(api: Api, key: str) -> None:
    groups = [
        api.post(key, {**SEED_REQUEST, "targetLocales": ["de", "fr", "it"]}).json()
        for _ in range(8)
    ]
    page = api.get(key, "/jobs/localization").json()
    assert len(page["items"]) == 20 and page["nextCursor"]
    assert api.get(key, "/jobs/localization", limit=100).status_code == 200
    for bad in ({"limit": 101}, {"limit": 0}, {"status": "done"}, {"cursor": "!!notacursor"}):
        response = api.get(key, "/jobs/localization", **bad)
        assert response.status_code == 422, bad
        assert response.json()["field"] == next(iter(bad))
    api.wait_group(key, groups[-1]["groupId"])
    for g in groups:
        api.wait_group(key, g["groupId"])
    completed = api.get(key, "/jobs/localization", status="completed", limit=100).json()["items"]
    assert len(completed) == 24 and all(i["status"] == "completed" for i in completed)
    assert api.get(key, "/jobs/localization", status="queued").json()["items"] == []
    engine_id = api.get(key, "/engines").json()["items"][0]["id"]
    by_engine = api.get(key, "/jobs/localization", engineId=engine_id, limit=100).json()["items"]
    assert len(by_engine) == 24
    assert api.get(key, "/jobs/localization", engineId="eng_other").json()["items"] == []


def test_other_organizations_ids_are_404(api: Api, key: str) -> None:
    mine = api.post(key, SEED_REQUEST).json()
    engine = api.get(key, "/engines").json()["items"][0]
    other = api.new_key()
    assert api.get(other, f"/jobs/localization/groups/{mine['groupId']}").status_code == 404
    assert api.get(other, f"/jobs/localization/{mine['jobs'][0]['id']}").status_code == 404
    assert api.get(other, "/jobs/localization").json()["items"] == []
    assert api.get(other, "/jobs/localization", engineId=engine["id"]).json()["items"] == []
    response = api.post(other, {**SEED_REQUEST, "engineId": engine["id"]})
    assert response.status_code == 404 and response.json()["field"] == "engineId"
    unknown = api.get(other, "/jobs/localization/groups/ljg_0000000000000000")
    assert unknown.status_code == 404
    assert api.get(
        other, f"/jobs/localization/groups/{mine['groupId']}"
    ).json() == unknown.json() | {
        "error": unknown.json()["error"].replace("ljg_0000000000000000", mine["groupId"])
    }


def test_engines_listing_and_creation(api: Api, key: str) -> None:
    items = api.get(key, "/engines").json()["items"]
    assert len(items) == 1 and items[0]["isDefault"] and items[0]["id"].startswith("eng_")
    bad = api.client.post(
        "/engines", json={"name": "x", "provider": "nope"}, headers={"X-API-Key": key}
    )
    assert bad.status_code == 422 and "apertium" in bad.json()["error"]
    made = api.client.post(
        "/engines",
        json={"name": "pseudo 2", "provider": "pseudo", "isDefault": True},
        headers={"X-API-Key": key},
    )
    assert made.status_code == 201
    listed = api.get(key, "/engines").json()["items"]
    assert [e["isDefault"] for e in listed] == [False, True]


def test_openapi_docs_and_health(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()
    assert "/jobs/localization" in spec["paths"]
    assert "/jobs/localization/groups/{groupId}" in spec["paths"]
    assert api.client.get("/docs").status_code == 200
    assert api.client.get("/healthz").json() == {"status": "ok"}
    assert api.client.get("/readyz").json()["status"] == "ready"
