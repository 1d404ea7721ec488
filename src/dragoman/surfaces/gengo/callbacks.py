"""Gengo's callback profile: a form-encoded POST with the job payload as JSON in the field
`job` on every status change, or the comment in the field `comment` when a translator
comments; retried on Gengo's schedule (every 15 minutes for 12 hours by default) until a
2xx; a payload over 60 KB is not sent."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Connection

from dragoman.core import gengo_views
from dragoman.core.gengo_orders import SURFACE
from dragoman.core.status import JobStatus
from dragoman.delivery.webhooks.outbox import Delivery, event_payload
from dragoman.delivery.webhooks.profiles import CallbackProfile
from dragoman.settings import Settings
from dragoman.surfaces.gengo.schemas import render_job
from dragoman.surfaces.gengo.statuses import gengo_status

MAX_PAYLOAD_BYTES = 60 * 1024
FORM = "application/x-www-form-urlencoded"


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def render_callback(conn: Connection, delivery: Delivery, base_url: str = "") -> bytes:
    """`job=<payload JSON>`, with the status the event recorded; or `comment=<JSON>`."""
    job = gengo_views.job_by_core_id(conn, delivery.job_id) if delivery.job_id else None
    if job is None:  # deleted before it could be sent: say so, thinly
        return urlencode({"job": _compact({"status": "deleted"})}).encode()
    payload = event_payload(conn, delivery)
    if delivery.event_type == "job.comment":
        found = gengo_views.comment_of(conn, payload.get("commentId"))
        comment = {
            "job_id": str(job.number),
            "body": found[0] if found is not None else "",
            "ctime": str(int(found[1].timestamp())) if found is not None else "",
            "custom_data": job.custom_data or "",
        }
        return urlencode({"comment": _compact(comment)}).encode()
    body = render_job(job, base_url)
    status = payload.get("status")
    if isinstance(status, str) and status in JobStatus.__members__.values():
        body["status"] = gengo_status(JobStatus(status), job.rejected)
    return urlencode({"job": _compact(body)}).encode()


def profile(settings: Settings) -> CallbackProfile:
    """The profile with the configured retry schedule."""
    base_url = settings.public_url or ""
    return CallbackProfile(
        SURFACE,
        lambda conn, delivery: render_callback(conn, delivery, base_url),
        content_type=FORM,
        max_payload_bytes=MAX_PAYLOAD_BYTES,
        schedule=tuple(settings.gengo_callback_retry_schedule),
    )
