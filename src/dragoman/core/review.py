"""The human moves of a job: take, deliver, approve, revise, reject, cancel; comments,
revisions and feedback. Each move is a conditional UPDATE on the job's state (plus, for a
translator, on who holds it) with its event in the same transaction: an illegal move
changes nothing and is an InvalidTransitionError (409) naming the state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from dragoman.core import human_pool, human_units
from dragoman.core.human_units import HumanJob, Segment
from dragoman.core.states import Move, Workflow, next_status, transition
from dragoman.core.status import FINAL, JobStatus, group_status
from dragoman.core.translators import Translator
from dragoman.delivery.events import Event, record_events
from dragoman.errors import (
    ConflictError,
    ForbiddenError,
    InvalidTransitionError,
    NotFoundError,
    ValidationError,
)
from dragoman.ids import has_prefix, new_id
from dragoman.store.review_tables import (
    human_jobs,
    job_comments,
    job_feedback,
    job_revisions,
    job_units,
)
from dragoman.store.tables import artifacts, job_groups, jobs
from dragoman.timefmt import utcnow

MAX_COMMENT_CHARS = 10_000
DEFAULT_REVIEW_HOURS = 72.0


class FollowUp(StrEnum):
    """What a rejected job becomes: work for another translator, or cancelled."""

    REQUEUE = "requeue"
    CANCEL = "cancel"


class Author(StrEnum):
    """Who wrote a comment."""

    CUSTOMER = "customer"
    TRANSLATOR = "translator"
    SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class Comment:
    """A comment on a job, in the order written."""

    id: str
    author: Author
    author_id: str | None
    author_name: str | None
    body: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Revision:
    """One delivered version of a job."""

    number: int
    translator_id: str | None
    targets: dict[str, str]
    output: str | None
    artifact_id: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Feedback:
    """The customer's rating (1-5) and words on approval."""

    rating: int | None
    text: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Rendered:
    """A delivery's output: a JSON object's text, or a file's artifact row (bytes stored)."""

    output: str | None = None
    artifact: dict[str, Any] | None = None


# --- finding jobs -------------------------------------------------------------------------


def _check_job_id(job_id: str) -> None:
    if not has_prefix(job_id, "ljb"):
        raise NotFoundError(f"job {job_id[:60]!a} not found", field="jobId")


def customer_job(conn: Connection, org_id: str, job_id: str) -> HumanJob:
    """The organization's human job; NotFoundError for other organizations' and machine jobs."""
    _check_job_id(job_id)
    job = human_units.get_human_job(conn, job_id)
    if job.org_id != org_id:
        raise NotFoundError(f"job {job_id!r} not found", field="jobId")
    return job


def translator_job(
    conn: Connection, translator: Translator, job_id: str, *, taking: bool = False
) -> HumanJob:
    """A job the translator may see: of their organization, tier and pairs, and offered to
    them (core/human_pool.py) or held by them (`taking`: in any state, so a late taker
    learns it was taken: 409); NotFoundError otherwise."""
    _check_job_id(job_id)
    job = human_units.get_human_job(conn, job_id)
    visible = (
        job.org_id == translator.org_id
        and job.tier == translator.tier
        and translator.covers(job.source_locale, job.target_locale)
        and (job.assignee_id == translator.id or _offered(conn, job, translator, taking))
    )
    if not visible:
        raise NotFoundError(f"job {job_id!r} not found", field="jobId")
    return job


def _offered(conn: Connection, job: HumanJob, translator: Translator, taking: bool) -> bool:
    """Available to the translator (`taking`: in any state, so that a late taker learns it
    was taken), as `human_pool` rules: exclusions, preferred head start, bundles."""
    if not human_pool.allowed(job, translator, utcnow()):
        return False
    if job.status != JobStatus.AVAILABLE:
        return taking
    return human_pool.bundle_ready(conn, job)


def _held(job: HumanJob, translator: Translator) -> None:
    if job.assignee_id != translator.id:
        raise ForbiddenError(f"job {job.job_id!r} is not held by this translator: take it first")
    if job.status not in (JobStatus.IN_PROGRESS, JobStatus.REVISING):
        raise InvalidTransitionError(
            f"job {job.job_id!r} is {job.status}: only a job in progress or being revised "
            "can be edited or delivered"
        )


# --- the one writer of human moves --------------------------------------------------------


