"""The LanguageWire document API over HTTP on 127.0.0.1: OAuth2 client credentials, upload,
poll, download, limits, callbacks, retention and translationId replay (real server, real
workers, the pseudo engine; SQLite, and PostgreSQL when reachable)."""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook

from dragoman.core import oauth, orgs
from dragoman.delivery.webhooks.secrets import current_secret
from dragoman.settings import Settings
from dragoman.store.tables import oauth_clients
from dragoman.timefmt import utcnow
from dragoman.worker.retention import apply_retention
from tests.apptools import Api, running_api
from tests.webhook_receiver import https_receiver

TEXT = b"Welcome back.\n\nSave the file before you close the window.\n"
INFO_FIELDS = {
    "jobId", "source", "target", "successCallbackUrl", "errorCallbackUrl", "translationId",
    "status", "reason", "errorCode", "errorData", "wordCount",
}  # fmt: skip


@pytest.fixture
def make_api(database_url: str, settings_factory: Callable[..., Settings]) -> Callable[..., Any]:
    def make(**overrides: Any) -> Any:
        api_options = overrides.pop("_api", {})
        return running_api(settings_factory(database_url, **overrides), **api_options)

    return make


@pytest.fixture
def api(make_api: Callable[..., Any]) -> Iterator[Api]:
    with make_api() as running:
        yield running


def new_client(api: Api, org: str | None = None) -> tuple[str, str]:
    with api.services.db.write() as conn:
        organization = orgs.get_or_create_org(conn, org or f"lw-{time.perf_counter_ns()}")
        return oauth.create_client(conn, organization.id)


def token_for(api: Api, client: tuple[str, str]) -> str:
    got = api.client.post(
        "/oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client[0],
            "client_secret": client[1],
        },
    )
    assert got.status_code == 200, got.text
    return str(got.json()["access_token"])


def secret_of(api: Api, client_id: str) -> str:
    """The webhook signing secret of the client's organization."""
    with api.services.db.write() as conn:
        org_id = conn.execute(
            select(oauth_clients.c.org_id).where(oauth_clients.c.id == client_id)
        ).scalar_one()
        return current_secret(conn, org_id)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def upload(
    api: Api, token: str, name: str = "note.txt", data: bytes = TEXT, **fields: str
) -> httpx.Response:
    values = {"source": "en", "target": "es", **fields}
    return api.client.post(
        "/v2/documents/translate",
        files={"file": (name, data, "text/plain")},
        data=values,
        headers=bearer(token),
    )


def wait_final(api: Api, token: str, job_id: str, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        info = api.client.get(f"/v2/documents/{job_id}", headers=bearer(token)).json()
        if info["status"] in ("SUCCESS", "FAILED"):
            return info  # type: ignore[no-any-return]
        assert time.monotonic() < deadline, info
        time.sleep(0.05)


def test_token_by_form_fields_and_by_basic_auth(api: Api) -> None:
    client = new_client(api)
    by_form = api.client.post(
        "/oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client[0],
            "client_secret": client[1],
        },
    )
    assert by_form.status_code == 200
    body = by_form.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert by_form.headers["cache-control"] == "no-store"
    basic = base64.b64encode(f"{client[0]}:{client[1]}".encode()).decode()
    by_basic = api.client.post(
        "/oauth2/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert by_basic.status_code == 200
    assert by_basic.json()["access_token"] != body["access_token"]
    for token in (body["access_token"], by_basic.json()["access_token"]):
        got = api.client.get("/v2/documents/types", headers=bearer(token))
        assert got.status_code == 200, got.text


def test_token_refusals(api: Api) -> None:
    client_id, secret = new_client(api)
    wrong = api.client.post(
        "/oauth2/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": "x"},
    )
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "invalid_client" and wrong.json()["detail"]
    grant = api.client.post(
        "/oauth2/token",
        data={"grant_type": "password", "client_id": client_id, "client_secret": secret},
    )
    assert grant.status_code == 400 and grant.json()["error"] == "unsupported_grant_type"
    missing = api.client.post("/oauth2/token", data={"grant_type": "client_credentials"})
    assert missing.status_code == 401


def test_missing_malformed_and_api_key_tokens_are_401(api: Api) -> None:
    for headers in ({}, bearer("nonsense"), bearer(api.new_key()), bearer("dgt_" + "A" * 43)):
        got = api.client.get("/v2/documents/types", headers=headers)
        assert got.status_code == 401, (headers, got.text)
        assert isinstance(got.json()["detail"], str)
        assert got.headers["www-authenticate"].startswith("Bearer")


def test_expired_token_is_401(make_api: Callable[..., Any]) -> None:
    with make_api(oauth_token_seconds=1) as api:
        token = token_for(api, new_client(api))
        assert api.client.get("/v2/documents/types", headers=bearer(token)).status_code == 200
        time.sleep(1.2)
        got = api.client.get("/v2/documents/types", headers=bearer(token))
        assert got.status_code == 401 and "expired" in got.json()["detail"]


