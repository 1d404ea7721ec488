"""Webhooks end to end: a real HTTPS receiver on 127.0.0.1, verified by `standardwebhooks`."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook

from dragoman.delivery.webhooks.secrets import current_secret
from dragoman.settings import Settings
from dragoman.store.tables import organizations, webhook_deliveries
from tests.apptools import Api, running_api
from tests.webhook_receiver import Received, Receiver, Reply, https_receiver

DATA = {"title": "Hello world", "steps": [{"body": "Saved files."}], "count": 3}


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Receiver]:
    with https_receiver(tmp_path) as running:
        yield running


@pytest.fixture
def hook_settings(
    database_url: str, settings_factory: Callable[..., Settings], receiver: Receiver
) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "webhook_allow_networks": ("127.0.0.0/8",),
            "webhook_ca_bundle": receiver.ca_path,
            "webhook_retry_schedule": (0.2, 0.4, 0.6),
            "webhook_timeout_seconds": 2.0,
            "webhook_poll_interval_seconds": 0.2,
        }
        values.update(overrides)
        return settings_factory(database_url, **values)

    return make


def org_secret(api: Api, key: str) -> str:
    with api.services.db.write() as conn:
        row = conn.execute(select(organizations.c.id).order_by(organizations.c.created_at.desc()))
        return current_secret(conn, row.first().id)  # type: ignore[union-attr]


def submit(api: Api, key: str, url: str, targets: list[str] | None = None) -> dict[str, Any]:
    body = {
        "sourceLocale": "en",
        "targetLocales": targets or ["de"],
        "data": DATA,
        "callbackUrl": url,
    }
    response = api.post(key, body)
    assert response.status_code == 202, response.text
    return response.json()  # type: ignore[no-any-return]


def test_deliveries_are_signed_and_carry_the_job(
    hook_settings: Callable[..., Settings], receiver: Receiver
) -> None:
    with running_api(hook_settings()) as api:
        key = api.new_key()
        secret = org_secret(api, key)
        created = submit(api, key, receiver.url("/hook"), ["de", "fr"])
        got = receiver.wait("/hook", 3)
        verifier = Webhook(secret)
        payloads = [verifier.verify(r.body, r.headers) for r in got]
        by_type: dict[str, list[dict[str, Any]]] = {}
        for payload in payloads:
            by_type.setdefault(payload["type"], []).append(payload["data"])
        assert len(by_type["job.completed"]) == 2
        assert by_type["group.completed"][0]["groupId"] == created["groupId"]
        assert by_type["group.completed"][0]["status"] == "completed"
        job = by_type["job.completed"][0]
        rest = api.get(key, f"/jobs/localization/{job['id']}").json()
        assert set(job) == set(rest)
        assert job["outputData"] == rest["outputData"]
        assert job["callbackStatus"] == "pending"  # as it was when the webhook was sent
        # The result is written once the receiver has answered: poll a moment for it.
        deadline = time.monotonic() + 5
        while rest["callbackStatus"] != "delivered" and time.monotonic() < deadline:
            time.sleep(0.02)
            rest = api.get(key, f"/jobs/localization/{job['id']}").json()
        assert rest["callbackStatus"] == "delivered"
        assert len({r.headers["webhook-id"] for r in got}) == 3


def test_failing_receiver_is_retried_with_the_same_id(
    hook_settings: Callable[..., Settings], receiver: Receiver
) -> None:
    receiver.script["/flaky"] = [Reply(500), Reply(503), Reply(200)]
    with running_api(hook_settings()) as api:
        key = api.new_key()
        secret = org_secret(api, key)
        created = submit(api, key, receiver.url("/flaky"))
        job_id = created["jobs"][0]["id"]
        api.wait_group(key, created["groupId"])
        wait_callback(api, key, job_id, "delivered")
        attempts = for_job(receiver.on("/flaky"), job_id)
        assert len(attempts) == 3  # k=2 failures, then success
        assert len({a.headers["webhook-id"] for a in attempts}) == 1
        assert len({a.body for a in attempts}) == 1
        for attempt in attempts:
            Webhook(secret).verify(attempt.body, attempt.headers)
        stamps = [int(a.headers["webhook-timestamp"]) for a in attempts]
        assert stamps == sorted(stamps)


def test_redirect_is_a_failure_and_never_followed(
    hook_settings: Callable[..., Settings], receiver: Receiver
) -> None:
    receiver.script["/moved"] = [Reply(302, {"location": receiver.url("/target")})]
    with running_api(hook_settings(webhook_retry_schedule=(0.1,))) as api:
        key = api.new_key()
        created = submit(api, key, receiver.url("/moved"))
        job_id = created["jobs"][0]["id"]
        wait_callback(api, key, job_id, "failed")
        assert receiver.on("/target") == []
        row = delivery_row(api, job_id)
        assert row.attempts == 2 and row.last_status_code == 302
        assert "redirect" in row.last_error


def test_exhausted_schedule_sets_callback_status_failed(
    hook_settings: Callable[..., Settings], receiver: Receiver
) -> None:
    receiver.script["/down"] = [Reply(500)]
    with running_api(hook_settings(webhook_retry_schedule=(0.1, 0.2))) as api:
        key = api.new_key()
        created = submit(api, key, receiver.url("/down"))
        job_id = created["jobs"][0]["id"]
        wait_callback(api, key, job_id, "failed")
        assert delivery_row(api, job_id).attempts == 3


def test_retry_after_is_honoured(
    hook_settings: Callable[..., Settings], receiver: Receiver
) -> None:
    receiver.script["/busy"] = [Reply(503, {"retry-after": "2"}), Reply(200)]
    with running_api(hook_settings(webhook_retry_schedule=(0.1,))) as api:
        key = api.new_key()
        created = submit(api, key, receiver.url("/busy"))
        wait_callback(api, key, created["jobs"][0]["id"], "delivered", timeout=20)
        first, second = for_job(receiver.on("/busy"), created["jobs"][0]["id"])[:2]
        assert second.at - first.at >= 1.8


def test_gone_stops_deliveries_to_that_url(
    hook_settings: Callable[..., Settings], receiver: Receiver
) -> None:
    receiver.script["/gone"] = [Reply(410)]
    with running_api(hook_settings(webhook_retry_schedule=(0.1, 0.2))) as api:
        key = api.new_key()
        created = submit(api, key, receiver.url("/gone"), ["de", "fr"])
        for job in created["jobs"]:
            wait_callback(api, key, job["id"], "failed")
        before = receiver.on("/gone")
        assert len({r.headers["webhook-id"] for r in before}) == len(before)  # never retried
        later = submit(api, key, receiver.url("/gone"))
        api.wait_group(key, later["groupId"])
        wait_callback(api, key, later["jobs"][0]["id"], "failed")
        assert "410" in delivery_row(api, later["jobs"][0]["id"]).last_error
        assert len(receiver.on("/gone")) == len(before)  # stopped: no attempt at all


def test_restart_between_attempts_loses_no_retry(
    hook_settings: Callable[..., Settings], receiver: Receiver
) -> None:
    receiver.script["/restart"] = [Reply(500), Reply(200)]
    settings = hook_settings(webhook_retry_schedule=(1.5,))
    with running_api(settings) as api:
        key = api.new_key()
        created = submit(api, key, receiver.url("/restart"))
        job_id = created["jobs"][0]["id"]
        receiver.wait("/restart", 2)  # the job's first attempt and the group's
    assert len(for_job(receiver.on("/restart"), job_id)) == 1
    with running_api(settings) as api:
        wait_callback(api, key, job_id, "delivered")
    attempts = for_job(receiver.on("/restart"), job_id)
    assert len(attempts) == 2
    assert attempts[0].headers["webhook-id"] == attempts[1].headers["webhook-id"]


def for_job(received: list[Received], job_id: str) -> list[Received]:
    return [
        r
        for r in received
        if r.json()["type"].startswith("job.") and r.json()["data"]["id"] == job_id
    ]


def wait_callback(api: Api, key: str, job_id: str, status: str, timeout: float = 15) -> None:
    import time

    deadline = time.monotonic() + timeout
    while True:
        job = api.get(key, f"/jobs/localization/{job_id}").json()
        if job["callbackStatus"] == status:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"callbackStatus {job['callbackStatus']!r}, wanted {status!r}")
        time.sleep(0.05)


def delivery_row(api: Api, job_id: str) -> Any:
    with api.services.db.read() as conn:
        return conn.execute(
            select(webhook_deliveries).where(webhook_deliveries.c.job_id == job_id)
        ).one()


def test_large_output_is_sent_as_a_reference_with_a_fetch_url(
    hook_settings: Callable[..., Settings], receiver: Receiver
) -> None:
    settings = hook_settings(webhook_max_payload_bytes=1024, public_url="https://dragoman.example")
    with running_api(settings) as api:
        key = api.new_key()
        body = {
            "sourceLocale": "en",
            "targetLocales": ["de"],
            "data": {f"k{i}": f"Sentence number {i} is long enough." for i in range(100)},
            "callbackUrl": receiver.url("/big"),
        }
        created = api.post(key, body).json()
        got = receiver.wait("/big", 2)
        payloads = [Webhook(org_secret(api, key)).verify(r.body, r.headers) for r in got]
    job = next(p["data"] for p in payloads if p["type"] == "job.completed")
    assert all(len(r.body) <= 1024 for r in got)
    assert job["outputOmitted"] is True and "outputData" not in job
    job_id = created["jobs"][0]["id"]
    assert job["id"] == job_id and job["status"] == "completed"
    assert job["outputUrl"] == f"https://dragoman.example/jobs/localization/{job_id}"
