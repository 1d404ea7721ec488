"""`GET /ws`: live job events for the caller's organization, resumable by event id.

Client messages: `{"action": "subscribe", "groups": [groupId, ...]}` or
`{"action": "subscribe", "all": true}`, each with an optional `lastEventId` (events after it
are replayed first), and `{"action": "ping"}`. Server messages: `{"type": "subscribed"}`,
`{"type": "event", "id": seq, "event": "job.progress", "groupId", "jobId", "data", "createdAt"}`,
`{"type": "error", "error", "statusCode"}`, `{"type": "pong"}`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from dragoman.core import org_settings, orgs, queries
from dragoman.core.orgs import Organization
from dragoman.core.service import Core
from dragoman.core.status import JobStatus
from dragoman.delivery.hub import EventHub, StoredEvent, Subscription, read_after
from dragoman.errors import DragomanError
from dragoman.ids import has_prefix
from dragoman.surfaces.native.statuses import NATIVE_STATUS
from dragoman.timefmt import iso_ms

log = logging.getLogger(__name__)
router = APIRouter(tags=["events"])
REPLAY_PAGE = 500
MAX_EVENT_ID = 2**53 - 1  # the largest integer every JSON client reads exactly; seq fits
_JOB_STATUS = {"job.queued": "queued", "job.started": "processing", "job.progress": "processing"}


def render_event(event: StoredEvent) -> dict[str, Any]:
    """An event in the native REST API's ids, names and shapes."""
    payload = event.payload
    data: dict[str, Any]
    if event.type == "group.completed":
        data = {"groupId": event.group_id, "status": payload.get("status")}
    else:
        status = _JOB_STATUS.get(event.type) or NATIVE_STATUS[JobStatus(payload["status"])]
        data = {"id": event.job_id, "groupId": event.group_id, "status": status}
        if "targetLocale" in payload:
            data["targetLocale"] = payload["targetLocale"]
        if event.type == "job.progress":
            data["progress"] = {"unitsDone": payload["unitsDone"],
                                "unitsTotal": payload["unitsTotal"]}  # fmt: skip
        if "errorMessage" in payload:
            data["errorMessage"] = payload["errorMessage"]
    return {"type": "event", "id": event.seq, "event": event.type, "groupId": event.group_id,
            "jobId": event.job_id, "data": data, "createdAt": iso_ms(event.created_at)}  # fmt: skip


class _Replay:
    """A queued instruction to the sender: replay stored events after `after` first."""

    def __init__(self, after: int, groups: list[str] | None) -> None:
        self.after = after
        self.groups = groups


@router.websocket("/ws")
async def events_socket(websocket: WebSocket) -> None:
    services: Core = websocket.app.state.core
    hub: EventHub = websocket.app.state.hub
    origin = websocket.headers.get("origin")
    if origin is not None and origin not in services.settings.ws_allowed_origins:
        await websocket.close(code=1008, reason="origin not allowed")  # before accept: 403
        return
    await websocket.accept()
    try:
        org = await anyio.to_thread.run_sync(_authenticate, services, websocket)
    except DragomanError as exc:
        await websocket.send_json({"type": "error", "error": exc.message, "statusCode": 401})
        await websocket.close(code=4401)
        return
    sub = Subscription(org.id)
    commands: asyncio.Queue[_Replay] = asyncio.Queue()
    hub.add(sub)
    sender = asyncio.create_task(_send_loop(websocket, services, sub, commands))
    receiver = asyncio.create_task(_receive_loop(websocket, services, org, sub, commands))
    try:
        # Whichever ends first ends the connection: a sender that fails must not leave a
        # subscription that answers pings but never sends another event (issue 9).
        done, _ = await asyncio.wait({sender, receiver}, return_when=asyncio.FIRST_COMPLETED)
        failed = next((t.exception() for t in done if not t.cancelled() and t.exception()), None)
        if failed is not None and not isinstance(failed, WebSocketDisconnect):
            log.error("WebSocket connection failed", exc_info=failed)
            with contextlib.suppress(Exception):
                await websocket.close(code=1011, reason="server error; reconnect with lastEventId")
    finally:
        hub.remove(sub)
        for task in (sender, receiver):
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.gather(sender, receiver, return_exceptions=True)


