"""Webhook bodies per surface: each group's deliveries are rendered by the surface that
created it (the composition root passes the renderers, so delivery imports no surface)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sqlalchemy import Connection, select

from dragoman.delivery.webhooks.outbox import Delivery
from dragoman.store.tables import job_groups

Renderer = Callable[[Connection, Delivery], bytes]


class RendererBySurface:
    """Picks the renderer of the surface recorded on the delivery's group."""

    def __init__(self, renderers: Mapping[str, Renderer], default: str = "native") -> None:
        self.renderers = dict(renderers)
        self.default = default

    def __call__(self, conn: Connection, delivery: Delivery) -> bytes:
        surface = conn.execute(
            select(job_groups.c.surface).where(job_groups.c.id == delivery.group_id)
        ).scalar()
        render = self.renderers.get(surface or self.default) or self.renderers[self.default]
        return render(conn, delivery)