def _move(
    conn: Connection,
    job: HumanJob,
    move: Move,
    *,
    target: JobStatus | None = None,
    assignee: str | None = None,
    human: dict[str, Any] | None = None,
    job_values: dict[str, Any] | None = None,
    payload: dict[str, Any] | None = None,
) -> JobStatus:
    """Apply `move` to `job` if it is still in one of the move's sources (and, with
    `assignee`, still held by them): the job's row, its human row and its events together."""
    status = target or next_status(job.status, move, workflow=Workflow.HUMAN)
    fence = [jobs.c.id == job.job_id, jobs.c.status.in_(sorted(transition(move).sources))]
    if assignee is not None:
        fence.append(
            jobs.c.id.in_(
                select(human_jobs.c.job_id).where(
                    human_jobs.c.job_id == job.job_id, human_jobs.c.assignee_id == assignee
                )
            )
        )
    now = utcnow()
    values: dict[str, Any] = {"status": status, **(job_values or {})}
    if status in FINAL:
        values["completed_at"] = now
    if conn.execute(update(jobs).where(*fence).values(**values)).rowcount != 1:
        current = conn.execute(select(jobs.c.status).where(jobs.c.id == job.job_id)).scalar()
        raise InvalidTransitionError(
            f"job {job.job_id!r} is {current} and cannot be moved by {move}"
            + (" (another translator took it first)" if move == Move.TAKE else "")
        )
    if human:
        conn.execute(update(human_jobs).where(human_jobs.c.job_id == job.job_id).values(**human))
    found = [
        Event(
            f"job.{status}",
            job.org_id,
            job.group_id,
            job.job_id,
            {"targetLocale": job.target_locale, "status": str(status), **(payload or {})},
        )
    ]
    if status in FINAL:
        found.extend(_group_end(conn, job))
    record_events(conn, found)
    return status


def _group_end(conn: Connection, job: HumanJob) -> list[Event]:
    """`group.completed` when this job was the last of its group to end (and the group's
    retention clock starts), as the worker's finish does."""
    group = conn.execute(
        select(job_groups.c.retain_seconds).where(job_groups.c.id == job.group_id).with_for_update()
    ).one()
    statuses = [
        r.status for r in conn.execute(select(jobs.c.status).where(jobs.c.group_id == job.group_id))
    ]
    if not all(JobStatus(s) in FINAL for s in statuses):
        return []
    if group.retain_seconds is not None:
        conn.execute(
            update(job_groups)
            .where(job_groups.c.id == job.group_id)
            .values(expires_at=utcnow() + timedelta(seconds=group.retain_seconds))
        )
    status = str(group_status(statuses))
    return [Event("group.completed", job.org_id, job.group_id, None, {"status": status})]


# --- translator moves ---------------------------------------------------------------------


def take(conn: Connection, translator: Translator, job_id: str) -> JobStatus:
    """The translator takes an available job (and the available jobs of its bundle); of
    concurrent takers exactly one wins, the others get InvalidTransitionError (409)."""
    job = translator_job(conn, translator, job_id, taking=True)
    now = utcnow()
    # A bundle is taken whole, its jobs locked in id order (see human_pool.bundle_mates).
    mates = human_pool.bundle_mates(conn, job, translator, now)
    status = job.status
    for each in sorted([job, *mates], key=lambda j: j.job_id):
        try:
            moved = _move(
                conn,
                each,
                Move.TAKE,
                human={"assignee_id": translator.id, "taken_at": now},
                payload={"translatorId": translator.id},
            )
        except InvalidTransitionError:
            if each is job:
                raise
            continue  # another taker had this one: the UPDATE changed nothing
        if each is job:
            status = moved
    return status


def save_segment(
    conn: Connection, translator: Translator, job_id: str, segment_id: int, target: str
) -> Segment:
    """Store the translator's draft of a segment of a job they hold."""
    job = translator_job(conn, translator, job_id)
    _held(job, translator)
    return human_units.save_target(conn, job_id, segment_id, target)


def check_deliverable(conn: Connection, translator: Translator, job_id: str) -> list[Segment]:
    """The segments of a job the translator holds, if they can be delivered; otherwise a
    ValidationError listing each empty segment and missing placeholder."""
    job = translator_job(conn, translator, job_id)
    _held(job, translator)
    segments = human_units.load_segments(conn, job_id)
    problems = human_units.delivery_problems(segments)
    if problems:
        listed = "; ".join(f"segment {p['segment']}: {p['message']}" for p in problems[:20])
        raise ValidationError(
            f"the job cannot be delivered yet: {listed}", field="segments", problems=problems
        )
    return segments


