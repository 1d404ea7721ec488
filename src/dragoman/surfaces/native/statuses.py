"""The native surface's status names, mapped from core states in one table."""

from __future__ import annotations

from dragoman.core.status import JobStatus

NATIVE_STATUS: dict[JobStatus, str] = {
    JobStatus.CREATED: "queued",
    JobStatus.ANALYZING: "queued",
    JobStatus.QUOTED: "queued",
    JobStatus.QUEUED: "queued",
    JobStatus.TRANSLATING: "processing",
    JobStatus.AVAILABLE: "processing",
    JobStatus.IN_PROGRESS: "processing",
    JobStatus.REVIEWABLE: "processing",
    JobStatus.REVISING: "processing",
    JobStatus.COMPLETED: "completed",
    JobStatus.FAILED: "failed",
    JobStatus.CANCELLED: "failed",
}

CORE_STATUSES: dict[str, list[str]] = {}
for _core, _native in NATIVE_STATUS.items():
    CORE_STATUSES.setdefault(_native, []).append(str(_core))
