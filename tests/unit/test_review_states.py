"""Every human move from every state, on a real SQLite database: a legal move lands where
the table says, an illegal one is a 409 naming the state and changes nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Connection, select, update

from dragoman.content.model import Unit, UnitState
from dragoman.core import credits, human_units, review, translators
from dragoman.core.human_units import HumanSpec
from dragoman.core.orgs import get_or_create_org
from dragoman.core.states import Move, transition
from dragoman.core.status import JobStatus
from dragoman.core.submission import SubmitRequest, submit
from dragoman.errors import InvalidTransitionError, ValidationError
from dragoman.settings import Settings
from dragoman.store.db import Database
from dragoman.store.review_tables import human_jobs, job_units
from dragoman.store.tables import events, jobs

S = JobStatus


@pytest.fixture
def db(sqlite_url: str) -> Iterator[Database]:
    database = Database(sqlite_url)
    yield database
    database.dispose()


def _job(conn: Connection, settings: Settings, status: JobStatus) -> tuple[str, str, object]:
    org = get_or_create_org(conn, "acme")
    request = SubmitRequest("en", ["es"], {"a": "Hello {name}"})
    job_id = submit(conn, org, request, settings).job_ids[0]
    translator, _ = translators.create_translator(conn, org.id, "T", "en-es")
    price = credits.Price(2, 0, "USD", 60)
    human_units.register(conn, job_id, org.id, "en", "es", HumanSpec(), price)
    unit = Unit(id="a", source="Hello {name}", target="Hola {name}", state=UnitState.MACHINE)
    rows = human_units.segment_rows(job_id, [unit], "es")
    assert rows[0]["machine"] == rows[0]["target"] == "Hola {name}"
    conn.execute(job_units.insert(), rows)
    conn.execute(update(jobs).where(jobs.c.id == job_id).values(status=status))
    conn.execute(
        update(human_jobs).where(human_jobs.c.job_id == job_id).values(assignee_id=translator.id)
    )
    return org.id, job_id, translator


def _moves() -> dict[str, tuple[Move, JobStatus, Callable[..., object]]]:
    def deliver(conn: Connection, org_id: str, job_id: str, t: translators.Translator) -> object:
        segments = human_units.load_segments(conn, job_id)
        return review.deliver(conn, t, job_id, segments, review.Rendered(output="{}"))

    return {
        "take": (Move.TAKE, S.IN_PROGRESS, lambda c, o, j, t: review.take(c, t, j)),
        "deliver": (Move.DELIVER, S.REVIEWABLE, deliver),
        "approve": (Move.APPROVE, S.COMPLETED, lambda c, o, j, t: review.approve(c, o, j)),
        "revise": (Move.REVISE, S.REVISING, lambda c, o, j, t: review.revise(c, o, j, "fix")),
        "reject": (Move.REJECT, S.AVAILABLE, lambda c, o, j, t: review.reject(c, o, j)),
        "reject-cancel": (
            Move.REJECT,
            S.CANCELLED,
            lambda c, o, j, t: review.reject(c, o, j, review.FollowUp.CANCEL),
        ),
        "cancel": (Move.CANCEL, S.CANCELLED, lambda c, o, j, t: review.cancel(c, o, j)),
    }


@pytest.mark.parametrize("name", sorted(_moves()))
@pytest.mark.parametrize("start", list(JobStatus))
def test_each_move_from_each_state(
    db: Database, settings_factory: Callable[..., Settings], name: str, start: JobStatus
) -> None:
    move, target, run = _moves()[name]
    with db.write() as conn:
        org_id, job_id, translator = _job(conn, settings_factory(str(db.url)), start)
    legal = start in transition(move).sources
    if legal:
        with db.write() as conn:
            assert run(conn, org_id, job_id, translator) == target
    else:
        with pytest.raises(InvalidTransitionError) as caught, db.write() as conn:
            run(conn, org_id, job_id, translator)
        assert caught.value.status_code == 409 and str(start) in caught.value.message
    with db.read() as conn:
        status = conn.execute(select(jobs.c.status).where(jobs.c.id == job_id)).scalar()
        kinds = [
            r.type for r in conn.execute(select(events.c.type).where(events.c.job_id == job_id))
        ]
    assert status == (target if legal else start)
    assert (f"job.{target}" in kinds) == legal


def test_revision_needs_a_comment_and_rating_is_one_to_five(
    db: Database, settings_factory: Callable[..., Settings]
) -> None:
    with db.write() as conn:
        org_id, job_id, _ = _job(conn, settings_factory(str(db.url)), S.REVIEWABLE)
    with pytest.raises(ValidationError, match="comment"), db.write() as conn:
        review.revise(conn, org_id, job_id, "  ")
    with pytest.raises(ValidationError, match="rating"), db.write() as conn:
        review.approve(conn, org_id, job_id, rating=6)
    with db.read() as conn:
        assert human_units.get_human_job(conn, job_id).status == S.REVIEWABLE


def test_unit_counts_are_words_or_characters() -> None:
    assert credits.unit_count(["Hello {name}, how are you?"], "en") == 4
    assert credits.unit_count(["こんにちは 世界"], "ja") == 7
    assert credits.unit_count(["สวัสดีครับ"], "th-TH") == 10


@pytest.mark.parametrize("start", list(JobStatus))
def test_delivering_a_first_pass_hands_the_job_over_for_its_edit(
    db: Database, settings_factory: Callable[..., Settings], start: JobStatus
) -> None:
    """A job with an edit pass: delivered in progress, it is available again (Move.HAND_OVER)
    and its translator excluded; delivered while revising, it is reviewable as usual."""
    with db.write() as conn:
        _, job_id, translator = _job(conn, settings_factory(str(db.url)), start)
        conn.execute(
            update(human_jobs).where(human_jobs.c.job_id == job_id).values(needs_edit=True)
        )
    target = {S.IN_PROGRESS: S.AVAILABLE, S.REVISING: S.REVIEWABLE}.get(start)
    with db.write() as conn:
        segments = human_units.load_segments(conn, job_id)
    if target is None:
        with pytest.raises(InvalidTransitionError), db.write() as conn:
            review.deliver(conn, translator, job_id, segments, review.Rendered(output="{}"))
    else:
        with db.write() as conn:
            status = review.deliver(
                conn, translator, job_id, segments, review.Rendered(output="{}")
            )
        assert status == target
    with db.read() as conn:
        job = human_units.get_human_job(conn, job_id)
    assert job.status == (target or start)
    assert (translator.id in job.excluded) == (target == S.AVAILABLE)
    assert job.edit_pass == (target == S.AVAILABLE)
    assert transition(Move.HAND_OVER).sources == {S.IN_PROGRESS}