def test_revoked_client_tokens_are_401(api: Api) -> None:
    client = new_client(api)
    token = token_for(api, client)
    assert api.client.get("/v2/documents/types", headers=bearer(token)).status_code == 200
    with api.services.db.write() as conn:
        revoked = oauth.revoke_client(conn, client[0])
    orgs.announce_revoked(api.services.bus, revoked)  # what the CLI does after the commit
    got = api.client.get("/v2/documents/types", headers=bearer(token))
    assert got.status_code == 401
    again = api.client.post(
        "/oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client[0],
            "client_secret": client[1],
        },
    )
    assert again.status_code == 401


def test_translate_poll_download(api: Api) -> None:
    token = token_for(api, new_client(api))
    created = upload(api, token, "Release notes.txt")
    assert created.status_code == 201, created.text
    info = created.json()
    assert set(info) == INFO_FIELDS
    assert uuid.UUID(info["jobId"])
    assert (info["source"], info["target"], info["status"]) == ("en", "es", "CREATED")
    assert info["wordCount"] == 10
    assert info["translationId"] is None and info["successCallbackUrl"] is None
    final = wait_final(api, token, info["jobId"])
    assert final["status"] == "SUCCESS"
    assert final["reason"] is None and final["errorCode"] is None and final["errorData"] is None
    got = api.client.get(f"/v2/documents/{info['jobId']}/download", headers=bearer(token))
    assert got.status_code == 200
    assert got.headers["content-type"].startswith("text/plain")
    assert "Release notes.es.txt" in got.headers["content-disposition"].replace("%20", " ")
    assert got.content != TEXT and got.content.count(b"\n") == TEXT.count(b"\n")


def test_download_before_success_is_422_and_unknown_ids_404(make_api: Callable[..., Any]) -> None:
    with make_api(_api={"run_workers": False}) as api:
        token = token_for(api, new_client(api))
        job_id = upload(api, token).json()["jobId"]
        got = api.client.get(f"/v2/documents/{job_id}/download", headers=bearer(token))
        assert got.status_code == 422
        assert got.json()["detail"][0]["loc"] == ["path", "jobId"]
        assert "CREATED" in got.json()["detail"][0]["msg"]
        unknown = api.client.get(f"/v2/documents/{uuid.uuid4()}", headers=bearer(token))
        assert unknown.status_code == 404
        assert unknown.json() == {"detail": "The provided job ID does not exist"}
        bad = api.client.get("/v2/documents/not-a-uuid", headers=bearer(token))
        assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["path", "jobId"]
        other = token_for(api, new_client(api))
        assert api.client.get(f"/v2/documents/{job_id}", headers=bearer(other)).status_code == 404
        foreign = api.client.get(f"/v2/documents/{job_id}/download", headers=bearer(other))
        assert foreign.status_code == 404


def test_validation_errors_in_fastapi_shape(api: Api) -> None:
    token = token_for(api, new_client(api))
    missing = api.client.post(
        "/v2/documents/translate",
        files={"file": ("a.txt", TEXT, "text/plain")},
        data={"source": "en"},
        headers=bearer(token),
    )
    assert missing.status_code == 422
    assert missing.json()["detail"] == [
        {"loc": ["body", "target"], "msg": "Field required", "type": "missing"}
    ]
    json_file = upload(api, token, "en.json", b'{"a": "Hello"}')
    assert json_file.status_code == 422
    item = json_file.json()["detail"][0]
    assert item["loc"] == ["body", "file"] and "'json'" in item["msg"] and ".txt" in item["msg"]
    callback = upload(api, token, successCallbackUrl="http://example.com/hook")
    assert callback.status_code == 400 and "successCallbackUrl" in callback.json()["detail"]
    long_tag = upload(api, token, target="x" * 26)
    assert long_tag.status_code == 422 and long_tag.json()["detail"][0]["loc"] == ["body", "target"]


def test_file_over_the_limit_is_413(make_api: Callable[..., Any]) -> None:
    with make_api(max_upload_bytes=4096) as api:
        token = token_for(api, new_client(api))
        got = upload(api, token, data=b"word " * 2000)
        assert got.status_code == 413 and isinstance(got.json()["detail"], str)


def test_types_list_what_the_registry_serves(api: Api) -> None:
    token = token_for(api, new_client(api))
    types = api.client.get("/v2/documents/types", headers=bearer(token)).json()
    names = {t["type"] for t in types}
    assert "text" in names and "json" not in names and "po" not in names
    text = next(t for t in types if t["type"] == "text")
    assert ".txt" in text["extensions"] and "text/plain" in text["mediaTypes"]


def test_pairs_and_unsupported_pair_with_apertium(make_api: Callable[..., Any]) -> None:
    with make_api(default_engine_provider="apertium") as api:
        token = token_for(api, new_client(api))
        pairs = api.client.get("/v2/languages/document-translation", headers=bearer(token))
        assert pairs.status_code == 200
        assert {"source": "en", "target": "es"} in pairs.json()
        got = upload(api, token, target="ja")
        assert got.status_code == 422
        item = got.json()["detail"][0]
        assert item["loc"] == ["body", "target"] and "en -> ja" in item["msg"]


