"""What a TranslatePlus `webhook_url` receives: the job object as `GET /v2/i18n/jobs/{id}`
returns it, with the event that triggered the delivery."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from sqlalchemy import Connection

from dragoman.core import queries
from dragoman.delivery.webhooks.outbox import Delivery
from dragoman.errors import NotFoundError
from dragoman.settings import Settings
from dragoman.surfaces.translateplus.routes import CLIENT
from dragoman.surfaces.translateplus.schemas import render_job


class TranslatePlusWebhookPayloads:
    """Renders a delivery's body for a TranslatePlus job; the deliverer freezes the bytes."""

    def __init__(self, settings: Settings) -> None:
        base = settings.public_url or f"http://{settings.host}:{settings.port}"
        self.base_url = base.rstrip("/")

    def file_url(self, job_id: str, language: str) -> str:
        return f"{self.base_url}{CLIENT}/{quote(job_id)}/download/{quote(language)}"

    def __call__(self, conn: Connection, delivery: Delivery) -> bytes:
        body: dict[str, Any] = {"event": delivery.event_type}
        try:
            group = queries.get_group(conn, delivery.org_id, delivery.group_id)
        except NotFoundError:  # deleted before it could be sent: say so, thinly
            body |= {"id": delivery.group_id, "job_id": delivery.group_id, "status": "deleted"}
            return _dump(body)
        body |= render_job(group, self.file_url)
        if delivery.job_id is not None:  # one language's job became final
            body["language_code"] = next(
                (j.target_locale for j in group.jobs if j.id == delivery.job_id), None
            )
        return _dump(body)


def _dump(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
