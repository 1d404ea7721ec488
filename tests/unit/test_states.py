"""The table of legal moves: where each move leads, and what it refuses."""

from __future__ import annotations

import pytest

from dragoman.core.states import CLAIMABLE, LEASED, TRANSITIONS, Move, Workflow, next_status
from dragoman.core.status import FINAL, JobStatus
from dragoman.errors import InvalidTransitionError

S = JobStatus


def test_machine_and_human_workflows_end_where_the_table_says() -> None:
    assert next_status(None, Move.SUBMIT) == S.QUEUED
    assert next_status(S.QUEUED, Move.CLAIM) == S.TRANSLATING
    assert next_status(S.TRANSLATING, Move.MACHINE_DONE) == S.COMPLETED
    human = next_status(S.TRANSLATING, Move.MACHINE_DONE, workflow=Workflow.HUMAN)
    assert human == S.AVAILABLE
    assert next_status(S.AVAILABLE, Move.TAKE) == S.IN_PROGRESS
    assert next_status(S.IN_PROGRESS, Move.DELIVER) == S.REVIEWABLE
    assert next_status(S.IN_PROGRESS, Move.DELIVER, auto_approve=True) == S.COMPLETED
    assert next_status(S.REVIEWABLE, Move.REVISE) == S.REVISING
    assert next_status(S.REVISING, Move.DELIVER) == S.REVIEWABLE
    assert next_status(S.REVIEWABLE, Move.APPROVE) == S.COMPLETED
    assert next_status(S.ANALYZING, Move.ANALYZE_DONE) == S.QUOTED
    assert next_status(S.ANALYZING, Move.ANALYZE_DONE, authorized=True) == S.QUEUED


@pytest.mark.parametrize("final", sorted(FINAL))
@pytest.mark.parametrize("move", [t.move for t in TRANSITIONS])
def test_no_move_leaves_a_final_state(final: JobStatus, move: Move) -> None:
    with pytest.raises(InvalidTransitionError) as caught:
        next_status(final, move)
    assert caught.value.status_code == 409


def test_claimable_and_leased_states_come_from_the_table() -> None:
    claim = next(t for t in TRANSITIONS if t.move == Move.CLAIM)
    assert claim.sources <= CLAIMABLE
    assert LEASED <= CLAIMABLE
    assert all(t.leased for t in TRANSITIONS if t.actor == "worker" and t.sources <= LEASED)
