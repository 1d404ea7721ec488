"""The outbox: every state change writes its event row in the same transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert

from dragoman.delivery.webhooks import outbox
from dragoman.ids import new_id
from dragoman.store.tables import events
from dragoman.timefmt import utcnow

_INSERT_EVENTS = insert(events)


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened to a job or group, to be delivered at least once."""

    type: str
    org_id: str
    group_id: str | None
    job_id: str | None
    payload: dict[str, Any]


def record_events(conn: Connection, batch: Sequence[Event]) -> None:
    """Insert `batch` in the caller's transaction, so it commits with the state change."""
    if not batch:
        return
    now = utcnow()
    rows = [
        {
            "id": new_id("evt"),
            "org_id": e.org_id,
            "group_id": e.group_id,
            "job_id": e.job_id,
            "type": e.type,
            "payload": e.payload,
            "created_at": now,
        }
        for e in batch
    ]
    conn.execute(insert(events), rows)
    # Final states also owe a webhook: its delivery row commits with the event (outbox).
    outbox.enqueue(conn, rows)