def test_word_cap_fails_the_job_and_calls_the_error_url(
    make_api: Callable[..., Any], tmp_path: Path
) -> None:
    with https_receiver(tmp_path) as receiver:
        hooks = {
            "webhook_allow_networks": ("127.0.0.0/8",),
            "webhook_ca_bundle": receiver.ca_path,
            "webhook_poll_interval_seconds": 0.2,
            "languagewire_max_words": 5,
        }
        with make_api(**hooks) as api:
            client = new_client(api)
            token = token_for(api, client)
            created = upload(
                api,
                token,
                successCallbackUrl=receiver.url("/ok"),
                errorCallbackUrl=receiver.url("/error"),
            )
            assert created.status_code == 201, created.text
            info = created.json()
            assert info["status"] == "FAILED"
            assert info["errorCode"] == "MAX_WORDS_EXCEEDED"
            assert info["errorData"] == {"maxAllowedWords": 5, "words": 10}
            assert "10 words" in info["reason"]
            (delivery,) = receiver.wait("/error", 1)
            assert delivery.json()["jobId"] == info["jobId"]
            assert delivery.json()["errorCode"] == "MAX_WORDS_EXCEEDED"
            Webhook(secret_of(api, client[0])).verify(delivery.body, delivery.headers)
            time.sleep(0.5)
            assert receiver.on("/ok") == []


def test_success_calls_the_success_url_signed(make_api: Callable[..., Any], tmp_path: Path) -> None:
    with https_receiver(tmp_path) as receiver:
        hooks = {
            "webhook_allow_networks": ("127.0.0.0/8",),
            "webhook_ca_bundle": receiver.ca_path,
            "webhook_poll_interval_seconds": 0.2,
        }
        with make_api(**hooks) as api:
            client = new_client(api)
            token = token_for(api, client)
            info = upload(
                api,
                token,
                successCallbackUrl=receiver.url("/ok"),
                errorCallbackUrl=receiver.url("/error"),
                translationId="order-7",
            ).json()
            (delivery,) = receiver.wait("/ok", 1)
            body = delivery.json()
            assert body["jobId"] == info["jobId"] and body["status"] == "SUCCESS"
            assert body["translationId"] == "order-7"
            assert body["successCallbackUrl"] == receiver.url("/ok")
            Webhook(secret_of(api, client[0])).verify(delivery.body, delivery.headers)
            assert receiver.on("/error") == []


def test_translation_id_with_the_same_file_returns_the_same_job(api: Api) -> None:
    token = token_for(api, new_client(api))
    first = upload(api, token, translationId="t-1")
    assert first.status_code == 201
    again = upload(api, token, translationId="t-1")
    assert again.status_code == 200
    assert again.json()["jobId"] == first.json()["jobId"]
    other_file = upload(api, token, data=b"Another text.\n", translationId="t-1")
    assert other_file.status_code == 201
    assert other_file.json()["jobId"] != first.json()["jobId"]
    assert other_file.json()["translationId"] == "t-1"
    no_id = upload(api, token)
    assert no_id.json()["jobId"] != first.json()["jobId"]


def test_retention_deletes_the_job_and_its_documents(make_api: Callable[..., Any]) -> None:
    with make_api(languagewire_retention_seconds=60) as api:
        token = token_for(api, new_client(api))
        job_id = upload(api, token).json()["jobId"]
        assert wait_final(api, token, job_id)["status"] == "SUCCESS"
        blobs = api.services.blobs
        assert blobs is not None
        org_keys = list(blobs.list_keys(""))
        assert len(org_keys) == 2  # the upload and its translation
        early = apply_retention(api.services.db, api.services.settings, blobs=blobs)
        assert early.groups == 0
        assert api.client.get(f"/v2/documents/{job_id}", headers=bearer(token)).status_code == 200
        later = utcnow() + timedelta(seconds=61)
        report = apply_retention(api.services.db, api.services.settings, later, blobs=blobs)
        assert report.groups == 1 and report.blobs == 2
        assert list(blobs.list_keys("")) == []
        for path in (f"/v2/documents/{job_id}", f"/v2/documents/{job_id}/download"):
            got = api.client.get(path, headers=bearer(token))
            assert got.status_code == 404, path


def test_polling_counts_against_the_rate_limit(make_api: Callable[..., Any]) -> None:
    with make_api(quota_requests_per_minute=3, _api={"run_workers": False}) as api:
        token = token_for(api, new_client(api))
        job_id = upload(api, token).json()["jobId"]
        answers = [
            api.client.get(f"/v2/documents/{job_id}", headers=bearer(token)) for _ in range(3)
        ]
        assert [a.status_code for a in answers[:2]] == [200, 200]
        assert answers[2].status_code == 429
        assert int(answers[2].headers["retry-after"]) >= 1
        assert isinstance(answers[2].json()["detail"], str)
