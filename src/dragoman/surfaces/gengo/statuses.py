"""Core job states as Gengo names them, and back (for `GET /translate/jobs?status=`)."""

from __future__ import annotations

from dragoman.core.status import JobStatus

S = JobStatus
GENGO_STATUS: dict[JobStatus, str] = {
    S.CREATED: "queued",
    S.ANALYZING: "queued",
    S.QUOTED: "queued",
    S.QUEUED: "queued",
    S.TRANSLATING: "queued",  # the machine draft is being made
    S.AVAILABLE: "available",
    S.IN_PROGRESS: "pending",
    S.REVIEWABLE: "reviewable",
    S.REVISING: "revising",
    S.COMPLETED: "approved",
    S.CANCELLED: "cancelled",
    S.FAILED: "hold",  # the pre-translation failed: the job needs the operator
}
REJECTED = "rejected"  # a job rejected with follow_up cancel (core: cancelled)


def gengo_status(status: JobStatus, rejected: bool = False) -> str:
    """The Gengo name of a job's state."""
    if rejected and status == S.CANCELLED:
        return REJECTED
    return GENGO_STATUS[status]


def core_statuses(name: str) -> tuple[frozenset[JobStatus], bool | None] | None:
    """The core states a Gengo status filter means, and whether it asks for rejected jobs
    (None: either); None for an unknown name ("canceled" is accepted too)."""
    name = {"canceled": "cancelled"}.get(name, name)
    if name == REJECTED:
        return frozenset({S.CANCELLED}), True
    found = frozenset(s for s, n in GENGO_STATUS.items() if n == name)
    if not found:
        return None
    return found, (False if name == "cancelled" else None)
