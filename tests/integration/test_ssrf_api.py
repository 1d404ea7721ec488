"""The SSRF guard through the API: at submission (400) and again at send time."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from dragoman.settings import Settings
from dragoman.store.tables import webhook_deliveries
from tests.apptools import running_api
from tests.integration.test_webhooks import wait_callback
from tests.webhook_receiver import Receiver, https_receiver

DATA = {"t": "Hello"}
REFUSED = [
    "http://example.com/hook", "https://127.0.0.1/hook", "https://localhost/hook",
    "https://169.254.169.254/latest", "https://10.1.2.3/", "https://100.64.1.1/",
    "https://[::ffff:127.0.0.1]/", "https://0.0.0.0/", "https://2130706433/",
    "https://0177.0.0.1/", "https://[::1]/",
]  # fmt: skip


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Receiver]:
    with https_receiver(tmp_path) as running:
        yield running


def test_refused_at_submission_and_in_settings(
    database_url: str, settings_factory: Callable[..., Settings]
) -> None:
    with running_api(settings_factory(database_url), run_workers=False) as api:
        key = api.new_key()
        for url in REFUSED:
            body = {"sourceLocale": "en", "targetLocales": ["de"], "data": DATA, "callbackUrl": url}
            response = api.post(key, body)
            assert response.status_code == 400, (url, response.text)
            assert response.json()["field"] == "callbackUrl"
            put = api.client.put("/organization/settings", json={"defaultCallbackUrl": url},
                                 headers={"X-API-Key": key})  # fmt: skip
            assert put.status_code == 400, (url, put.text)


def test_checked_again_at_send_time(
    database_url: str, settings_factory: Callable[..., Settings], receiver: Receiver
) -> None:
    """Accepted while the operator allowed 127.0.0.0/8; by the time it is sent the allow-list
    is gone (as a DNS answer can change): refused, the receiver never contacted."""
    common = {"webhook_ca_bundle": receiver.ca_path, "webhook_poll_interval_seconds": 0.2}
    allowing = settings_factory(database_url, webhook_allow_networks=("127.0.0.0/8",), **common)
    with running_api(allowing, run_workers=False) as api:
        key = api.new_key()
        body = {"sourceLocale": "en", "targetLocales": ["de"], "data": DATA,
                "callbackUrl": receiver.url("/private")}  # fmt: skip
        created = api.post(key, body).json()
    with running_api(settings_factory(database_url, **common)) as api:
        job_id = created["jobs"][0]["id"]
        wait_callback(api, key, job_id, "failed")
        with api.services.db.read() as conn:
            row = conn.execute(
                select(webhook_deliveries).where(webhook_deliveries.c.job_id == job_id)
            ).one()
        assert "not a public address" in row.last_error and row.attempts == 1
    assert receiver.on("/private") == []


def test_organization_default_callback_url(
    database_url: str, settings_factory: Callable[..., Settings], receiver: Receiver
) -> None:
    settings = settings_factory(database_url, webhook_allow_networks=("127.0.0.0/8",),
                                webhook_ca_bundle=receiver.ca_path)  # fmt: skip
    with running_api(settings) as api:
        org_name = f"default-callback-{id(api)}"
        key = api.new_key(org_name)
        headers = {"X-API-Key": key}
        put = api.client.put("/organization/settings",
                             json={"defaultCallbackUrl": receiver.url("/default")},
                             headers=headers)  # fmt: skip
        assert put.status_code == 200 and put.json()["defaultCallbackUrl"].endswith("/default")
        assert api.client.get("/organization/settings", headers=headers).json() == put.json()
        key = api.new_key(org_name)  # a fresh key: no cached view of the organization
        created = api.post(key, {"sourceLocale": "en", "targetLocales": ["de"], "data": DATA})
        wait_callback(api, key, created.json()["jobs"][0]["id"], "delivered")
        assert len(receiver.on("/default")) == 2  # the job and its group
