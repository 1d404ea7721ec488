"""What the core needs from the layers that drive it, as protocols (core never imports them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class Dispatch(Protocol):
    """Hands committed job ids to whatever runs jobs (embedded threads, Dramatiq)."""

    def dispatch(self, job_ids: Sequence[str], *, tenant: str | None = None) -> None: ...


class Notify(Protocol):
    """Wakes the deliverer and WebSocket hubs after events were committed."""

    def notify(self) -> None: ...
