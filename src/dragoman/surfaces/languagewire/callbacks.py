"""LanguageWire's callback profile: on success a POST to `successCallbackUrl`, on failure to
`errorCallbackUrl`, each with the job info as JSON (signed and retried by the deliverer)."""

from __future__ import annotations

import json

from sqlalchemy import Connection

from dragoman.core import aliases, queries
from dragoman.delivery.webhooks.outbox import Delivery
from dragoman.delivery.webhooks.profiles import CallbackProfile
from dragoman.errors import NotFoundError
from dragoman.surfaces.languagewire.schemas import ALIAS_KIND, SURFACE, render_job


def render_callback(conn: Connection, delivery: Delivery) -> bytes:
    """The job info of the delivery's job, as `GET /v2/documents/{jobId}` returns it."""
    job_id = aliases.alias_of(conn, surface=SURFACE, kind=ALIAS_KIND, core_id=delivery.group_id)
    try:
        group = queries.get_group(conn, delivery.org_id, delivery.group_id)
    except NotFoundError:  # deleted before it could be sent: say so, thinly
        body: dict[str, object] = {"jobId": job_id, "status": "DELETED"}
    else:
        body = render_job(job_id or delivery.group_id, group)
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


PROFILE = CallbackProfile(SURFACE, render_callback)
