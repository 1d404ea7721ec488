"""Lingo24 callbacks and projects that must not lose anything: bodies frozen when the event
happened, `project.finished` committed with the last job's end (and recovered by the sweeper
when it was missed), analysis leases renewed, 3 attempts then a failed delivery visible in
the API, project price, plural file paths, cancelling, and a revoked token refused by another
process at once (real server, workers, HTTPS receiver on 127.0.0.1, SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select, update

from dragoman.core import quoting
from dragoman.core.analysis import Analysis
from dragoman.settings import Settings
from dragoman.store.project_tables import job_quotes, projects
from dragoman.store.tables import events, jobs
from dragoman.timefmt import utcnow
from dragoman.worker.pipeline import JobRunner
from dragoman.worker.quoting import Analyzer
from dragoman.worker.sweeper import Sweeper, due_jobs
from tests.apptools import Api, running_api
from tests.integration.test_lingo24_api import PO, bearer, client, tokens, wait_job
from tests.processes import RedisServer
from tests.webhook_receiver import Receiver, Reply, https_receiver


@pytest.fixture
def receiver(tmp_path: Any) -> Iterator[Receiver]:
    with https_receiver(tmp_path) as running:
        yield running


@pytest.fixture
def hooks(settings_factory: Callable[..., Settings], receiver: Receiver) -> Callable[..., Settings]:
    """Settings that let callbacks reach the receiver, quickly."""

    def make(database_url: str, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "webhook_allow_networks": ("127.0.0.0/8",),
            "webhook_ca_bundle": receiver.ca_path,
            "webhook_timeout_seconds": 2.0,
            "webhook_poll_interval_seconds": 0.2,
            **overrides,
        }
        return settings_factory(database_url, **values)

    return make


def new_job(
    api: Api, auth: dict[str, str], project_id: int, target: str = "es", **extra: Any
) -> dict[str, Any]:
    file = api.client.post("/file", json={"name": "app.po"}, headers=auth).json()
    assert api.client.put(f"/file/{file['id']}/content", content=PO, headers=auth).is_success
    made = api.client.post("/job", headers=auth, json={
        "projectId": project_id, "sourceFileId": file["id"], "sourceLocale": "en",
        "targetLocale": target, "serviceLevel": "MT", **extra})  # fmt: skip
    assert made.status_code == 200, made.text
    job: dict[str, Any] = made.json()
    return job


def new_project(api: Api, auth: dict[str, str], **fields: Any) -> dict[str, Any]:
    made = api.client.post("/project", json={"name": "P", **fields}, headers=auth)
    assert made.status_code == 200, made.text
    project: dict[str, Any] = made.json()
    return project


def core_job_id(api: Api, number: int) -> str:
    with api.services.db.read() as conn:
        return str(
            conn.execute(select(job_quotes.c.job_id).where(job_quotes.c.number == number)).scalar()
        )


def event_types(api: Api, org_id: str) -> list[str]:
    with api.services.db.read() as conn:
        rows = conn.execute(
            select(events.c.type).where(events.c.org_id == org_id).order_by(events.c.created_at)
        )
        return [r.type for r in rows]


def org_of(api: Api, project_number: int) -> str:
    with api.services.db.read() as conn:
        return str(
            conn.execute(select(projects.c.org_id).where(projects.c.number == project_number))
            .scalar()
        )  # fmt: skip


class HeldAnalysis:
    """Holds the worker's analysis until released: stands in for a file so large that its
    analysis outlasts a lease or a client's next request (minutes of real work otherwise)."""

    def __init__(self, analyzer: Analyzer, monkeypatch: pytest.MonkeyPatch) -> None:
        self.started = threading.Event()
        self.release = threading.Event()
        self.calls = 0
        real = analyzer._analyse

        def held(job: quoting.ClaimedAnalysis) -> Analysis:
            self.calls += 1
            self.started.set()
            self.release.wait(30)
            return real(job)

        monkeypatch.setattr(analyzer, "_analyse", held)


