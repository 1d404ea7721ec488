"""A native job with a human engine, end to end on a real server: pre-translated by
Apertium, available, taken (one of two concurrent takers wins), edited, delivered, revised,
delivered again, approved with feedback; output and TM carry the human targets."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from dragoman.core import credits, translators
from dragoman.core.assets.tm import Segment, TranslationMemory, pair_of
from dragoman.core.assets.tm_index import for_database
from dragoman.core.assets.tm_index.base import Origin
from dragoman.core.orgs import get_or_create_org
from dragoman.core.review_sweep import approve_due
from dragoman.errors import InsufficientCreditsError
from dragoman.settings import Settings
from dragoman.store.review_tables import human_jobs
from dragoman.store.tables import events
from dragoman.timefmt import utcnow
from tests.apptools import Api, running_api

MODES = Path("/usr/share/apertium/modes")
DATA = {"title": "The house is big.", "greeting": "Hello {name}, you have new messages."}


def _require_apertium() -> None:
    if shutil.which("apertium") is None or not (MODES / "eng-spa.mode").exists():
        if os.environ.get("CI"):
            pytest.fail("Apertium with eng-spa is required under CI")
        pytest.skip("Apertium or its eng-spa pair is not installed")


@pytest.fixture
def api(database_url: str, settings_factory: Callable[..., Settings]) -> Iterator[Api]:
    _require_apertium()
    with running_api(settings_factory(database_url, default_engine_provider="apertium")) as run:
        yield run


def _setup(api: Api, org: str, *, auto_approve: bool = False) -> tuple[str, str]:
    """An API key and a human engine id (pre-translating with the default engine)."""
    key = api.new_key(org)
    body = {"name": "people", "provider": "human", "options": {"tier": "standard"}}
    if auto_approve:
        body["options"]["auto_approve"] = True  # type: ignore[index]
    made = api.client.post("/engines", json=body, headers={"X-API-Key": key})
    assert made.status_code == 201, made.text
    return key, made.json()["id"]


def _translator(api: Api, org: str, pairs: str = "en-es", tier: str = "standard") -> str:
    with api.services.db.write() as conn:
        org_id = get_or_create_org(conn, org).id
        return translators.create_translator(conn, org_id, "T", pairs, tier)[1]


def _submit(api: Api, key: str, engine: str) -> str:
    body = {"sourceLocale": "en", "targetLocales": ["es"], "data": DATA, "engineId": engine}
    sent = api.post(key, body)
    assert sent.status_code == 202, sent.text
    return str(sent.json()["jobs"][0]["id"])


def _wait_available(api: Api, tkey: str, job_id: str) -> None:
    import time

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        items = _tget(api, tkey, "/translator/v1/jobs", status="available").json()["items"]
        if any(i["id"] == job_id for i in items):
            return
        time.sleep(0.05)
    raise AssertionError("the job never became available")


def _tget(api: Api, tkey: str, path: str, **params: Any) -> Any:
    return api.client.get(path, params=params, headers={"X-API-Key": tkey})


def _tsend(api: Api, tkey: str, method: str, path: str, body: Any = None) -> Any:
    return api.client.request(method, path, json=body, headers={"X-API-Key": tkey})


def _review(api: Api, key: str, job_id: str) -> dict[str, Any]:
    got = api.get(key, f"/jobs/localization/{job_id}/review")
    assert got.status_code == 200, got.text
    return got.json()  # type: ignore[no-any-return]


def test_human_job_from_machine_draft_to_approved(api: Api) -> None:
    org = "acme"
    key, engine = _setup(api, org)
    alice, bob = _translator(api, org), _translator(api, org)
    job_id = _submit(api, key, engine)
    _wait_available(api, alice, job_id)
    listed = _tget(api, alice, "/translator/v1/jobs").json()["items"][0]
    assert listed["id"] == job_id and listed["unitCount"] == 9
    assert {"status", "sourceLocale", "targetLocale", "preview"} <= listed.keys()
    assert "house" in listed["preview"]

    # Two concurrent takers: exactly one wins, the other gets a 409 naming the state.
    answers: list[Any] = []
    barrier = threading.Barrier(2)

    def take(tkey: str) -> None:
        barrier.wait()
        answers.append(_tsend(api, tkey, "POST", f"/translator/v1/jobs/{job_id}/take"))

    threads = [threading.Thread(target=take, args=(k,)) for k in (alice, bob)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(a.status_code for a in answers)
    assert codes == [200, 409], [a.text for a in answers]
    loser = next(a for a in answers if a.status_code == 409)
    assert "in_progress" in loser.json()["error"]
    winner = (
        alice if _tget(api, alice, "/translator/v1/jobs", status="mine").json()["items"] else bob
    )
    other = bob if winner == alice else alice
    assert _tget(api, other, f"/translator/v1/jobs/{job_id}").status_code == 404

    detail = _tget(api, winner, f"/translator/v1/jobs/{job_id}").json()
    segments = {s["key"].rsplit(".", 1)[-1]: s for s in detail["segments"]}
    assert segments["title"]["machine"] and "casa" in segments["title"]["machine"].lower()
    assert segments["greeting"]["placeholders"] == ["{name}"]
    title, greeting = segments["title"]["id"], segments["greeting"]["id"]

    # Refused while a segment is empty or a placeholder is missing; nothing changes.
    seg = f"/translator/v1/jobs/{job_id}/segments"
    saved = _tsend(api, winner, "PUT", f"{seg}/{greeting}", {"target": "Hola, tienes mensajes."})
    assert saved.status_code == 200
    assert [w["code"] for w in saved.json()["qa"]] == ["placeholder_missing"]
    _tsend(api, winner, "PUT", f"{seg}/{title}", {"target": ""})
    refused = _tsend(api, winner, "POST", f"/translator/v1/jobs/{job_id}/deliver")
    assert refused.status_code == 422
    assert {p["code"] for p in refused.json()["problems"]} == {"empty", "placeholder_missing"}
    assert _review(api, key, job_id)["stage"] == "in_progress"
    # Another translator may not edit it; markup is stored as text.
    assert _tsend(api, other, "PUT", f"{seg}/{title}", {"target": "x"}).status_code == 404
    html = "<script>alert(1)</script> La casa es <b>grande</b>."
    assert _tsend(api, winner, "PUT", f"{seg}/{title}", {"target": html}).status_code == 200
    fixed = {"target": "Hola {name}, tienes mensajes nuevos."}
    assert _tsend(api, winner, "PUT", f"{seg}/{greeting}", fixed).status_code == 200
    delivered = _tsend(api, winner, "POST", f"/translator/v1/jobs/{job_id}/deliver")
    assert delivered.json()["status"] == "reviewable", delivered.text

    # Revise with a comment: back to the same translator; deliver again.
    revised = api.client.post(
        f"/jobs/localization/{job_id}/revise",
        json={"comment": "Title: <i>La casa es grande.</i>"},
        headers={"X-API-Key": key},
    )
    assert revised.json()["stage"] == "revising"
    mine = _tget(api, winner, "/translator/v1/jobs", status="mine").json()["items"]
    assert [j["id"] for j in mine] == [job_id]
    comments = _tget(api, winner, f"/translator/v1/jobs/{job_id}").json()["comments"]
    assert comments[-1]["body"] == "Title: <i>La casa es grande.</i>"
    _tsend(api, winner, "PUT", f"{seg}/{title}", {"target": "La casa es grande."})
    reply = _tsend(api, winner, "POST", f"/translator/v1/jobs/{job_id}/comments", {"body": "Done"})
    assert reply.status_code == 201
    assert _tsend(api, winner, "POST", f"/translator/v1/jobs/{job_id}/deliver").status_code == 200

    state = _review(api, key, job_id)
    assert [r["number"] for r in state["revisions"]] == [1, 2]
    assert state["revisions"][0]["targets"][str(title)] == html
    assert [c["author"] for c in state["comments"]] == ["customer", "translator"]

    approved = api.client.post(
        f"/jobs/localization/{job_id}/approve",
        json={"rating": 5, "feedback": "great"},
        headers={"X-API-Key": key},
    )
    assert approved.json()["stage"] == "completed"
    again = api.client.post(f"/jobs/localization/{job_id}/approve", headers={"X-API-Key": key})
    assert again.status_code == 409 and "completed" in again.json()["error"]
    job = api.get(key, f"/jobs/localization/{job_id}").json()
    assert job["status"] == "completed"
    assert job["outputData"] == {
        "title": "La casa es grande.",
        "greeting": "Hola {name}, tienes mensajes nuevos.",
    }
    assert _review(api, key, job_id)["feedback"] == {"rating": 5, "text": "great"}
    tm = TranslationMemory(for_database(api.services.db))
    with api.services.db.read() as conn:
        org_id = get_or_create_org(conn, org).id
        query = select(events.c.type).where(events.c.job_id == job_id).order_by(events.c.seq)
        types = [r.type for r in conn.execute(query)]
    match = tm.lookup(org_id, pair_of("en", "es"), [Segment("The house is big.")])[0]
    assert match is not None and match.target == "La casa es grande." and match.origin == "human"
    for kind in ("job.available", "job.in_progress", "job.reviewable", "job.revising",
                 "job.comment", "job.completed"):  # fmt: skip
        assert kind in types


def test_reject_requeues_and_the_sweeper_approves_when_review_time_is_up(api: Api) -> None:
    org = "globex"
    key, engine = _setup(api, org)
    alice, bob = _translator(api, org), _translator(api, org)
    job_id = _submit(api, key, engine)
    _wait_available(api, alice, job_id)
    assert _tsend(api, alice, "POST", f"/translator/v1/jobs/{job_id}/take").status_code == 200
    assert _tsend(api, alice, "POST", f"/translator/v1/jobs/{job_id}/deliver").status_code == 200
    rejected = api.client.post(
        f"/jobs/localization/{job_id}/reject",
        json={"followUp": "requeue"},
        headers={"X-API-Key": key},
    )
    assert rejected.json()["stage"] == "available"
    # Back for another translator: the rejected one neither sees nor takes it.
    assert _tget(api, alice, "/translator/v1/jobs").json()["items"] == []
    assert _tsend(api, alice, "POST", f"/translator/v1/jobs/{job_id}/take").status_code == 404
    assert _tsend(api, bob, "POST", f"/translator/v1/jobs/{job_id}/take").status_code == 200
    # Alice no longer holds it: she cannot see it, let alone deliver it.
    assert _tsend(api, alice, "POST", f"/translator/v1/jobs/{job_id}/deliver").status_code == 404
    assert _tsend(api, bob, "POST", f"/translator/v1/jobs/{job_id}/deliver").status_code == 200
    due = _review(api, key, job_id)["reviewDueAt"]
    assert due is not None  # 72 h from now by default
    assert approve_due(api.services.db) == []
    with api.services.db.write() as conn:  # as if 72 h had passed (the deadline is a column)
        conn.execute(
            update(human_jobs)
            .where(human_jobs.c.job_id == job_id)
            .values(review_due_at=utcnow() - timedelta(seconds=1))
        )
    assert approve_due(api.services.db) == [job_id]
    assert _review(api, key, job_id)["stage"] == "completed"


def test_other_pairs_tiers_and_organizations_see_nothing(api: Api) -> None:
    key, engine = _setup(api, "initech")
    own = _translator(api, "initech")
    job_id = _submit(api, key, engine)
    _wait_available(api, own, job_id)
    strangers = [
        _translator(api, "initech", pairs="en-fr"),
        _translator(api, "initech", tier="pro"),
        _translator(api, "umbrella"),
    ]
    for tkey in strangers:
        assert _tget(api, tkey, "/translator/v1/jobs").json()["items"] == []
        assert _tget(api, tkey, f"/translator/v1/jobs/{job_id}").status_code == 404
        assert _tsend(api, tkey, "POST", f"/translator/v1/jobs/{job_id}/take").status_code == 404
    other_key = api.new_key("umbrella")
    foreign = api.client.post(
        f"/jobs/localization/{job_id}/cancel", headers={"X-API-Key": other_key}
    )
    assert foreign.status_code == 404
    assert _tget(api, "dtr_nope", "/translator/v1/jobs").status_code == 401
    cancelled = api.client.post(f"/jobs/localization/{job_id}/cancel", headers={"X-API-Key": key})
    assert cancelled.json()["stage"] == "cancelled"
    assert _tget(api, own, "/translator/v1/jobs").json()["items"] == []


def test_balance_cannot_be_overdrawn(api: Api) -> None:
    with api.services.db.write() as conn:
        org_id = get_or_create_org(conn, "hooli").id
        credits.add_credits(conn, org_id, "1.00")
        credits.set_rate(conn, org_id, translators.Tier.PRO, "en", "es", "0.10")
        cost = credits.price(conn, org_id, translators.Tier.PRO, "en", "es", 8)
    assert cost.credits_micros == 800_000 and cost.eta_seconds > 0
    with api.services.db.write() as conn:
        credits.spend(conn, org_id, cost.credits_micros)
    with pytest.raises(InsufficientCreditsError), api.services.db.write() as conn:
        credits.spend(conn, org_id, cost.credits_micros)
    with api.services.db.read() as conn:
        assert credits.balance(conn, org_id).micros == 200_000


def test_the_memory_drafts_what_it_holds_and_the_engine_the_rest(api: Api) -> None:
    """A human job's draft takes the organization's exact TM matches before the engine."""
    key, engine = _setup(api, "drafted")
    tkey = _translator(api, "drafted")
    with api.services.db.write() as conn:
        org_id = get_or_create_org(conn, "drafted").id
    TranslationMemory(for_database(api.services.db)).record(
        org_id,
        pair_of("en", "es"),
        [(Segment("The house is big."), "La casona es enorme.")],
        Origin.HUMAN,
    )
    job_id = _submit(api, key, engine)
    _wait_available(api, tkey, job_id)
    assert _tsend(api, tkey, "POST", f"/translator/v1/jobs/{job_id}/take").status_code == 200
    detail = _tget(api, tkey, f"/translator/v1/jobs/{job_id}").json()
    segments = {s["key"].rsplit(".", 1)[-1]: s for s in detail["segments"]}
    assert segments["title"]["target"] == "La casona es enorme."  # from the memory
    assert "hola" in segments["greeting"]["target"].lower()  # from Apertium
