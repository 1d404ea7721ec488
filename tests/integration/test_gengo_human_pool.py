"""Who gets a Gengo job, through the Gengo API and the translator API on a real server
(the pseudo engine drafts): the edit pass by a second translator, `as_group`
bundles taken whole, the preferred translators' head start; order comments; purging a
group's Gengo rows and the retention of file quotes never ordered (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from dragoman.core import translators
from dragoman.core.orgs import get_or_create_org
from dragoman.core.purge import delete_groups
from dragoman.settings import Settings
from dragoman.store.gengo_tables import (
    gengo_file_quotes,
    gengo_jobs,
    gengo_order_comments,
    gengo_orders,
)
from dragoman.store.review_tables import human_jobs, job_units
from dragoman.store.tables import aliases, artifacts, jobs
from dragoman.timefmt import utcnow
from dragoman.worker.retention import apply_retention
from tests.apptools import Api, running_api
from tests.integration.gengo_helpers import Signer, core_job, gengo_org, text_job, wait_for


@pytest.fixture
def api(database_url: str, settings_factory: Callable[..., Settings]) -> Iterator[Api]:
    """SQLite, and PostgreSQL when reachable."""
    with running_api(settings_factory(database_url)) as run:
        yield run


def _setup(api: Api, org: str = "acme") -> tuple[Signer, str]:
    public, private, tkey = gengo_org(api.services, org)
    return Signer(api.client, public, private), tkey


def _person(api: Api, org: str = "acme", *, preferred: bool = False) -> str:
    with api.services.db.write() as conn:
        org_id = get_or_create_org(conn, org).id
        return translators.create_translator(conn, org_id, "P", "en-es", preferred=preferred)[1]


def _order(signer: Signer, *jobs: dict[str, Any], **extra: Any) -> list[int]:
    """Order `jobs`; their integer ids once all are available."""
    data = {"jobs": {f"job_{i}": j for i, j in enumerate(jobs, 1)}, **extra}
    answer = signer.send("POST", "/translate/jobs", data)
    assert answer["opstat"] == "ok", answer
    order = answer["response"]["order_id"]

    def ready() -> list[int] | None:
        view = signer.get(f"/translate/order/{order}")["response"]["order"]
        found = [int(n) for n in view["jobs_available"]]
        return sorted(found) if len(found) == len(jobs) else None

    return wait_for(ready, what="jobs available")  # type: ignore[no-any-return]


def _status(signer: Signer, number: int) -> str:
    return str(signer.get(f"/translate/job/{number}")["response"]["job"]["status"])


def _listed(api: Api, tkey: str) -> list[str]:
    got = api.client.get("/translator/v1/jobs", headers={"X-API-Key": tkey})
    assert got.status_code == 200, got.text
    return [i["id"] for i in got.json()["items"]]


def _take(api: Api, tkey: str, job_id: str) -> int:
    return api.client.post(
        f"/translator/v1/jobs/{job_id}/take", headers={"X-API-Key": tkey}
    ).status_code


def _fill(api: Api, tkey: str, job_id: str, text: str) -> Any:
    """Write `text` in every segment of a held job and deliver it."""
    headers = {"X-API-Key": tkey}
    detail = api.client.get(f"/translator/v1/jobs/{job_id}", headers=headers).json()
    for seg in detail["segments"]:
        put = api.client.put(f"/translator/v1/jobs/{job_id}/segments/{seg['id']}",
                             json={"target": text}, headers=headers)  # fmt: skip
        assert put.status_code == 200, put.text
    return api.client.post(f"/translator/v1/jobs/{job_id}/deliver", headers=headers)


def test_edit_pass_goes_to_a_second_translator_and_costs_half_again(api: Api) -> None:
    signer, first = _setup(api)
    second = _person(api)
    quote = signer.send("POST", "/translate/service/quote", {"jobs": {
        "job_1": text_job("One two three four.", services=["translation", "edit"])}})  # fmt: skip
    assert quote["response"]["jobs"]["job_1"]["credits"] == pytest.approx(0.06 * 4 * 1.5)
    (number,) = _order(signer, text_job("One two three four.", services=["translation", "edit"]))
    assert signer.get("/account/balance")["response"]["credits"] == pytest.approx(100 - 0.36)
    job_id = core_job(api.services, number)
    assert _take(api, first, job_id) == 200
    delivered = _fill(api, first, job_id, "Uno dos tres cuatro.")
    # The first pass delivered: available again, for someone else, not yet for the customer.
    assert delivered.json()["status"] == "available", delivered.text
    shown = signer.get(f"/translate/job/{number}")["response"]["job"]
    assert shown["status"] == "available" and shown["body_tgt"] == ""
    assert job_id not in _listed(api, first) and _take(api, first, job_id) == 404
    headers = {"X-API-Key": first}
    assert api.client.get(f"/translator/v1/jobs/{job_id}", headers=headers).status_code == 404
    assert _listed(api, second) == [job_id] and _take(api, second, job_id) == 200
    detail = api.client.get(f"/translator/v1/jobs/{job_id}", headers={"X-API-Key": second})
    assert [s["target"] for s in detail.json()["segments"]] == ["Uno dos tres cuatro."]
    edited = _fill(api, second, job_id, "Uno, dos, tres, cuatro.")
    assert edited.json()["status"] == "reviewable", edited.text
    job = signer.get(f"/translate/job/{number}")["response"]["job"]
    assert job["status"] == "reviewable" and job["body_tgt"] == "Uno, dos, tres, cuatro."
    revisions = signer.get(f"/translate/job/{number}/revisions")["response"]["revisions"]
    assert [r["rev_id"] for r in revisions] == [1, 2]
    # Revisions go back to the editor, who delivers straight to review (no third pass).
    revise = {"action": "revise", "comment": "No commas."}
    assert signer.send("PUT", f"/translate/job/{number}", revise)["opstat"] == "ok"
    assert _fill(api, second, job_id, "Uno dos tres cuatro").json()["status"] == "reviewable"


def test_rejected_translator_never_gets_the_job_again(api: Api) -> None:
    signer, alice = _setup(api)
    bob = _person(api)
    (number,) = _order(signer, text_job("Reject me."))
    job_id = core_job(api.services, number)
    assert _take(api, alice, job_id) == 200
    _fill(api, alice, job_id, "Recházame.")
    reject = {"action": "reject", "reason": "quality", "comment": "Poor.", "follow_up": "requeue"}
    assert signer.send("PUT", f"/translate/job/{number}", reject)["opstat"] == "ok"
    assert _status(signer, number) == "available"
    assert _listed(api, alice) == [] and _take(api, alice, job_id) == 404
    assert _listed(api, bob) == [job_id] and _take(api, bob, job_id) == 200


def test_grouped_order_is_taken_whole_and_offered_only_when_all_are_ready(api: Api) -> None:
    signer, alice = _setup(api)
    bob = _person(api)
    numbers = _order(signer, text_job("First part."), text_job("Second part."), as_group=1)
    first, second = (core_job(api.services, n) for n in numbers)
    # While one job of the group is still being drafted, the group is not offered.
    with api.services.db.write() as conn:
        conn.execute(update(jobs).where(jobs.c.id == second).values(status="queued"))
    assert _listed(api, alice) == [] and _take(api, alice, first) == 404
    with api.services.db.write() as conn:
        conn.execute(update(jobs).where(jobs.c.id == second).values(status="available"))
    assert sorted(_listed(api, bob)) == sorted([first, second])
    assert _take(api, alice, second) == 200
    assert [_status(signer, n) for n in numbers] == ["pending", "pending"]
    assert _listed(api, bob) == [] and _take(api, bob, first) == 409
    mine = api.client.get("/translator/v1/jobs", params={"status": "mine"},
                          headers={"X-API-Key": alice}).json()["items"]  # fmt: skip
    assert sorted(i["id"] for i in mine) == sorted([first, second])
    # Without as_group, each job is taken alone.
    loose = _order(signer, text_job("Third part."), text_job("Fourth part."))
    assert _take(api, bob, core_job(api.services, loose[0])) == 200
    assert [_status(signer, n) for n in loose] == ["pending", "available"]


def test_preferred_translators_see_use_preferred_jobs_first(api: Api) -> None:
    signer, anyone = _setup(api)
    chosen = _person(api, preferred=True)
    (number,) = _order(signer, text_job("For my favourites.", use_preferred=1))
    job_id = core_job(api.services, number)
    assert _listed(api, anyone) == [] and _take(api, anyone, job_id) == 404
    assert _listed(api, chosen) == [job_id]
    with api.services.db.write() as conn:  # as if 24 hours had passed
        conn.execute(
            update(human_jobs)
            .where(human_jobs.c.job_id == job_id)
            .values(preferred_until=utcnow() - timedelta(seconds=1))
        )
    assert _listed(api, anyone) == [job_id] and _take(api, anyone, job_id) == 200
    # A job without use_preferred is everyone's at once.
    (plain,) = _order(signer, text_job("For anyone."))
    assert core_job(api.services, plain) in _listed(api, anyone)


def test_preferred_hours_setting(
    sqlite_url: str, settings_factory: Callable[..., Settings]
) -> None:
    with running_api(settings_factory(sqlite_url, preferred_translator_hours=0)) as api:
        signer, anyone = _setup(api)
        (number,) = _order(signer, text_job("No head start.", use_preferred=1))
        assert _listed(api, anyone) == [core_job(api.services, number)]


def test_order_comments(api: Api) -> None:
    signer, _ = _setup(api)
    stranger, _ = _setup(api, "rival")
    numbers = _order(signer, text_job("Commented order."))
    order = signer.get(f"/translate/job/{numbers[0]}")["response"]["job"]["order_id"]
    assert signer.get(f"/translate/order/{order}/comments")["response"] == {"thread": []}
    said = signer.send("POST", f"/translate/order/{order}/comment", {"body": "Use formal tone."})
    assert said["opstat"] == "ok", said
    client = _official(api, signer)
    client.postOrderComment(id=order, comment={"body": "Also: keep names."})
    thread = client.getOrderComments(id=order)["response"]["thread"]
    assert [c["body"] for c in thread] == ["Use formal tone.", "Also: keep names."]
    assert all(c["author"] == "customer" and c["ctime"] for c in thread)
    for answer, code in (
        (signer.send("POST", f"/translate/order/{order}/comment", {"body": "<b>x</b>"}), 2000),
        (signer.send("POST", f"/translate/order/{order}/comment", {"body": " "}), 2000),
        (signer.send("POST", "/translate/order/999/comment", {"body": "x"}), 2750),
        (stranger.send("POST", f"/translate/order/{order}/comment", {"body": "x"}), 2750),
        (stranger.get(f"/translate/order/{order}/comments"), 2750),
    ):
        assert answer["opstat"] == "error" and answer["err"]["code"] == code, answer
    assert len(signer.get(f"/translate/order/{order}/comments")["response"]["thread"]) == 2


def _count(api: Api, table: Any, *where: Any) -> int:
    with api.services.db.read() as conn:
        query = select(func.count()).select_from(table).where(*where)
        return int(conn.execute(query).scalar_one())


def test_purge_deletes_gengo_and_human_rows_and_empty_orders(api: Api) -> None:
    signer, _ = _setup(api)
    first, second = _order(signer, text_job("Purge one."), text_job("Purge two."))
    # An order of a duplicate only: it lists the first order's job.
    again = signer.send("POST", "/translate/jobs", {"jobs": {"job_1": text_job("Purge one.")}},
                        auth=signer.auth(int(time.time()) - 1))  # fmt: skip
    assert again["opstat"] == "ok" and again["response"]["credits_used"] == 0
    order = signer.get(f"/translate/job/{first}")["response"]["job"]["order_id"]
    assert signer.send("POST", f"/translate/order/{order}/comment", {"body": "x"})["opstat"] == "ok"
    ids = [core_job(api.services, n) for n in (first, second)]
    with api.services.db.read() as conn:
        groups = [
            conn.execute(select(jobs.c.group_id).where(jobs.c.id == i)).scalar_one() for i in ids
        ]
    with api.services.db.write() as conn:
        delete_groups(conn, [groups[0]])
    assert (
        _count(api, gengo_jobs) == 1 and _count(api, human_jobs, human_jobs.c.job_id == ids[0]) == 0
    )
    assert _count(api, job_units, job_units.c.job_id == ids[0]) == 0
    # The duplicates-only order is left empty and goes; the first order keeps its other job.
    assert _count(api, gengo_orders) == 1
    view = signer.get(f"/translate/order/{order}")["response"]["order"]
    assert view["total_jobs"] == 1 and view["jobs_available"] == [str(second)]
    assert signer.get(f"/translate/job/{first}")["err"]["code"] == 2100
    with api.services.db.write() as conn:
        delete_groups(conn, [groups[1]])
    assert _count(api, gengo_jobs) == 0 and _count(api, gengo_orders) == 0
    assert _count(api, gengo_order_comments) == 0 and _count(api, human_jobs) == 0
    assert _count(api, aliases, aliases.c.surface == "gengo") == 0
    assert signer.get(f"/translate/order/{order}")["err"]["code"] == 2750


# The client opens the upload and never closes it (gengo 1.0.0, `file_data`).
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_file_quotes_never_ordered_are_deleted_after_retention(api: Api, tmp_path: Path) -> None:
    signer, _ = _setup(api)
    client = _official(api, signer)
    identifiers = []
    for name in ("kept.properties", "dropped.properties"):
        source = tmp_path / name
        source.write_text(f"greeting=Hello {name}\n")
        quoted = client.determineTranslationCost(jobs={"jobs": {"job_1": {
            "type": "file", "file_path": str(source), "lc_src": "en", "lc_tgt": "es",
            "tier": "standard"}}})["response"]["jobs"]["job_1"]  # fmt: skip
        identifiers.append(quoted["identifier"])
    ordered = signer.send("POST", "/translate/jobs", {"jobs": {"job_1": text_job(
        "", type="file", identifier=identifiers[0])}})  # fmt: skip
    assert ordered["opstat"] == "ok", ordered
    with api.services.db.write() as conn:  # both quoted 8 days ago
        conn.execute(update(gengo_file_quotes).values(created_at=utcnow() - timedelta(days=8)))
        keys = dict(
            conn.execute(
                select(gengo_file_quotes.c.identifier, artifacts.c.blob_key).join(
                    artifacts, artifacts.c.id == gengo_file_quotes.c.artifact_id
                )
            ).all()
        )
    report = apply_retention(api.services.db, api.services.settings, blobs=api.services.blobs)
    assert report.quotes == 1
    with api.services.db.read() as conn:
        left = conn.execute(select(gengo_file_quotes.c.identifier)).scalars().all()
    assert left == [identifiers[0]]
    assert not api.services.blobs.exists(keys[identifiers[1]])
    assert api.services.blobs.exists(keys[identifiers[0]])  # the ordered job's source
    refused = signer.send("POST", "/translate/jobs", {"jobs": {"job_1": text_job(
        "", type="file", identifier=identifiers[1])}})  # fmt: skip
    assert refused["err"]["job_1"][0]["code"] == 1302


def test_cli_marks_translators_preferred(tmp_path: Path) -> None:
    env = {**os.environ, "DRAGOMAN_DATA_DIR": str(tmp_path / "data"), "NO_COLOR": "1"}
    env.pop("DRAGOMAN_DATABASE_URL", None)

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "dragoman", *args], env=env,
                              capture_output=True, text=True, timeout=120, check=False)  # fmt: skip

    assert cli("keys", "create", "--org", "acme").returncode == 0
    made = cli("translators", "create", "--org", "acme", "--name", "Ana", "--pairs", "en-es",
               "--preferred")  # fmt: skip
    assert made.returncode == 0, made.stderr
    ana = made.stdout.split()[1]
    plain = cli("translators", "create", "--org", "acme", "--name", "Bo", "--pairs", "en-es")
    bo = plain.stdout.split()[1]
    assert cli("translators", "prefer", bo, "--org", "acme").returncode == 0
    off = cli("translators", "prefer", ana, "--org", "acme", "--off")
    assert off.returncode == 0 and "not preferred" in off.stdout
    listed = {
        line.split()[0]: line
        for line in cli("translators", "list", "--org", "acme").stdout.splitlines()
    }
    assert "preferred" in listed[bo] and "preferred" not in listed[ana]
    missing = cli("translators", "prefer", "trn_nobody", "--org", "acme")
    assert missing.returncode == 2 and "no active translator" in missing.stderr


def _official(api: Api, signer: Signer) -> Any:
    import warnings

    with warnings.catch_warnings():  # the 2015 module's regex literals warn when compiled
        warnings.simplefilter("ignore")
        from gengo import Gengo
    base = str(api.client.base_url)
    return Gengo(public_key=signer.public, private_key=signer.private, api_url=base + "/{version}")


# The client opens the upload and never closes it (gengo 1.0.0, `file_data`).
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_file_ordered_into_two_languages_keeps_its_source_until_both_are_purged(
    api: Api, tmp_path: Path
) -> None:
    signer, _ = _setup(api)
    client = _official(api, signer)
    with api.services.db.write() as conn:  # Gengo offers the pairs its translators cover
        translators.create_translator(conn, get_or_create_org(conn, "acme").id, "F", "en-fr")
    source = tmp_path / "shared.properties"
    source.write_text("greeting=Hello shared world\n")
    quoted = client.determineTranslationCost(jobs={"jobs": {"job_1": {
        "type": "file", "file_path": str(source), "lc_src": "en", "lc_tgt": "es",
        "tier": "standard"}}})["response"]["jobs"]["job_1"]  # fmt: skip
    identifier = quoted["identifier"]
    numbers = _order(
        signer,
        text_job("", type="file", identifier=identifier),
        text_job("", type="file", identifier=identifier, lc_tgt="fr"),
    )
    with api.services.db.read() as conn:
        groups = [
            conn.execute(
                select(jobs.c.group_id).where(jobs.c.id == core_job(api.services, n))
            ).scalar_one()
            for n in numbers
        ]
        key = conn.execute(
            select(artifacts.c.blob_key)
            .join(gengo_file_quotes, gengo_file_quotes.c.artifact_id == artifacts.c.id)
            .where(gengo_file_quotes.c.identifier == identifier)
        ).scalar_one()
    assert groups[0] != groups[1]
    with api.services.db.write() as conn:
        assert key not in delete_groups(conn, [groups[0]])  # the French group still needs it
    assert api.services.blobs.exists(key)
    assert signer.get(f"/translate/job/{numbers[1]}")["opstat"] == "ok"
    with api.services.db.write() as conn:
        assert key in delete_groups(conn, [groups[1]])  # the last one: its bytes may go