def _authenticate(services: Core, websocket: WebSocket) -> Organization:
    key = websocket.headers.get("x-api-key")
    token = websocket.query_params.get("token")
    if token and not key:
        with services.db.write() as conn:
            return org_settings.redeem_ws_token(conn, token)
    with services.db.read() as conn:
        return orgs.authenticate(conn, key)


async def _receive_loop(
    websocket: WebSocket,
    services: Core,
    org: Organization,
    sub: Subscription,
    commands: asyncio.Queue[_Replay],
) -> None:
    while True:
        try:
            message = json.loads(await websocket.receive_text())
            action = message.get("action") if isinstance(message, dict) else None
        except ValueError:
            action = None
        if action == "ping":
            await websocket.send_json({"type": "pong"})
            continue
        if action != "subscribe":
            await _error(websocket, 422, 'send {"action": "subscribe", "groups": [...]}')
            continue
        groups = message.get("groups")
        every = message.get("all") is True
        last = message.get("lastEventId")
        if not every and (not isinstance(groups, list) or not groups
                          or not all(isinstance(g, str) for g in groups)):  # fmt: skip
            await _error(websocket, 422, "groups must be a non-empty array of group ids")
            continue
        if last is not None and (
            not isinstance(last, int) or isinstance(last, bool) or not 0 <= last <= MAX_EVENT_ID
        ):
            await _error(
                websocket, 422, f"lastEventId must be an event id: an integer 0..{MAX_EVENT_ID}"
            )
            continue
        cap = services.settings.ws_max_subscription_ids
        if not every and len(set(groups) | (sub.groups or set())) > cap:
            await _error(
                websocket,
                422,
                f"at most {cap} group ids per connection (ws_max_subscription_ids)"
                '; subscribe with "all": true, or open another connection',
            )
            continue
        if not every:
            missing = [g for g in groups if not has_prefix(g, "ljg")]  # never sent to the DB
            missing = missing or await anyio.to_thread.run_sync(
                _foreign_groups, services, org.id, groups
            )
            if missing:  # another organization's group looks exactly like a missing one
                await _error(websocket, 404, f"job group {missing[0][:80]!a} not found")
                continue
        if last is not None:  # before widening the filter, so replay precedes live events
            await commands.put(_Replay(last, None if every else list(groups)))
        if every:
            sub.groups = None
        elif sub.groups is not None:
            sub.groups.update(groups)
        await websocket.send_json({"type": "subscribed", "all": sub.groups is None,
                                   "groups": sorted(sub.groups or [])})  # fmt: skip


def _foreign_groups(services: Core, org_id: str, groups: list[str]) -> list[str]:
    with services.db.read() as conn:
        own = queries.owned_groups(conn, org_id, groups)
    return [g for g in groups if g not in own]


async def _send_loop(
    websocket: WebSocket, services: Core, sub: Subscription, commands: asyncio.Queue[_Replay]
) -> None:
    sent: set[int] = set()
    while True:
        while not commands.empty():
            replay = commands.get_nowait()
            after = replay.after
            while True:
                page = await anyio.to_thread.run_sync(_replay_page, services, sub.org_id,
                                                      replay.groups, after)  # fmt: skip
                for event in page:
                    if event.seq not in sent:
                        sent.add(event.seq)
                        await websocket.send_json(render_event(event))
                if len(page) < REPLAY_PAGE:
                    break
                after = page[-1].seq
        try:
            item = await asyncio.wait_for(sub.queue.get(), 0.2)
        except TimeoutError:
            continue
        if item is None:  # the hub gave up on us (too slow) or is stopping
            await websocket.close(code=1013, reason="reconnect with lastEventId")
            return
        if item.seq not in sent:
            sent.add(item.seq)
            await websocket.send_json(render_event(item))
        if len(sent) > 100_000:
            sent = {seq for seq in sent if seq > item.seq - 10_000}


def _replay_page(
    services: Core, org_id: str, groups: list[str] | None, after: int
) -> list[StoredEvent]:
    with services.db.read() as conn:
        return read_after(conn, after, org_id=org_id, groups=groups, limit=REPLAY_PAGE)


async def _error(websocket: WebSocket, status: int, message: str) -> None:
    await websocket.send_json({"type": "error", "error": message, "statusCode": status})
