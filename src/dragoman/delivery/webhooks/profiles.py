"""Webhook bodies per surface: each group's deliveries are rendered by the surface that
created it (the composition root passes the renderers, so delivery imports no surface)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, select

from dragoman.delivery.webhooks.outbox import Delivery
from dragoman.store.tables import job_groups

Renderer = Callable[[Connection, Delivery], bytes]


@dataclass(frozen=True, slots=True)
class CallbackProfile:
    """How one surface calls back: the body it sends for a delivery, and where it differs
    from the deliverer's defaults (POST, the settings' retry schedule): its HTTP method, a
    header carrying the attempt number (1, 2, ...), and its own retry schedule (seconds
    after the first attempt; attempts = retries + 1). Which events go to which URL is the
    group's (`outbox.callback_targets`); signing (Standard Webhooks) is shared. A profile
    may also name its body's content type and a size above which nothing is sent."""

    surface: str
    render: Renderer
    method: str = "POST"
    attempt_header: str | None = None
    schedule: Sequence[float] | None = None
    content_type: str | None = None  # the body's type, when it is not JSON
    max_payload_bytes: int | None = None  # larger bodies are not sent (the delivery fails)


class RendererBySurface:
    """Picks the renderer of the surface recorded on the delivery's group."""

    def __init__(
        self,
        renderers: Mapping[str, Renderer],
        default: str = "native",
        profiles: Mapping[str, CallbackProfile] | None = None,
    ) -> None:
        self.renderers = dict(renderers)
        self.default = default
        self.profiles = dict(profiles or {})

    @classmethod
    def from_profiles(
        cls, profiles: Mapping[str, CallbackProfile], default: str = "native"
    ) -> RendererBySurface:
        """The renderers of these profiles, by surface name."""
        renderers = {name: profile.render for name, profile in profiles.items()}
        return cls(renderers, default, profiles)

    def profile_of(self, conn: Connection, delivery: Delivery) -> CallbackProfile | None:
        """The profile of the delivery's surface, when it has one beyond a renderer."""
        if not self.profiles:
            return None
        return self.profiles.get(self._surface(conn, delivery))

    def _surface(self, conn: Connection, delivery: Delivery) -> str:
        surface = conn.execute(
            select(job_groups.c.surface).where(job_groups.c.id == delivery.group_id)
        ).scalar()
        return surface or self.default

    def __call__(self, conn: Connection, delivery: Delivery) -> bytes:
        surface = self._surface(conn, delivery)
        render = self.renderers.get(surface) or self.renderers[self.default]
        return render(conn, delivery)