def test_a_quoted_callback_says_quoted_though_the_project_was_accepted_at_once(
    sqlite_url: str, hooks: Callable[..., Settings], receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    with running_api(hooks(sqlite_url)) as api:
        assert api.services.workers is not None
        held = HeldAnalysis(api.services.workers.analyzer, monkeypatch)
        auth = bearer(api)
        project = new_project(api, auth, projectCallbackUrl=receiver.url("/project"))
        job = new_job(api, auth, project["id"], jobCallbackUrl=receiver.url("/job"))
        assert held.started.wait(10)
        accepted = api.client.put(f"/project/{project['id']}",
                                  json={"projectStatus": "IN_PROGRESS"}, headers=auth)  # fmt: skip
        assert accepted.json()["projectStatus"] == "IN_PROGRESS"
        held.release.set()  # quoted and queued in one commit: never QUOTED when polled
        wait_job(api, auth, f"/job/{job['id']}", "TRANSLATED")
        quoted, translated = receiver.wait("/job", 2)
        (finished,) = receiver.wait("/project", 1)
    assert quoted.json()["jobStatus"] == "QUOTED" and quoted.json()["targetFileId"] is None
    assert quoted.json()["id"] == job["id"] and quoted.json()["projectId"] == project["id"]
    assert translated.json()["jobStatus"] == "TRANSLATED" and translated.json()["targetFileId"]
    assert finished.json()["projectStatus"] == "FINISHED"
    assert finished.json()["quoteExpires"] is None


def test_the_last_jobs_end_finishes_its_project_in_the_same_commit(
    database_url: str, settings_factory: Callable[..., Settings]
) -> None:
    settings = settings_factory(database_url)
    with running_api(settings, run_workers=False) as api:  # this test runs the job itself
        auth = bearer(api)
        project = new_project(api, auth)
        job = new_job(api, auth, project["id"])
        job_id = core_job_id(api, job["id"])
        services = api.services
        Analyzer(services.db, settings, "w1", blobs=services.blobs, bus=None,
                 redispatch=None).run(job_id)  # fmt: skip
        assert api.client.get(f"/job/{job['id']}", headers=auth).json()["jobStatus"] == "QUOTED"
        api.client.put(f"/project/{project['id']}", json={"projectStatus": "IN_PROGRESS"},
                       headers=auth)  # fmt: skip
        JobRunner(services.db, services.engines, settings, "w1", blobs=services.blobs).run(job_id)
        with services.db.read() as conn:
            finished_at = conn.execute(
                select(projects.c.finished_at).where(projects.c.number == project["id"])
            ).scalar()
            frozen = conn.execute(
                select(events.c.payload).where(events.c.type == "project.finished")
            ).scalar()
        assert finished_at is not None  # nothing but the job's own commit ran
        assert frozen["project"]["number"] == project["id"]
        assert event_types(api, org_of(api, project["id"])).count("project.finished") == 1


def test_the_sweeper_records_a_missed_project_finished_and_it_is_called_back(
    database_url: str, hooks: Callable[..., Settings], receiver: Receiver
) -> None:
    with running_api(hooks(database_url, sweep_interval_seconds=0.3)) as api:
        auth = bearer(api)
        project = new_project(api, auth, projectCallbackUrl=receiver.url("/project"))
        job = new_job(api, auth, project["id"], jobCallbackUrl=receiver.url("/job"))
        wait_job(api, auth, f"/job/{job['id']}", "QUOTED")
        job_id, now = core_job_id(api, job["id"]), utcnow()
        # What a process that died between a job's commit and its project's left behind.
        with api.services.db.write() as conn:
            conn.execute(
                update(projects).where(projects.c.number == project["id"])
                .values(authorized_at=now)
            )  # fmt: skip
            conn.execute(
                update(job_quotes).where(job_quotes.c.job_id == job_id).values(authorized_at=now)
            )
            conn.execute(
                update(jobs).where(jobs.c.id == job_id)
                .values(status="completed", completed_at=now)
            )  # fmt: skip
        (finished,) = receiver.wait("/project", 1, timeout=10)
        assert finished.json()["projectStatus"] == "FINISHED"
        assert finished.json()["id"] == project["id"]
        sweeper = Sweeper(api.services.db, api.services.dispatcher, api.services.settings)
        assert sweeper.settle_projects() == 0  # once only
        time.sleep(0.7)
        assert len(receiver.on("/project")) == 1
        assert event_types(api, org_of(api, project["id"])).count("project.finished") == 1


def test_an_analysis_longer_than_its_lease_keeps_it(
    sqlite_url: str, settings_factory: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    lease = 0.6
    settings = settings_factory(sqlite_url, lease_seconds=lease, sweep_interval_seconds=0.2)
    with running_api(settings) as api:
        assert api.services.workers is not None
        held = HeldAnalysis(api.services.workers.analyzer, monkeypatch)
        auth = bearer(api)
        project = new_project(api, auth)
        job = new_job(api, auth, project["id"])
        job_id = core_job_id(api, job["id"])
        assert held.started.wait(10)
        time.sleep(lease * 3)  # three leases long, renewed all along
        with api.services.db.write() as conn:
            row = conn.execute(select(jobs.c.status, jobs.c.lease_expires_at)
                               .where(jobs.c.id == job_id)).one()  # fmt: skip
            assert row.status == "analyzing" and row.lease_expires_at > utcnow()
            assert job_id not in {r.id for r in conn.execute(due_jobs(utcnow(), 60.0))}
            assert quoting.claim_analysis(conn, job_id, "another-worker", lease) is None
        held.release.set()
        wait_job(api, auth, f"/job/{job['id']}", "QUOTED")
        assert held.calls == 1  # never handed to a second analyser
        assert event_types(api, org_of(api, project["id"])).count("job.quoted") == 1


def test_three_attempts_then_failed_and_visible(
    sqlite_url: str, hooks: Callable[..., Settings], receiver: Receiver
) -> None:
    receiver.script["/job"] = [Reply(500)]
    settings = hooks(sqlite_url, lingo24_callback_retry_schedule=(0.3, 0.6))
    with running_api(settings) as api:
        auth = bearer(api)
        project = new_project(api, auth)
        job = new_job(api, auth, project["id"], jobCallbackUrl=receiver.url("/job"))
        wait_job(api, auth, f"/job/{job['id']}", "QUOTED")
        attempts = receiver.wait("/job", 3, timeout=10)
        deadline = time.monotonic() + 10
        while True:
            seen = api.client.get(f"/job/{job['id']}/callbacks", headers=auth).json()
            if (seen and seen[0]["status"] == "FAILED") or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        time.sleep(1.0)  # no fourth attempt
        assert len(receiver.on("/job")) == 3
        plural = api.client.get(f"/docs/v1/jobs/{job['id']}/callbacks", headers=auth).json()
        of_project = api.client.get(f"/project/{project['id']}/callbacks", headers=auth).json()
        shown = api.client.get(f"/job/{job['id']}", headers=auth).json()
    assert [a.headers["x-lingo24-attempt"] for a in attempts] == ["1", "2", "3"]
    assert {a.headers["webhook-id"] for a in attempts} == {attempts[0].headers["webhook-id"]}
    assert attempts[1].at - attempts[0].at >= 0.25 and attempts[2].at - attempts[0].at >= 0.55
    assert all(a.json()["jobStatus"] == "QUOTED" for a in attempts)
    (delivery,) = seen
    assert delivery == plural[0] == of_project[0]
    assert delivery["event"] == "job.quoted" and delivery["jobId"] == job["id"]
    assert delivery["status"] == "FAILED" and delivery["attempts"] == 3
    assert delivery["lastStatusCode"] == 500 and "500" in delivery["lastError"]
    assert shown["callbackStatus"] == "failed"


def test_project_price_plural_files_and_cancelling(
    sqlite_url: str, hooks: Callable[..., Settings], receiver: Receiver
) -> None:
    with running_api(hooks(sqlite_url)) as api:
        auth = bearer(api)
        project = new_project(api, auth, projectCallbackUrl=receiver.url("/project"))
        made = [
            new_job(api, auth, project["id"], target, jobCallbackUrl=receiver.url("/job"))
            for target in ("es", "ca")
        ]
        for job in made:
            wait_job(api, auth, f"/job/{job['id']}", "QUOTED")
        prices = [api.client.get(f"/job/{j['id']}/price", headers=auth).json() for j in made]
        total = api.client.get(f"/project/{project['id']}/price", headers=auth).json()
        plural = api.client.get(f"/docs/v1/projects/{project['id']}/price", headers=auth).json()
        assert total == plural and total["currencyCode"] == "EUR"
        for key in ("totalWoVatWDiscount", "totalWVatWDiscount", "totalWoVatWoDiscount",
                    "totalWVatWoDiscount"):  # fmt: skip
            expected = sum(Decimal(str(p[key])) for p in prices)
            assert Decimal(str(total[key])) == expected and expected > 0

        files = api.client.get(f"/docs/v1/projects/{project['id']}/files", headers=auth).json()
        assert {f["type"] for f in files["content"]} == {"TARGET"}
        assert files["page"]["totalElements"] == 2
        loose = api.client.post("/docs/v1/files", json={"name": "extra.po"}, headers=auth).json()
        linked = api.client.post(f"/docs/v1/projects/{project['id']}/files",
                                 json={"id": loose["id"]}, headers=auth)  # fmt: skip
        assert linked.status_code == 200 and linked.json()["id"] == loose["id"]
        files = api.client.get(f"/docs/v1/projects/{project['id']}/files", headers=auth).json()
        assert loose["id"] in [f["id"] for f in files["content"]]
        other = bearer(api)
        assert api.client.get(f"/docs/v1/projects/{project['id']}/files",
                              headers=other).status_code == 404  # fmt: skip

        receiver.wait("/job", 2)  # both quoted callbacks
        cancelled = api.client.put(f"/project/{project['id']}",
                                   json={"projectStatus": "CANCELLED"}, headers=auth)  # fmt: skip
        assert cancelled.json()["projectStatus"] == "CANCELLED"
        for job in made:
            assert api.client.get(f"/job/{job['id']}", headers=auth).json()["jobStatus"] == (
                "CANCELLED"
            )
        time.sleep(1.5)  # several sweeps and delivery polls
        assert len(receiver.on("/job")) == 2 and receiver.on("/project") == []
        owed = api.client.get(f"/project/{project['id']}/callbacks", headers=auth).json()
        assert sorted(d["event"] for d in owed) == ["job.quoted", "job.quoted"]
        again = api.client.put(f"/project/{project['id']}", json={"projectStatus": "IN_PROGRESS"},
                               headers=auth)  # fmt: skip
        assert again.status_code == 400 and "CANCELLED" in again.json()["message"]


@pytest.mark.redis
def test_a_token_revoked_in_one_process_is_refused_by_another_at_once(
    database_url: str, settings_factory: Callable[..., Settings], redis_server: RedisServer
) -> None:
    settings = settings_factory(database_url, event_bus_url=redis_server.url)
    with (
        running_api(settings, run_workers=False) as here,
        running_api(settings, run_workers=False) as there,
    ):
        deadline = time.monotonic() + 10
        while there.services.bus.generation is None:  # then its cache trusts entries 5 s
            assert time.monotonic() < deadline, "the bus never connected"
            time.sleep(0.02)
        cid, secret, _ = client(here, f"l24-revoke-{time.perf_counter_ns()}")
        first = tokens(here, cid, secret, grant_type="client_credentials").json()
        rotated = tokens(here, cid, secret, grant_type="refresh_token",
                         refresh_token=first["refresh_token"]).json()  # fmt: skip
        auth = {"Authorization": "Bearer " + rotated["access_token"]}
        assert there.client.get("/locale", headers=auth).status_code == 200  # cached there
        reused = tokens(here, cid, secret, grant_type="refresh_token",
                        refresh_token=first["refresh_token"])  # fmt: skip
        assert reused.status_code == 400  # a reuse: the whole family is revoked
        revoked_at = time.monotonic()
        while there.client.get("/locale", headers=auth).status_code != 401:
            # The cache there trusts an entry for 5 s while it follows the bus.
            assert time.monotonic() - revoked_at < 0.5, "still accepted over there"
            time.sleep(0.02)
        assert here.client.get("/locale", headers=auth).status_code == 401