def deliver(
    conn: Connection,
    translator: Translator,
    job_id: str,
    segments: Sequence[Segment],
    rendered: Rendered,
    *,
    default_review_hours: float = DEFAULT_REVIEW_HOURS,
) -> JobStatus:
    """Deliver the version rendered from `segments` (what `check_deliverable` returned):
    reviewable (or completed when the job auto-approves; available again for a second
    translator when it was the first pass of a job with an edit pass), the version kept as a
    revision."""
    job = translator_job(conn, translator, job_id)
    _held(job, translator)
    now_targets = {s.id: s.target for s in human_units.load_segments(conn, job_id)}
    if now_targets != {s.id: s.target for s in segments}:
        raise ConflictError("segments changed while the job was being delivered; deliver again")
    move = Move.HAND_OVER if human_pool.hands_over(job) else Move.DELIVER
    status = next_status(job.status, move, auto_approve=job.auto_approve)
    now = utcnow()
    hours = job.review_hours if job.review_hours is not None else default_review_hours
    number = job.revision + 1
    human: dict[str, Any] = {
        "revision": number,
        "delivered_at": now,
        "review_due_at": now + timedelta(hours=hours) if status == JobStatus.REVIEWABLE else None,
    }
    if move == Move.HAND_OVER:  # to a second translator, for the edit pass
        human.update(assignee_id=None, edit_pass=True, ready_at=now,
                     excluded=human_pool.exclude(job, translator.id))  # fmt: skip
    values: dict[str, Any] = {"issues": [], "units_done": len(segments)}
    if rendered.artifact is not None:
        values["output_artifact_id"] = rendered.artifact["id"]
    else:
        values["output"] = rendered.output
    _move(
        conn,
        job,
        move,
        target=status,
        assignee=translator.id,
        job_values=values,
        human=human,
        payload={"revision": number, "translatorId": translator.id,
                 **({"editPass": True} if move == Move.HAND_OVER else {})},
    )  # fmt: skip
    if rendered.artifact is not None:
        conn.execute(insert(artifacts), rendered.artifact)
    conn.execute(
        insert(job_revisions).values(
            id=new_id("rev"), job_id=job_id, number=number, translator_id=translator.id,
            targets={str(s.id): s.target or "" for s in segments}, output=rendered.output,
            artifact_id=rendered.artifact["id"] if rendered.artifact else None, created_at=now,
        )
    )  # fmt: skip
    if status == JobStatus.COMPLETED:
        human_units.mark_approved(conn, job_id)
    return status


def add_translator_comment(
    conn: Connection, translator: Translator, job_id: str, body: str
) -> Comment:
    """A comment by the translator on a job they can see."""
    job = translator_job(conn, translator, job_id)
    return add_comment(conn, job, Author.TRANSLATOR, body, translator.id, translator.name)


# --- customer moves -----------------------------------------------------------------------


def approve(
    conn: Connection,
    org_id: str | None,
    job_id: str,
    *,
    rating: int | None = None,
    feedback: str | None = None,
) -> JobStatus:
    """Approve a reviewable job (`org_id` None: the sweeper, at its review deadline):
    completed, its segments approved human work (the caller then records them in the TM)."""
    job = human_units.get_human_job(conn, job_id) if org_id is None else (
        customer_job(conn, org_id, job_id)
    )  # fmt: skip
    if rating is not None and not 1 <= rating <= 5:
        raise ValidationError("rating must be 1-5", field="rating")
    if feedback is not None:
        check_text(feedback, "feedback")
    payload = {"approvedBy": "customer" if org_id is not None else "auto"}
    status = _move(conn, job, Move.APPROVE, human={"review_due_at": None}, payload=payload)
    human_units.mark_approved(conn, job_id)
    if rating is not None or feedback:
        conn.execute(
            insert(job_feedback).values(
                job_id=job_id, rating=rating, text=feedback or None, created_at=utcnow()
            )
        )
    return status


def revise(conn: Connection, org_id: str, job_id: str, comment: str) -> JobStatus:
    """Send a reviewable job back to its translator with a comment (required)."""
    job = customer_job(conn, org_id, job_id)
    if not comment or not comment.strip():
        raise ValidationError("a revision needs a comment saying what to change", field="comment")
    check_text(comment, "comment")
    status = _move(conn, job, Move.REVISE, human={"review_due_at": None})
    add_comment(conn, job, Author.CUSTOMER, comment)
    return status


