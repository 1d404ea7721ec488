"""Requests per minute per organization, for every surface's authentication dependency."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dragoman.core.orgs import Organization
    from dragoman.core.service import Core


def admit(core: Core, org: Organization) -> Organization:
    """`org`, once its request fits in DRAGOMAN_QUOTA_REQUESTS_PER_MINUTE; RateLimitedError
    (429 with Retry-After) beyond it. In memory, no await: it costs the event loop nothing."""
    core.rate_limiter.check(org.id)
    return org
