"""Webhook bodies per surface: each group's deliveries are rendered by the surface that
created it (the composition root passes the renderers, so delivery imports no surface)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, select

from dragoman.delivery.webhooks.outbox import Delivery
from dragoman.store.tables import job_groups

Renderer = Callable[[Connection, Delivery], bytes]


@dataclass(frozen=True, slots=True)
class CallbackProfile:
    """How one surface calls back: the body it sends for a delivery. Which events go to
    which URL is the group's (`outbox.callback_targets`); signing (Standard Webhooks),
    method (POST) and the retry schedule are the deliverer's, shared by every surface."""

    surface: str
    render: Renderer


class RendererBySurface:
    """Picks the renderer of the surface recorded on the delivery's group."""

    def __init__(self, renderers: Mapping[str, Renderer], default: str = "native") -> None:
        self.renderers = dict(renderers)
        self.default = default

    @classmethod
    def from_profiles(
        cls, profiles: Mapping[str, CallbackProfile], default: str = "native"
    ) -> RendererBySurface:
        """The renderers of these profiles, by surface name."""
        return cls({name: profile.render for name, profile in profiles.items()}, default)

    def __call__(self, conn: Connection, delivery: Delivery) -> bytes:
        surface = conn.execute(
            select(job_groups.c.surface).where(job_groups.c.id == delivery.group_id)
        ).scalar()
        render = self.renderers.get(surface or self.default) or self.renderers[self.default]
        return render(conn, delivery)
