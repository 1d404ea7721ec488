"""Group status derivation (pure)."""

from __future__ import annotations

import pytest

from dragoman.core.status import GroupStatus, group_status


@pytest.mark.parametrize(
    ("states", "expected"),
    [
        (["queued", "queued"], GroupStatus.PENDING),
        (["translating", "queued"], GroupStatus.PROCESSING),
        (["completed", "queued", "queued"], GroupStatus.PROCESSING),
        (["completed", "translating"], GroupStatus.PROCESSING),
        (["completed", "completed"], GroupStatus.COMPLETED),
        (["completed", "failed"], GroupStatus.PARTIAL),
        (["failed", "cancelled"], GroupStatus.FAILED),
        (["failed"], GroupStatus.FAILED),
        (["completed", "cancelled"], GroupStatus.PARTIAL),
    ],
)
def test_group_status(states: list[str], expected: GroupStatus) -> None:
    assert group_status(states) == expected


def test_unknown_state_is_rejected() -> None:
    with pytest.raises(ValueError, match="done"):
        group_status(["done"])
