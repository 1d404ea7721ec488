"""`/ws` answers bad subscriptions with an error frame and stays alive (issue 9, item 6).

`lastEventId` of 2**63 used to be accepted, then overflowed the replay query and killed the
sender task: pings still answered, events never came again.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from dragoman.settings import Settings
from tests.apptools import Api, running_api

CAP = 5


@pytest.fixture
def api(database_url: str, settings_factory: Callable[..., Settings]) -> Iterator[Api]:
    settings = settings_factory(
        database_url, ws_poll_interval_seconds=0.2, ws_max_subscription_ids=CAP
    )
    with running_api(settings) as running:
        yield running


def _url(api: Api) -> str:
    return str(api.client.base_url).replace("http://", "ws://").rstrip("/") + "/ws"


async def _ask(ws: ClientConnection, **message: Any) -> dict[str, Any]:
    """Send a subscribe message and return its answer, skipping live events meanwhile."""
    await ws.send(json.dumps({"action": "subscribe", **message}))
    while True:
        answer: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if answer["type"] != "event":
            return answer


async def _events_until_done(ws: ClientConnection, group_id: str) -> list[dict[str, Any]]:
    got: list[dict[str, Any]] = []
    while not any(m.get("event") == "group.completed" for m in got):
        message = json.loads(await asyncio.wait_for(ws.recv(), 20))
        if message["type"] == "subscribed":
            continue  # the answer may follow the first replayed events
        assert message["type"] == "event", message
        if message["groupId"] == group_id:
            got.append(message)
    return got


def _submit(api: Api, key: str) -> str:
    body = {"sourceLocale": "en", "targetLocales": ["de"], "data": {"t": "Hello"}}
    response = api.post(key, body)
    assert response.status_code == 202, response.text
    return str(response.json()["groupId"])


@pytest.mark.parametrize("last", [2**63, 2**53, -1, True, 1.5, "7", [1]])
async def test_bad_last_event_id_is_an_error_frame_and_the_socket_lives(
    api: Api, last: Any
) -> None:
    key = api.new_key()
    async with connect(_url(api), additional_headers={"X-API-Key": key}) as ws:
        refused = await _ask(ws, all=True, lastEventId=last)
        assert refused["type"] == "error" and refused["statusCode"] == 422
        assert "lastEventId" in refused["error"]
        # The same connection still subscribes, replays and streams.
        group = _submit(api, key)
        await ws.send(json.dumps({"action": "subscribe", "all": True, "lastEventId": 0}))
        events = await _events_until_done(ws, group)
        assert events[-1]["event"] == "group.completed"


async def test_ids_per_subscription_are_capped(api: Api) -> None:
    key = api.new_key()
    groups = [_submit(api, key) for _ in range(CAP + 1)]
    async with connect(_url(api), additional_headers={"X-API-Key": key}) as ws:
        too_many = await _ask(ws, groups=groups)
        assert too_many["type"] == "error" and too_many["statusCode"] == 422
        assert f"at most {CAP} group ids" in too_many["error"]
        assert (await _ask(ws, groups=groups[:CAP]))["type"] == "subscribed"
        # The cap counts the connection's whole subscription, not one message.
        again = await _ask(ws, groups=groups[CAP:])
        assert again["type"] == "error" and "ws_max_subscription_ids" in again["error"]
        # 400,000 ids: refused at once, never sent to the database as one IN list.
        flood = await _ask(ws, groups=[f"ljg_{i:016d}" for i in range(400_000)])
        assert flood["type"] == "error" and flood["statusCode"] == 422
        await ws.send(json.dumps({"action": "ping"}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 10)) == {"type": "pong"}


@pytest.mark.parametrize("bad", ["ljg_\x00", "ljg_\ud800", "x" * 10_000, ""])
async def test_malformed_group_ids_are_not_found(api: Api, bad: str) -> None:
    async with connect(_url(api), additional_headers={"X-API-Key": api.new_key()}) as ws:
        answer = await _ask(ws, groups=[bad])
        assert answer["type"] == "error" and answer["statusCode"] == 404
        await ws.send(json.dumps({"action": "ping"}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 10)) == {"type": "pong"}


async def test_a_failing_sender_closes_the_socket_with_a_reason(
    sqlite_url: str, settings_factory: Callable[..., Settings]
) -> None:
    """Whatever breaks the event stream ends the connection visibly, so the client resumes."""
    settings = settings_factory(sqlite_url, ws_poll_interval_seconds=0.2)
    with running_api(settings, run_workers=False) as api:
        key = api.new_key()
        async with connect(_url(api), additional_headers={"X-API-Key": key}) as ws:
            with api.services.db.write() as conn:  # replay now fails inside the sender
                conn.exec_driver_sql("ALTER TABLE events RENAME TO events_away")
            try:
                await ws.send(json.dumps({"action": "subscribe", "all": True, "lastEventId": 0}))
                with pytest.raises(ConnectionClosed) as closed:
                    while True:
                        await asyncio.wait_for(ws.recv(), 10)
            finally:
                with api.services.db.write() as conn:
                    conn.exec_driver_sql("ALTER TABLE events_away RENAME TO events")
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1011
        assert "reconnect with lastEventId" in closed.value.rcvd.reason
