"""What a native webhook carries: the job as `GET /jobs/localization/{jobId}` returns it (or a
thin reference plus a fetch URL when that is too large), or the group as its GET returns it."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection

from dragoman.core import queries
from dragoman.delivery.webhooks.outbox import Delivery
from dragoman.errors import NotFoundError
from dragoman.settings import Settings
from dragoman.surfaces.native import schemas
from dragoman.timefmt import iso_ms, utcnow

THIN_FIELDS = ("id", "groupId", "engineId", "targetLocale", "status", "errorMessage",
               "callbackStatus", "createdAt", "startedAt", "completedAt")  # fmt: skip


class NativeWebhookPayloads:
    """Renders a delivery's body; the deliverer calls it once and freezes the bytes."""

    def __init__(self, settings: Settings) -> None:
        self.max_bytes = settings.webhook_max_payload_bytes
        self.base_url = (settings.public_url or f"http://{settings.host}:{settings.port}").rstrip(
            "/"
        )

    def __call__(self, conn: Connection, delivery: Delivery) -> bytes:
        envelope: dict[str, Any] = {"type": delivery.event_type, "timestamp": iso_ms(utcnow())}
        if delivery.job_id is None:
            group = queries.get_group(conn, delivery.org_id, delivery.group_id)
            envelope["data"] = schemas.render_group(group)
            return _dump(envelope)
        fetch_url = f"{self.base_url}/jobs/localization/{delivery.job_id}"
        try:
            job = schemas.render_job(queries.get_job(conn, delivery.org_id, delivery.job_id))
        except NotFoundError as exc:  # expired before it could be sent: say so, thinly
            envelope["data"] = {"id": delivery.job_id, "groupId": delivery.group_id,
                                "outputOmitted": True, "errorMessage": exc.message}  # fmt: skip
            return _dump(envelope)
        envelope["data"] = job
        body = _dump(envelope)
        if len(body) <= self.max_bytes:
            return body
        envelope["data"] = {k: job[k] for k in THIN_FIELDS} | {
            "outputOmitted": True,
            "outputUrl": fetch_url,
        }
        return _dump(envelope)


def _dump(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
