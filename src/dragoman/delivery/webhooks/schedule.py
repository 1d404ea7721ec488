"""When the next attempt is due: the retry schedule, counted from the first attempt."""

from __future__ import annotations

import email.utils
from collections.abc import Sequence
from datetime import datetime, timedelta

MAX_RETRY_AFTER_SECONDS = 24 * 3600.0


def next_attempt_at(
    first_attempt_at: datetime,
    attempts_made: int,
    schedule: Sequence[float],
    now: datetime,
    retry_after: float | None = None,
) -> datetime | None:
    """When to try again after `attempts_made` failed attempts, or None when the schedule is
    exhausted. `schedule[i]` is seconds after the first attempt; a receiver's `Retry-After`
    pushes the attempt later, never earlier."""
    if attempts_made > len(schedule):
        return None
    due = first_attempt_at + timedelta(seconds=schedule[attempts_made - 1])
    if retry_after is not None:
        due = max(due, now + timedelta(seconds=min(retry_after, MAX_RETRY_AFTER_SECONDS)))
    return max(due, now)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds a `Retry-After` header asks for (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())
