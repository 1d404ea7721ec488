"""TranslatePlus status names, from the core's group status in one table."""

from __future__ import annotations

from dragoman.core.status import GroupStatus

# TranslatePlus reports one status per uploaded file, which is our job group.
TRANSLATEPLUS_STATUS: dict[GroupStatus, str] = {
    GroupStatus.PENDING: "pending",
    GroupStatus.PROCESSING: "processing",
    GroupStatus.COMPLETED: "completed",
    GroupStatus.PARTIAL: "partial",
    GroupStatus.FAILED: "failed",
}
