"""LanguageWire document-job status names, from the core's job status in one table."""

from __future__ import annotations

from dragoman.core.status import JobStatus

S = JobStatus
LANGUAGEWIRE_STATUS: dict[JobStatus, str] = {
    S.CREATED: "CREATED",
    S.ANALYZING: "CREATED",
    S.QUOTED: "CREATED",
    S.QUEUED: "CREATED",
    S.TRANSLATING: "IN_PROGRESS",
    S.AVAILABLE: "IN_PROGRESS",
    S.IN_PROGRESS: "IN_PROGRESS",
    S.REVIEWABLE: "IN_PROGRESS",
    S.REVISING: "IN_PROGRESS",
    S.COMPLETED: "SUCCESS",
    S.FAILED: "FAILED",
    S.CANCELLED: "FAILED",
}
