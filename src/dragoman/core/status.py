"""Job states and the group status derived from them (pure functions, never stored)."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class JobStatus(StrEnum):
    """Core job states; each surface maps them to its own names."""

    CREATED = "created"
    ANALYZING = "analyzing"
    QUOTED = "quoted"
    QUEUED = "queued"
    TRANSLATING = "translating"
    AVAILABLE = "available"
    IN_PROGRESS = "in_progress"
    REVIEWABLE = "reviewable"
    REVISING = "revising"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINAL = frozenset({JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED})
NOT_STARTED = frozenset(
    {JobStatus.CREATED, JobStatus.ANALYZING, JobStatus.QUOTED, JobStatus.QUEUED}
)


class GroupStatus(StrEnum):
    """Derived status of a job group."""

    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    PARTIAL = "partial"
    FAILED = "failed"


def group_status(statuses: Iterable[str]) -> GroupStatus:
    """pending: none started; completed/partial/failed: all final; processing otherwise."""
    states = [JobStatus(s) for s in statuses]
    if not states or all(s in NOT_STARTED for s in states):
        return GroupStatus.PENDING
    if not all(s in FINAL for s in states):
        return GroupStatus.PROCESSING
    completed = sum(s == JobStatus.COMPLETED for s in states)
    if completed == len(states):
        return GroupStatus.COMPLETED
    return GroupStatus.PARTIAL if completed else GroupStatus.FAILED


def is_final(status: str) -> bool:
    """True for completed, failed and cancelled."""
    return JobStatus(status) in FINAL
