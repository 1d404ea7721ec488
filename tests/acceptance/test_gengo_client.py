"""Gengo's official Python client (PyPI `gengo` 1.0.0) against a real `dragoman serve` with
Apertium drafting: keys from the CLI, an order, a translator working the job through the
translator REST API (take, deliver, revise, deliver again), approval, and Gengo's
form-encoded callbacks received by a real HTTPS receiver on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from tests.acceptance.serverproc import ServerProcess, cli, server_env
from tests.webhook_receiver import Receiver, Reply, https_receiver

ORG = "gengo-acceptance"
MODES = Path("/usr/share/apertium/modes")


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Receiver]:
    with https_receiver(tmp_path) as running:
        yield running


@pytest.fixture
def served(tmp_path: Path, receiver: Receiver) -> Iterator[tuple[str, str, str, str]]:
    """(base URL, public key, private key, translator key) of a served organization."""
    if shutil.which("apertium") is None or not (MODES / "eng-spa.mode").exists():
        pytest.skip("Apertium with eng-spa is required")
    env = server_env(
        tmp_path / "data",
        DRAGOMAN_DEFAULT_ENGINE_PROVIDER="apertium",
        DRAGOMAN_WEBHOOK_ALLOW_NETWORKS="127.0.0.0/8",
        DRAGOMAN_WEBHOOK_CA_BUNDLE=str(receiver.ca_path),
        DRAGOMAN_WEBHOOK_POLL_INTERVAL_SECONDS="0.2",
        DRAGOMAN_GENGO_CALLBACK_RETRY_SCHEDULE="0.3,1",
    )
    keys = cli(env, "gengo-keys", "create", "--org", ORG)
    assert keys.returncode == 0, keys.stderr
    public, private = keys.stdout.strip().splitlines()[-1].split(" ")
    person = cli(env, "translators", "create", "--org", ORG, "--name", "Ana", "--pairs", "en-es")
    assert person.returncode == 0, person.stderr
    funded = cli(env, "balance", "add", "--org", ORG, "--amount", "20")
    assert funded.returncode == 0, funded.stderr
    process = ServerProcess(env, tmp_path / "server.log").start()
    yield process.base, public, private, person.stdout.strip().splitlines()[-1]
    process.stop()


def _client(base: str, public: str, private: str) -> Any:
    with warnings.catch_warnings():  # the 2015 module's regex literals warn when compiled
        warnings.simplefilter("ignore")
        from gengo import Gengo
    return Gengo(public_key=public, private_key=private, api_url=base + "/{version}")


def _callbacks(receiver: Receiver, path: str) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for got in receiver.on(path):
        form = parse_qs(got.body.decode())
        assert got.headers["content-type"] == "application/x-www-form-urlencoded"
        for field in ("job", "comment"):
            if field in form:
                found.append((field, json.loads(form[field][0])))
    return found


def _wait_status(receiver: Receiver, path: str, status: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(f == "job" and p["status"] == status for f, p in _callbacks(receiver, path)):
            return
        time.sleep(0.1)
    raise AssertionError(f"no {status} callback: {_callbacks(receiver, path)}")


def _work(http: httpx.Client, tkey: str, job_id: str, text: str) -> None:
    headers = {"X-API-Key": tkey}
    detail = http.get(f"/translator/v1/jobs/{job_id}", headers=headers).json()
    for segment in detail["segments"]:
        put = http.put(f"/translator/v1/jobs/{job_id}/segments/{segment['id']}",
                       json={"target": text}, headers=headers)  # fmt: skip
        assert put.status_code == 200, put.text
    delivered = http.post(f"/translator/v1/jobs/{job_id}/deliver", headers=headers)
    assert delivered.status_code == 200, delivered.text


def test_official_client_orders_reviews_and_gets_callbacks(
    served: tuple[str, str, str, str], receiver: Receiver
) -> None:
    base, public, private, tkey = served
    gengo = _client(base, public, private)
    path = "/gengo/callbacks"
    receiver.script[path] = [Reply(status=503), Reply()]  # the first attempt is retried
    order = gengo.postTranslationJobs(jobs={
        "jobs": {"job_1": {"type": "text", "slug": "greeting", "body_src": "The house is big.",
                           "lc_src": "en", "lc_tgt": "es", "tier": "standard",
                           "custom_data": "ref-42", "callback_url": receiver.url(path)}},
        "comment": "Our home page.",
    })["response"]  # fmt: skip
    assert order["job_count"] == 1 and order["credits_used"] > 0
    balance = gengo.getAccountBalance()["response"]
    assert balance["credits"] == pytest.approx(20 - order["credits_used"])

    # Apertium drafts it; the translator sees it available, with the machine suggestion.
    _wait_status(receiver, path, "available")
    http = httpx.Client(base_url=base, timeout=30)
    try:
        _review(gengo, http, receiver, tkey, path, int(order["order_id"]))
    finally:
        http.close()
    # Errors come back as GengoError with Gengo's codes.
    from gengo import GengoAuthError, GengoError

    with pytest.raises(GengoError) as missing:
        gengo.getTranslationJob(id=99_999)
    assert missing.value.error_code == 2100
    with pytest.raises(GengoAuthError):
        _client(base, public, "wrong").getAccountBalance()


def _review(
    gengo: Any, http: httpx.Client, receiver: Receiver, tkey: str, path: str, order_id: int
) -> None:
    """The translator works the job; the customer revises, then approves."""
    listed = http.get("/translator/v1/jobs", headers={"X-API-Key": tkey}).json()["items"]
    core_id = listed[0]["id"]
    detail = http.get(f"/translator/v1/jobs/{core_id}", headers={"X-API-Key": tkey}).json()
    assert "casa" in detail["segments"][0]["machine"].lower()
    assert detail["comment"] == "Our home page."
    order_view = gengo.getTranslationOrderJobs(id=order_id)["response"]["order"]
    number = int(order_view["jobs_available"][0])
    job = gengo.getTranslationJob(id=number)["response"]["job"]
    assert job["status"] == "available" and job["custom_data"] == "ref-42"

    taken = http.post(f"/translator/v1/jobs/{core_id}/take", headers={"X-API-Key": tkey})
    assert taken.status_code == 200, taken.text
    _wait_status(receiver, path, "pending")
    _work(http, tkey, core_id, "La casa es grande.")
    _wait_status(receiver, path, "reviewable")
    job = gengo.getTranslationJob(id=number)["response"]["job"]
    assert job["status"] == "reviewable" and job["body_tgt"] == "La casa es grande."

    # A translator's comment is called back in the `comment` field.
    said = http.post(f"/translator/v1/jobs/{core_id}/comments", json={"body": "Done!"},
                     headers={"X-API-Key": tkey})  # fmt: skip
    assert said.status_code == 201, said.text
    gengo.updateTranslationJob(id=number, action={"action": "revise", "comment": "Enorme."})
    _wait_status(receiver, path, "revising")
    _work(http, tkey, core_id, "La casa es enorme.")
    revisions = gengo.getTranslationJobRevisions(id=number)["response"]["revisions"]
    assert len(revisions) == 2
    gengo.updateTranslationJob(id=number, action={"action": "approve", "rating": 5,
                                                  "for_translator": "Thanks"})  # fmt: skip
    _wait_status(receiver, path, "approved")
    job = gengo.getTranslationJob(id=number)["response"]["job"]
    assert job["status"] == "approved" and job["body_tgt"] == "La casa es enorme."
    thread = gengo.getTranslationJobComments(id=number)["response"]["thread"]
    assert [c["author"] for c in thread] == ["translator", "customer"]
    assert gengo.getTranslationJobFeedback(id=number)["response"]["feedback"]["rating"] == "5.0"

    # Every callback was answered 503 once and sent again (7 callbacks, 14 requests).
    receiver.wait(path, 14, timeout=30)
    comments = [p for f, p in _callbacks(receiver, path) if f == "comment"]
    assert comments[0] == {"job_id": str(number), "body": "Done!", "ctime": comments[0]["ctime"],
                           "custom_data": "ref-42"} and comments[1] == comments[0]  # fmt: skip
    statuses = [p["status"] for f, p in _callbacks(receiver, path) if f == "job"]
    expected = {"available": 1, "pending": 1, "reviewable": 2, "revising": 1, "approved": 1}
    assert {s: statuses.count(s) for s in set(statuses)} == {
        s: 2 * n for s, n in expected.items()
    }, statuses
