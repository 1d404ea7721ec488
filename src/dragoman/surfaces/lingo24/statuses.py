"""Lingo24 job and project status names, from the core's in one table each."""

from __future__ import annotations

from dragoman.core.projects import ProjectStatus
from dragoman.core.status import JobStatus

S = JobStatus
LINGO24_JOB_STATUS: dict[JobStatus, str] = {
    S.CREATED: "NEW",
    S.ANALYZING: "ANALYZING",
    S.QUOTED: "QUOTED",
    S.QUEUED: "IN_PROGRESS",
    S.TRANSLATING: "IN_PROGRESS",
    S.AVAILABLE: "IN_PROGRESS",
    S.IN_PROGRESS: "IN_PROGRESS",
    S.REVIEWABLE: "IN_PROGRESS",
    S.REVISING: "IN_PROGRESS",
    S.COMPLETED: "TRANSLATED",
    S.FAILED: "CANCELLED",  # Lingo24 has no failure state; `errorMessage` says why
    S.CANCELLED: "CANCELLED",
}
LINGO24_PROJECT_STATUS: dict[ProjectStatus, str] = {s: s.value.upper() for s in ProjectStatus}
PROJECT_STATUS_BY_NAME: dict[str, ProjectStatus] = {v: k for k, v in LINGO24_PROJECT_STATUS.items()}