def reject(
    conn: Connection,
    org_id: str,
    job_id: str,
    follow_up: FollowUp = FollowUp.REQUEUE,
    comment: str | None = None,
) -> JobStatus:
    """Reject a reviewable job: available again for another translator (the rejected one
    may not take it again; its drafts back to the machine suggestions; a job with an edit
    pass gets both passes again), or cancelled."""
    job = customer_job(conn, org_id, job_id)
    if comment is not None:
        check_text(comment, "comment")
    next_status(job.status, Move.REJECT)  # 409 naming the state before anything else
    if follow_up == FollowUp.REQUEUE:
        status = _move(
            conn,
            job,
            Move.REJECT,
            human={
                "assignee_id": None,
                "review_due_at": None,
                "ready_at": utcnow(),
                "edit_pass": False,
                "excluded": human_pool.exclude(job, job.assignee_id),
            },
            payload={"followUp": str(follow_up)},
        )
        human_units.reset_to_machine(conn, job_id)
    else:
        status = _move(
            conn,
            job,
            Move.REJECT,
            target=JobStatus.CANCELLED,
            human={"review_due_at": None},
            payload={"followUp": str(follow_up)},
        )
    if comment and comment.strip():
        add_comment(conn, job, Author.CUSTOMER, comment)
    return status


def cancel(conn: Connection, org_id: str, job_id: str) -> JobStatus:
    """Cancel a human job nobody has taken yet (available, or not pre-translated yet)."""
    job = customer_job(conn, org_id, job_id)
    return _move(conn, job, Move.CANCEL, human={"review_due_at": None})


def add_customer_comment(conn: Connection, org_id: str, job_id: str, body: str) -> Comment:
    """A comment by the customer on one of their human jobs."""
    return add_comment(conn, customer_job(conn, org_id, job_id), Author.CUSTOMER, body)


# --- comments, revisions, feedback --------------------------------------------------------


def check_text(body: str, field: str) -> None:
    """ValidationError naming `field` for a text over the limit or with NUL characters."""
    if len(body) > MAX_COMMENT_CHARS:
        raise ValidationError(
            f"{field} is {len(body)} characters; the limit is {MAX_COMMENT_CHARS}", field=field
        )
    if "\x00" in body:
        raise ValidationError(f"{field} must not contain NUL characters", field=field)


def add_comment(
    conn: Connection,
    job: HumanJob,
    author: Author,
    body: str,
    author_id: str | None = None,
    author_name: str | None = None,
) -> Comment:
    """Store a comment as written (HTML stays text: readers escape it), with its event."""
    if not body or not body.strip():
        raise ValidationError("body must not be empty", field="body")
    check_text(body, "body")
    comment = Comment(new_id("cmt"), author, author_id, author_name, body, utcnow())
    conn.execute(
        insert(job_comments).values(
            id=comment.id, job_id=job.job_id, org_id=job.org_id, author=str(author),
            author_id=author_id, author_name=author_name, body=body, created_at=comment.created_at,
        )
    )  # fmt: skip
    record_events(
        conn,
        [
            Event(
                "job.comment",
                job.org_id,
                job.group_id,
                job.job_id,
                {"targetLocale": job.target_locale, "author": str(author), "commentId": comment.id},
            )
        ],
    )
    return comment


def list_comments(conn: Connection, job_id: str) -> list[Comment]:
    """The job's comments, oldest first."""
    rows = conn.execute(
        select(job_comments)
        .where(job_comments.c.job_id == job_id)
        .order_by(job_comments.c.created_at, job_comments.c.id)
    )
    return [
        Comment(r.id, Author(r.author), r.author_id, r.author_name, r.body, r.created_at)
        for r in rows
    ]


def list_revisions(conn: Connection, job_id: str) -> list[Revision]:
    """Every delivered version of the job, first to last."""
    rows = conn.execute(
        select(job_revisions)
        .where(job_revisions.c.job_id == job_id)
        .order_by(job_revisions.c.number)
    )
    return [
        Revision(r.number, r.translator_id, dict(r.targets), r.output, r.artifact_id, r.created_at)
        for r in rows
    ]


def get_feedback(conn: Connection, job_id: str) -> Feedback | None:
    """The customer's feedback on an approved job, if any."""
    row = conn.execute(select(job_feedback).where(job_feedback.c.job_id == job_id)).first()
    return None if row is None else Feedback(row.rating, row.text, row.created_at)


# --- the translator's lists and the sweeper -----------------------------------------------


def due_for_approval(conn: Connection, now: datetime, limit: int = 100) -> list[str]:
    """Reviewable jobs whose review deadline passed (the sweeper approves them)."""
    rows = conn.execute(
        select(human_jobs.c.job_id)
        .join(jobs, jobs.c.id == human_jobs.c.job_id)
        .where(human_jobs.c.review_due_at <= now, jobs.c.status == JobStatus.REVIEWABLE)
        .order_by(human_jobs.c.review_due_at)
        .limit(limit)
    )
    return [r.job_id for r in rows]


def segment_count(conn: Connection, job_id: str) -> int:
    """How many segments the job has."""
    return int(
        conn.execute(
            select(func.count()).select_from(job_units).where(job_units.c.job_id == job_id)
        ).scalar_one()
    )
