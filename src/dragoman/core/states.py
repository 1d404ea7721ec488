"""The job lifecycle as data: one table of legal moves, and the status each move leads to.

Every state change goes through `core/transitions.py::apply`, which turns a row of this table
into a conditional UPDATE (`WHERE status IN sources`), so an illegal move changes nothing and
is reported (409) instead of silently overwriting a state.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from dragoman.core.status import FINAL, JobStatus
from dragoman.errors import InvalidTransitionError

S = JobStatus


class Move(StrEnum):
    """What happens to a job."""

    SUBMIT = "submit"
    ANALYZE_CLAIM = "analyze.claim"
    ANALYZE_DONE = "analyze.done"
    AUTHORIZE = "authorize"
    CLAIM = "claim"
    RELEASE = "release"
    MACHINE_DONE = "machine.done"
    FAIL = "fail"
    TAKE = "take"
    DELIVER = "deliver"
    HAND_OVER = "hand_over"  # a first pass delivered: available again for its edit pass
    APPROVE = "approve"
    REVISE = "revise"
    REJECT = "reject"
    CANCEL = "cancel"


class Workflow(StrEnum):
    """Who finishes a job after machine translation: nobody (machine) or people (human)."""

    MACHINE = "machine"
    HUMAN = "human"


@dataclass(frozen=True, slots=True)
class Transition:
    """One legal move: from any of `sources` to `target`, made by `actor`."""

    move: Move
    sources: frozenset[JobStatus]
    target: JobStatus
    actor: str
    leased: bool = False  # the mover must hold the job's lease (worker moves)


def _t(
    move: Move, sources: set[JobStatus], target: JobStatus, actor: str, leased: bool = False
) -> Transition:
    return Transition(move, frozenset(sources), target, actor, leased)


TRANSITIONS: tuple[Transition, ...] = (
    _t(Move.ANALYZE_CLAIM, {S.CREATED}, S.ANALYZING, "worker"),
    _t(Move.ANALYZE_DONE, {S.ANALYZING}, S.QUOTED, "worker", leased=True),
    _t(Move.AUTHORIZE, {S.CREATED, S.QUOTED}, S.QUEUED, "customer"),
    # A translating job whose lease expired is claimable too: `apply` adds that condition.
    _t(Move.CLAIM, {S.QUEUED, S.TRANSLATING}, S.TRANSLATING, "worker"),
    _t(Move.RELEASE, {S.TRANSLATING}, S.QUEUED, "worker", leased=True),
    _t(Move.MACHINE_DONE, {S.TRANSLATING}, S.COMPLETED, "worker", leased=True),
    _t(Move.FAIL, {S.ANALYZING, S.TRANSLATING}, S.FAILED, "worker", leased=True),
    _t(Move.TAKE, {S.AVAILABLE}, S.IN_PROGRESS, "translator"),
    _t(Move.DELIVER, {S.IN_PROGRESS, S.REVISING}, S.REVIEWABLE, "translator"),
    # A job with an edit pass: its translator's delivery goes to a second translator first.
    _t(Move.HAND_OVER, {S.IN_PROGRESS}, S.AVAILABLE, "translator"),
    _t(Move.APPROVE, {S.REVIEWABLE}, S.COMPLETED, "customer"),
    _t(Move.REVISE, {S.REVIEWABLE}, S.REVISING, "customer"),
    _t(Move.REJECT, {S.REVIEWABLE}, S.AVAILABLE, "customer"),
    _t(
        Move.CANCEL,
        {S.CREATED, S.ANALYZING, S.QUOTED, S.QUEUED, S.AVAILABLE, S.TRANSLATING},
        S.CANCELLED,
        "customer",
    ),
)
_BY_MOVE = {t.move: t for t in TRANSITIONS}

# States a worker may claim: the partial index and the sweeper take them from here.
CLAIMABLE = frozenset({S.QUEUED, S.ANALYZING, S.TRANSLATING})
# States in which a worker holds a lease (renewed while it works, fenced on every write).
LEASED = frozenset({S.ANALYZING, S.TRANSLATING})


def transition(move: Move) -> Transition:
    """The table's row for `move`."""
    return _BY_MOVE[move]


def next_status(
    status: JobStatus | None,
    move: Move,
    *,
    workflow: Workflow = Workflow.MACHINE,
    auto_approve: bool = False,
    authorized: bool = False,
) -> JobStatus:
    """Where `move` takes a job in `status`; InvalidTransitionError when it is not legal."""
    if move == Move.SUBMIT:
        return S.QUEUED if authorized or status is None else S.CREATED
    row = _BY_MOVE[move]
    if status not in row.sources:
        raise InvalidTransitionError(
            f"a job that is {status} cannot be moved by {move}"
            + (" (it is final)" if status in FINAL else "")
        )
    if move == Move.MACHINE_DONE and workflow == Workflow.HUMAN:
        return S.AVAILABLE
    if move == Move.DELIVER and auto_approve:
        return S.COMPLETED
    if move == Move.ANALYZE_DONE and authorized:
        return S.QUEUED
    return row.target
