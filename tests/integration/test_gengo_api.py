"""The Gengo API on a real server (SQLite; the pseudo engine drafts): signed requests and
their refusals, every endpoint, errors in Gengo's envelope, duplicates, bodies served from
the TM, balance, isolation between organizations and illegal moves."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from sqlalchemy import func, select, update

from dragoman.settings import Settings
from dragoman.store.gengo_tables import gengo_jobs
from dragoman.store.tables import jobs, webhook_deliveries
from dragoman.timefmt import utcnow
from tests.apptools import Api, running_api
from tests.integration.gengo_helpers import (
    Signer,
    core_job,
    gengo_org,
    text_job,
    translate,
    wait_for,
)
from tests.webhook_receiver import https_receiver


@pytest.fixture
def api(sqlite_url: str, settings_factory: Callable[..., Settings]) -> Iterator[Api]:
    with running_api(settings_factory(sqlite_url, max_request_bytes=64 * 1024)) as run:
        yield run


@pytest.fixture
def api_any(database_url: str, settings_factory: Callable[..., Settings]) -> Iterator[Api]:
    """SQLite, and PostgreSQL when reachable."""
    with running_api(settings_factory(database_url)) as run:
        yield run


def _signer(api: Api, org: str = "acme", **kwargs: str) -> tuple[Signer, str]:
    public, private, tkey = gengo_org(api.services, org, **kwargs)
    return Signer(api.client, public, private), tkey


def _order(
    signer: Signer, *jobs: dict[str, object], age: int = 0, **extra: object
) -> dict[str, object]:
    """Order `jobs`, signed `age` seconds ago (the same order twice in one second would be a
    replay)."""
    data = {"jobs": {f"job_{i}": j for i, j in enumerate(jobs, 1)}, **extra}
    answer = signer.send("POST", "/translate/jobs", data, auth=signer.auth(int(time.time()) - age))
    assert answer["opstat"] == "ok", answer
    return answer["response"]  # type: ignore[no-any-return]


def _job(signer: Signer, number: object) -> dict[str, object]:
    answer = signer.get(f"/translate/job/{number}")
    assert answer["opstat"] == "ok", answer
    return answer["response"]["job"]  # type: ignore[no-any-return]


def _status(signer: Signer, number: object, wanted: str) -> dict[str, object]:
    return wait_for(  # type: ignore[no-any-return]
        lambda: (job := _job(signer, number))["status"] == wanted and job,
        what=f"job {number} {wanted}",
    )


def _count(api: Api, table: object) -> int:
    with api.services.db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_signatures_timestamps_and_replays_are_refused(api: Api) -> None:
    signer, _ = _signer(api)
    good = signer.auth()
    assert signer.get("/account/balance", auth=good)["opstat"] == "ok"
    for auth, code, words in (
        ({**good, "api_sig": "0" * 40}, 1000, "api_sig"),
        (signer.auth(ts=int(time.time()) - 301), 1000, "300 seconds"),
        (signer.auth(ts=int(time.time()) + 400), 1000, "300 seconds"),
        ({**good, "api_key": "gpk_nobody"}, 1000, "api_key"),
        ({k: v for k, v in good.items() if k != "api_sig"}, 1100, "api_sig"),
        ({k: v for k, v in good.items() if k != "api_key"}, 1150, "api_key"),
        ({**good, "ts": "soon"}, 1201, "numeric"),
    ):
        answer = signer.get("/account/balance", auth=auth)
        assert answer["opstat"] == "error" and answer["err"]["code"] == code, (auth, answer)
        assert words in answer["err"]["msg"]
    # A signed order sent twice: the second is a replay, and nothing more is created.
    auth = signer.auth()
    data = {"jobs": {"job_1": text_job("Replay me.")}}
    first = signer.send("POST", "/translate/jobs", data, auth=auth)
    assert first["opstat"] == "ok", first
    again = signer.send("POST", "/translate/jobs", data, auth=auth)
    assert again["err"]["code"] == 1000 and "replay" in again["err"]["msg"]
    assert _count(api, gengo_jobs) == 1
    # GET values arrive percent-encoded twice and are decoded twice ("10" sent as
    # `%2531%2530`, each character encoded, then the whole encoded again).
    query = "&".join(f"{k}={v}" for k, v in signer.auth().items())
    listed = signer.client.get(f"/v2/translate/jobs?timestamp_after=%2531%2530&{query}").json()
    assert listed["opstat"] == "ok" and len(listed["response"]) == 1, listed


def test_order_review_and_every_job_endpoint(api_any: Api) -> None:
    api = api_any
    signer, tkey = _signer(api)
    url = "https://93.184.216.34/brief.png"  # a public address: no DNS needed here
    made = _order(
        signer,
        text_job("The house is big.", custom_data="mine", position=2, max_chars=40,
                 comment="Keep it short.", purpose="Business", tone="Formal",
                 attachments=[{"url": url, "filename": "brief.png", "mime_type": "image/png"}]),
        text_job("Hello {name}, welcome.", position=1, services=["translation", "edit"]),
        comment="For the website.",
    )  # fmt: skip
    assert made["job_count"] == 2 and made["currency"] == "USD"
    # {name} is no word; the edit pass costs half the rate on top (credits.EDIT_PERCENT).
    assert made["credits_used"] == pytest.approx(0.06 * 4 + 0.06 * 2 * 1.5)
    balance = signer.get("/account/balance")["response"]
    assert balance["credits"] == pytest.approx(100 - 0.42)
    order = signer.get(f"/translate/order/{made['order_id']}")["response"]["order"]
    assert order["total_jobs"] == 2 and order["total_units"] == 6 and order["as_group"] == 0
    numbers = [int(n) for name in ("jobs_queued", "jobs_available") for n in order[name]]
    assert len(numbers) == 2
    first, second = sorted(numbers)
    job = _status(signer, first, "available")
    # `position` ordered the group: the job at position 1 got the first id.
    assert job["body_src"] == "Hello {name}, welcome." and job["services"] == [
        "translation",
        "edit",
    ]
    other = _status(signer, second, "available")
    assert other["custom_data"] == "mine" and other["max_chars"] == 40 and other["position"] == 2
    assert other["comment"] == "For the website.\n\nKeep it short."
    assert other["body_tgt"] == "" and other["unit_count"] == 4 and other["tier"] == "standard"
    assert isinstance(other["ctime"], str) and other["auto_approve"] == 0
    drafted = signer.get(f"/translate/job/{second}", pre_mt=1)["response"]["job"]
    assert drafted["body_tgt"] and drafted["mt"] == 1  # the machine draft, on request
    batch = signer.get(f"/translate/jobs/{first},{second},999")["response"]["jobs"]
    assert [j["job_id"] for j in batch] == [first, second]
    listed = signer.get("/translate/jobs", status="available", count=5)["response"]
    assert {j["job_id"] for j in listed} == {first, second}
    assert signer.get("/translate/jobs", status="approved")["response"] == []

    # The translator delivers; the customer asks for a revision, then approves.
    core_id = core_job(api.services, second)
    translate(api.client, tkey, core_id, "La casa es grande.")
    reviewable = _status(signer, second, "reviewable")
    assert reviewable["body_tgt"] == "La casa es grande."
    revise = {"action": "revise", "comment": "Use 'enorme'."}
    assert signer.send("PUT", f"/translate/job/{second}", revise)["opstat"] == "ok"
    _status(signer, second, "revising")
    translate(api.client, tkey, core_id, "La casa es enorme.")
    _status(signer, second, "reviewable")
    revisions = signer.get(f"/translate/job/{second}/revisions")["response"]["revisions"]
    assert [r["rev_id"] for r in revisions] == [1, 2]
    first_rev = signer.get(f"/translate/job/{second}/revision/1")["response"]["revision"]
    assert first_rev["body_tgt"] == "La casa es grande."
    approve = {"action": "approve", "rating": 5, "for_translator": "Great."}
    assert signer.send("PUT", f"/translate/job/{second}", approve)["opstat"] == "ok"
    approved = _job(signer, second)
    assert approved["status"] == "approved" and approved["body_tgt"] == "La casa es enorme."
    feedback = signer.get(f"/translate/job/{second}/feedback")["response"]["feedback"]
    assert feedback == {"rating": "5.0", "for_translator": "Great."}
    comments = signer.get(f"/translate/job/{second}/comments")["response"]["thread"]
    assert [c["author"] for c in comments] == ["customer"] and "enorme" in comments[0]["body"]
    assert signer.send("POST", f"/translate/job/{second}/comment",
                       {"body": "Thanks!"})["opstat"] == "ok"  # fmt: skip
    assert len(signer.get(f"/translate/job/{second}/comments")["response"]["thread"]) == 2
    stats = signer.get("/account/stats")["response"]
    assert stats["credits_spent"] == pytest.approx(0.42) and stats["user_since"]
    assert signer.get("/account/me")["response"]["display_name"] == "acme"

    # Cancel the other (available) job: refunded; cancelling it again is illegal.
    assert signer.send("DELETE", f"/translate/job/{first}")["opstat"] == "ok"
    assert _job(signer, first)["status"] == "cancelled"
    assert signer.get("/account/balance")["response"]["credits"] == pytest.approx(100 - 0.24)
    again = signer.send("DELETE", f"/translate/job/{first}", auth=signer.auth(int(time.time()) - 2))
    assert again["err"]["code"] == 2252  # signed anew: the same request in one second is a replay


def test_reject_bulk_approve_and_order_cancel(api: Api) -> None:
    signer, tkey = _signer(api)
    made = _order(signer, text_job("One."), text_job("Two."), text_job("Three."))
    order = signer.get(f"/translate/order/{made['order_id']}")["response"]["order"]
    numbers = sorted(int(n) for k, v in order.items() if k.startswith("jobs_") for n in v)
    for n in numbers[:2]:
        _status(signer, n, "available")
        translate(api.client, tkey, core_job(api.services, n), "Hecho.")
        _status(signer, n, "reviewable")
    reject = {"action": "reject", "reason": "quality", "comment": "Wrong.", "follow_up": "cancel"}
    assert signer.send("PUT", f"/translate/job/{numbers[0]}", reject)["opstat"] == "ok"
    assert _job(signer, numbers[0])["status"] == "rejected"
    assert [j["job_id"] for j in signer.get("/translate/jobs", status="rejected")["response"]] == [
        numbers[0]
    ]
    # Bulk approve: one job not reviewable refuses the whole call, keyed by job.
    bulk = {"action": "approve", "job_ids": [numbers[1], numbers[2]]}
    refused = signer.send("PUT", "/translate/jobs", bulk)
    assert refused["opstat"] == "error" and refused["err"][f"job_{numbers[2]}"][0]["code"] == 2250
    assert _job(signer, numbers[1])["status"] == "reviewable"
    bulk = {"action": "approve", "job_ids": [{"job_id": numbers[1], "rating": 4}]}
    assert signer.send("PUT", "/translate/jobs", bulk)["opstat"] == "ok"
    assert _job(signer, numbers[1])["status"] == "approved"
    _status(signer, numbers[2], "available")
    assert signer.send("DELETE", f"/translate/order/{made['order_id']}")["opstat"] == "ok"
    assert _job(signer, numbers[2])["status"] == "cancelled"


def test_duplicates_and_bodies_served_from_the_memory(api: Api) -> None:
    signer, tkey = _signer(api)
    first = _order(signer, text_job("Good morning."))
    number = next(iter(signer.get("/translate/jobs")["response"]))["job_id"]
    # The same body, pair and tier within 5 minutes: the existing job, at no cost.
    dup = _order(signer, text_job("Good morning."), text_job("Good morning."))
    assert dup["credits_used"] == 0 and dup["jobs"]["job_1"][0]["job_id"] == number
    assert dup["order_id"] != first["order_id"] and _count(api, gengo_jobs) == 1
    forced = _order(signer, text_job("Good morning.", force=1))
    assert _order(signer, text_job("Good morning."), age=10)["credits_used"] == 0
    assert forced["credits_used"] > 0 and _count(api, gengo_jobs) == 2
    _status(signer, number, "available")
    translate(api.client, tkey, core_job(api.services, number), "Buenos días.")
    _status(signer, number, "reviewable")
    assert signer.send("PUT", f"/translate/job/{number}", {"action": "approve"})["opstat"] == "ok"
    with api.services.db.write() as conn:  # both earlier jobs: out of the duplicate window
        conn.execute(update(gengo_jobs).values(created_at=utcnow() - timedelta(minutes=6)))
    balance = signer.get("/account/balance")["response"]["credits"]
    served = _order(signer, text_job("Good morning."), age=20)
    assert served["credits_used"] == 0
    job = served["jobs"]["job_1"][0]
    assert job["status"] == "approved" and job["body_tgt"] == "Buenos días."
    assert signer.get("/account/balance")["response"]["credits"] == balance
    fresh = _order(signer, text_job("Good morning.", force=1), age=30)
    assert fresh["credits_used"] > 0 and "jobs" not in fresh


def test_bad_input_is_refused_in_the_envelope_and_changes_nothing(api: Api) -> None:
    signer, _ = _signer(api, balance="0.10")
    before = _count(api, jobs)
    cases = [
        ({"job_1": {**text_job("x"), "body_src": ""}}, "job_1", 1350),
        ({"job_1": {k: v for k, v in text_job("x").items() if k != "slug"}}, "job_1", 1350),
        ({"job_1": text_job("x", custom_data="é" * 600)}, "job_1", 1751),
        ({"job_1": text_job("x", max_chars=0)}, "job_1", 1251),
        ({"job_1": text_job("x", tier="ultra")}, "job_1", 1304),
        ({"job_1": text_job("x", lc_tgt="fr")}, "job_1", 1551),
        ({"job_1": text_job("x", callback_url="http://example.com/cb")}, "job_1", 1601),
        ({"job_1": text_job("x", attachments=[{"url": "http://127.0.0.1/a.png"}])}, "job_1", 1251),
        ({"job_1": text_job("x", attachments=[{"url": "ftp://example.com/a"}])}, "job_1", 1251),
        ({"job_1": text_job("<script>alert(1)</script>")}, "job_1", 1350),
        ({"job_1": text_job("x", auto_approve=7)}, "job_1", 1651),
        ({"job_1": text_job("x", services=["proofread"])}, "job_1", 1251),
        ({"job_1": text_job("x", type="file")}, "job_1", 1302),
        ({"job_1": text_job("x", type="file", identifier="nope")}, "job_1", 1302),
        ({"job_1": text_job("x", type="video")}, "job_1", 1301),
    ]
    for jobs_, key, code in cases:
        answer = signer.send("POST", "/translate/jobs", {"jobs": jobs_})
        assert answer["opstat"] == "error", (jobs_, answer)
        assert answer["err"][key][0]["code"] == code, (jobs_, answer)
    assert signer.send("POST", "/translate/jobs", {"nothing": 1})["err"]["code"] == 1800
    raw = signer.client.post("/v2/translate/jobs", data={**signer.auth(), "data": "{oops"})
    assert raw.json()["err"]["code"] == 1251
    assert signer.send("POST", "/translate/jobs")["err"]["code"] == 1250
    # Too many credits: 2700, nothing created or spent.
    poor = signer.send("POST", "/translate/jobs", {"jobs": {"job_1": text_job("a b c d e f")}})
    assert poor["err"]["code"] == 2700, poor
    assert _count(api, jobs) == before and _count(api, gengo_jobs) == 0
    assert signer.get("/account/balance")["response"]["credits"] == pytest.approx(0.10)
    # An oversized body: 413 in the envelope.
    big = signer.client.post("/v2/translate/jobs", data={**signer.auth(), "data": "x" * 70_000})
    assert big.status_code == 413 and big.json()["err"]["code"] == 1351


def test_other_organizations_and_illegal_moves(api: Api) -> None:
    signer, tkey = _signer(api)
    stranger, stranger_key = _signer(api, "rival")
    _order(signer, text_job("Secret text."))
    number = signer.get("/translate/jobs")["response"][0]["job_id"]
    _status(signer, number, "available")
    for path in (f"/translate/job/{number}", f"/translate/job/{number}/comments",
                 f"/translate/job/{number}/revisions",
                 f"/translate/job/{number}/feedback"):  # fmt: skip
        answer = stranger.get(path)
        assert answer["opstat"] == "error" and answer["err"]["code"] == 2100, answer
    assert stranger.get(f"/translate/jobs/{number}")["response"]["jobs"] == []
    order = signer.get("/translate/jobs")["response"]
    assert stranger.get("/translate/order/1")["err"]["code"] == 2750 and order
    moved = stranger.send("PUT", f"/translate/job/{number}", {"action": "approve"})
    assert moved["err"]["code"] == 2100
    assert stranger.send("DELETE", f"/translate/job/{number}")["err"]["code"] == 2100
    # Illegal moves: approving or revising an available job; nothing changes.
    for action in ({"action": "approve"}, {"action": "revise", "comment": "x"},
                   {"action": "reject", "reason": "quality", "comment": "x"}):  # fmt: skip
        answer = signer.send("PUT", f"/translate/job/{number}", action)
        assert answer["err"]["code"] == 2250, answer
    bad = [({"action": "revise"}, 2300), ({"action": "reject", "comment": "x"}, 2350),
           ({"action": "reject", "reason": "quality", "comment": "x", "follow_up": "later"}, 2450),
           ({"action": "approve", "rating": 9}, 2501), ({"action": "dance"}, 1251)]  # fmt: skip
    for action, code in bad:
        assert signer.send("PUT", f"/translate/job/{number}", action)["err"]["code"] == code
    assert _job(signer, number)["status"] == "available"
    # HTML in a comment is refused; a translator of another organization cannot take it.
    html = signer.send("POST", f"/translate/job/{number}/comment", {"body": "<b>hi</b>"})
    assert html["err"]["code"] == 2000
    assert signer.get(f"/translate/job/{number}/comments")["response"]["thread"] == []
    core_id = core_job(api.services, number)
    foreign = api.client.post(f"/translator/v1/jobs/{core_id}/take",
                              headers={"X-API-Key": stranger_key})  # fmt: skip
    assert foreign.status_code == 404
    taken = api.client.post(f"/translator/v1/jobs/{core_id}/take", headers={"X-API-Key": tkey})
    assert taken.status_code == 200
    assert signer.send("DELETE", f"/translate/job/{number}")["err"]["code"] == 2252
    assert _job(signer, number)["status"] == "pending"


def test_quote_pairs_languages_and_glossaries(api: Api) -> None:
    signer, _ = _signer(api, pairs="en-es,en-ja")
    japanese = text_job("日本語", lc_src="ja", lc_tgt="en")
    both = {"jobs": {"job_1": text_job("One two three."), "job_2": japanese}}
    quote = signer.send("POST", "/translate/service/quote", both)
    assert quote["opstat"] == "error" and quote["err"]["job_2"][0]["code"] == 1551
    quote = signer.send("POST", "/translate/service/quote",
                        {"jobs": {"job_1": text_job("One two three.")}})  # fmt: skip
    priced = quote["response"]["jobs"]["job_1"]
    assert priced["unit_count"] == 3 and priced["credits"] == pytest.approx(0.18)
    assert priced["eta"] > 0 and _count(api, jobs) == 0
    pairs = signer.get("/translate/service/language_pairs")["response"]
    assert {(p["lc_src"], p["lc_tgt"], p["tier"]) for p in pairs} == {
        ("en", "es", "standard"), ("en", "ja", "standard")}  # fmt: skip
    assert signer.get("/translate/service/language_pairs", lc_src="fr")["response"] == []
    languages = {
        lang["lc"]: lang for lang in signer.get("/translate/service/languages")["response"]
    }
    assert languages["ja"]["unit_type"] == "character" and languages["es"]["language"] == "Spanish"
    assert signer.get("/translate/glossary")["response"] == []
    key = api.new_key("acme")
    made = api.client.post("/glossaries/en-es/terms", json={"sourceTerm": "house",
                           "targetTerm": "casa"}, headers={"X-API-Key": key})  # fmt: skip
    assert made.status_code == 201, made.text
    listed = signer.get("/translate/glossary")["response"]
    assert listed[0]["source_language_code"] == "en" and listed[0]["unit_count"] == 1
    one = signer.get(f"/translate/glossary/{listed[0]['id']}")["response"]
    assert one["title"] == "en -> es"
    assert signer.get("/translate/glossary/1")["opstat"] == "error"


def test_callbacks_are_forms_and_none_is_sent_over_60_kb(
    sqlite_url: str, settings_factory: Callable[..., Settings], tmp_path: Path
) -> None:
    with https_receiver(tmp_path) as receiver:
        settings = settings_factory(
            sqlite_url, webhook_allow_networks=("127.0.0.0/8",),
            webhook_ca_bundle=receiver.ca_path, webhook_poll_interval_seconds=0.2,
        )  # fmt: skip
        with running_api(settings) as api:
            signer, _ = _signer(api, balance="5000")
            small, large = receiver.url("/small"), receiver.url("/large")
            _order(signer, text_job("Hello there.", callback_url=small))
            _order(signer, text_job("word " * 12_400, callback_url=large), age=1)
            got = receiver.wait("/small", 1)[0]
            assert got.headers["content-type"] == "application/x-www-form-urlencoded"
            job = json.loads(parse_qs(got.body.decode())["job"][0])
            assert job["status"] == "available" and job["body_src"] == "Hello there."

            def refused() -> str | None:
                with api.services.db.read() as conn:  # a fresh snapshot each time
                    return conn.execute(
                        select(webhook_deliveries.c.last_error).where(
                            webhook_deliveries.c.url == large,
                            webhook_deliveries.c.status == "failed",
                        )
                    ).scalar()

            failed = wait_for(refused, what="the large callback refused")
            assert "larger than 61440" in failed and receiver.on("/large") == []


# The client opens the upload and never closes it (gengo 1.0.0, `file_data`).
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_file_quote_and_file_job_through_the_official_client(api: Api, tmp_path: Path) -> None:
    signer, tkey = _signer(api)
    source = tmp_path / "strings.properties"
    source.write_text("greeting=Hello world\nfarewell=Good bye my friend\n")
    client = _official(api, signer)
    quoted = client.determineTranslationCost(jobs={"jobs": {"job_1": {
        "type": "file", "file_path": str(source), "lc_src": "en", "lc_tgt": "es",
        "tier": "standard"}}})["response"]["jobs"]["job_1"]  # fmt: skip
    assert quoted["unit_count"] == 6 and quoted["type"] == "file" and quoted["identifier"]
    order = client.postTranslationJobs(jobs={"jobs": {"job_1": {
        "type": "file", "identifier": quoted["identifier"], "slug": "strings", "lc_src": "en",
        "lc_tgt": "es", "tier": "standard"}}})["response"]  # fmt: skip
    assert order["credits_used"] == pytest.approx(quoted["credits"])
    number = signer.get("/translate/jobs")["response"][0]["job_id"]
    job = _status(signer, number, "available")
    assert job["type"] == "file" and "file_url_tgt" not in job
    got = api.client.get(str(job["file_url_src"]), params=signer.auth())
    assert got.content == source.read_bytes()
    translate(api.client, tkey, core_job(api.services, number), "Hecho")
    job = _status(signer, number, "reviewable")
    target = api.client.get(str(job["file_url_tgt"]), params=signer.auth())
    assert target.status_code == 200 and target.text.count("=Hecho") == 2, target.text
    stranger, _ = _signer(api, "rival")
    assert api.client.get(str(job["file_url_tgt"]), params=stranger.auth()).status_code == 404
    foreign = stranger.send("POST", "/translate/jobs", {"jobs": {"job_1": text_job(
        "", type="file", identifier=quoted["identifier"])}})  # fmt: skip
    assert foreign["err"]["job_1"][0]["code"] == 1302  # another organization's quote


def _official(api: Api, signer: Signer) -> Any:
    import warnings

    with warnings.catch_warnings():  # the 2015 module's regex literals warn when compiled
        warnings.simplefilter("ignore")
        from gengo import Gengo
    base = str(api.client.base_url)
    return Gengo(public_key=signer.public, private_key=signer.private, api_url=base + "/{version}")
