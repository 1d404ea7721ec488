"""`GET /ws` against a real uvicorn server on 127.0.0.1, with the `websockets` client."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus

from dragoman.settings import Settings
from dragoman.store.tables import events
from tests.apptools import Api, running_api

DATA = {"title": "Hello world", "body": "Saved files.", "n": 1}
ORDER = ["job.queued", "job.started", "job.progress", "job.completed", "job.failed"]


@pytest.fixture
def api(database_url: str, settings_factory: Callable[..., Settings]) -> Iterator[Api]:
    settings = settings_factory(
        database_url, ws_allowed_origins=("https://app.example",), ws_poll_interval_seconds=0.2
    )
    with running_api(settings) as running:
        yield running


def ws_url(api: Api, query: str = "") -> str:
    return str(api.client.base_url).replace("http://", "ws://").rstrip("/") + "/ws" + query


def submit(api: Api, key: str, targets: list[str]) -> dict[str, Any]:
    response = api.post(key, {"sourceLocale": "en", "targetLocales": targets, "data": DATA})
    assert response.status_code == 202, response.text
    return response.json()  # type: ignore[no-any-return]


async def recv(ws: ClientConnection, wait: float = 15) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(ws.recv(), wait))  # type: ignore[no-any-return]


async def subscribe(ws: ClientConnection, **message: Any) -> dict[str, Any]:
    await ws.send(json.dumps({"action": "subscribe", **message}))
    return await recv(ws)


async def collect_until_groups_done(
    ws: ClientConnection, groups: set[str], wait: float = 20
) -> list[dict[str, Any]]:
    got: list[dict[str, Any]] = []
    done: set[str] = set()
    while done != groups:
        message = await recv(ws, wait)
        assert message["type"] == "event", message
        got.append(message)
        if message["event"] == "group.completed":
            done.add(message["groupId"])
    return got


def org_event_ids(api: Api, org_groups: set[str]) -> list[int]:
    with api.services.db.read() as conn:
        rows = conn.execute(select(events.c.seq).where(events.c.group_id.in_(org_groups)))
        return sorted(r.seq for r in rows)


async def test_events_arrive_in_order_per_job(api: Api) -> None:
    key = api.new_key()
    async with connect(ws_url(api), additional_headers={"X-API-Key": key}) as ws:
        assert (await subscribe(ws, all=True))["type"] == "subscribed"
        created = submit(api, key, ["de", "fr", "es"])
        got = await collect_until_groups_done(ws, {created["groupId"]})
    ids = [m["id"] for m in got]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    for job in created["jobs"]:
        kinds = [m["event"] for m in got if m["jobId"] == job["id"]]
        assert kinds[0] == "job.queued" and kinds[-1] == "job.completed"
        assert [ORDER.index(k) for k in kinds] == sorted(ORDER.index(k) for k in kinds)
        last = next(m for m in got if m["jobId"] == job["id"] and m["event"] == "job.completed")
        assert last["data"]["status"] == "completed"
        assert last["data"]["targetLocale"] == job["targetLocale"]
        assert api.get(key, f"/jobs/localization/{job['id']}").json()["status"] == "completed"
    group_done = got[-1]
    assert group_done["event"] == "group.completed"
    assert group_done["data"] == {"groupId": created["groupId"], "status": "completed"}


async def test_resume_after_reconnect_has_no_gap(api: Api) -> None:
    key = api.new_key()
    seen: list[dict[str, Any]] = []
    async with connect(ws_url(api), additional_headers={"X-API-Key": key}) as ws:
        await subscribe(ws, all=True)
        first = submit(api, key, ["de", "fr"])
        while len(seen) < 2:
            seen.append(await recv(ws))
    last = seen[-1]["id"]
    second = submit(api, key, ["es", "it"])  # while disconnected
    api.wait_group(key, first["groupId"])
    api.wait_group(key, second["groupId"])
    groups = {first["groupId"], second["groupId"]}
    async with connect(ws_url(api), additional_headers={"X-API-Key": key}) as ws:
        reply = await subscribe(ws, all=True, lastEventId=last)
        assert reply["type"] == "subscribed"
        seen += await collect_until_groups_done(ws, groups)
    ids = [m["id"] for m in seen]
    assert len(ids) == len(set(ids)), "no event twice"
    assert sorted(ids) == org_event_ids(api, groups), "no event missing"


async def test_group_subscription_replays_from_zero(api: Api) -> None:
    key = api.new_key()
    created = submit(api, key, ["de"])
    api.wait_group(key, created["groupId"])
    async with connect(ws_url(api), additional_headers={"X-API-Key": key}) as ws:
        reply = await subscribe(ws, groups=[created["groupId"]], lastEventId=0)
        assert reply == {"type": "subscribed", "all": False, "groups": [created["groupId"]]}
        got = await collect_until_groups_done(ws, {created["groupId"]})
    assert [m["event"] for m in got] == [
        "job.queued",
        "job.started",
        "job.completed",
        "group.completed",
    ]


async def test_another_organizations_group_cannot_be_subscribed(api: Api) -> None:
    owner, other = api.new_key(), api.new_key()
    created = submit(api, owner, ["de"])
    async with connect(ws_url(api), additional_headers={"X-API-Key": other}) as ws:
        reply = await subscribe(ws, groups=[created["groupId"]], lastEventId=0)
        assert reply["type"] == "error" and reply["statusCode"] == 404
        assert created["groupId"] in reply["error"]
        reply = await subscribe(ws, all=True, lastEventId=0)  # all = its own organization's
        assert reply["type"] == "subscribed"
        api.wait_group(owner, created["groupId"])
        with pytest.raises(TimeoutError):
            await recv(ws, wait=1.0)


async def test_authentication_origin_and_browser_tokens(api: Api) -> None:
    key = api.new_key()
    async with connect(ws_url(api), additional_headers={"X-API-Key": "dgm_wrong"}) as ws:
        reply = await recv(ws)
        assert reply["type"] == "error" and reply["statusCode"] == 401
    with pytest.raises(InvalidStatus) as refused:
        async with connect(
            ws_url(api), additional_headers={"X-API-Key": key}, origin="https://evil.example"
        ):  # type: ignore[arg-type]
            pass
    assert refused.value.response.status_code == 403
    token = api.client.post("/ws/token", headers={"X-API-Key": key}).json()
    url = ws_url(api, f"?token={token['token']}")
    async with connect(url, origin="https://app.example") as ws:  # type: ignore[arg-type]
        assert (await subscribe(ws, all=True))["type"] == "subscribed"
    async with connect(url, origin="https://app.example") as ws:  # type: ignore[arg-type]
        reply = await recv(ws)
        assert reply["statusCode"] == 401, "a token is single-use"
