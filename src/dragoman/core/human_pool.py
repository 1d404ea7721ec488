"""Which translators a human job is offered to, beyond organization, tier and pair.

- Exclusions: a translator whose delivery the customer rejected (follow-up requeue) never
  gets the job again, and during an edit pass the translator of the first pass cannot take
  it (the edit is a second person's). `human_jobs.excluded` lists them as ",trn_a,trn_b,".
- Preferred translators: a job ordered with `use_preferred` is offered only to the
  organization's preferred translators until `preferred_until`, then to everyone.
- Bundles (Gengo's `as_group`): the jobs of one order, pair and tier are one unit of work.
  A bundled job is offered only while none of its bundle is still being pre-translated or
  held by a translator, so the bundle is offered whole at each pass; taking one of them takes
  every available job of the bundle the translator may take.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Connection, and_, exists, or_, select, true

from dragoman.core.human_units import HumanJob, get_human_job
from dragoman.core.status import JobStatus
from dragoman.core.translators import Translator
from dragoman.store.review_tables import human_jobs
from dragoman.store.tables import jobs

S = JobStatus
# A bundle whose job is in one of these is not offered: it is not ready, or someone has it.
BUSY = (S.CREATED, S.ANALYZING, S.QUOTED, S.QUEUED, S.TRANSLATING, S.IN_PROGRESS, S.REVISING)


def exclude(job: HumanJob, translator_id: str | None) -> str | None:
    """The job's `excluded` column with `translator_id` added."""
    ids = list(job.excluded)
    if translator_id and translator_id not in ids:
        ids.append(translator_id)
    return f",{','.join(ids)}," if ids else None


def hands_over(job: HumanJob) -> bool:
    """Whether delivering the job ends its first pass (an edit pass follows)."""
    return job.needs_edit and not job.edit_pass and job.status == S.IN_PROGRESS


def allowed(job: HumanJob, translator: Translator, now: datetime) -> bool:
    """Whether exclusions and the preferred head start let the translator take the job."""
    if translator.id in job.excluded:
        return False
    return translator.preferred or job.preferred_until is None or job.preferred_until <= now


def _bundle_busy() -> ColumnElement[bool]:
    """True for a `human_jobs` row another job of whose bundle is busy (correlated)."""
    mate = human_jobs.alias("mate")
    mate_job = jobs.alias("mate_job")
    return exists().where(
        mate.c.bundle_id == human_jobs.c.bundle_id,
        mate.c.job_id != human_jobs.c.job_id,
        mate_job.c.id == mate.c.job_id,
        mate_job.c.status.in_([str(s) for s in BUSY]),
    )


def offered_clause(translator: Translator, now: datetime) -> ColumnElement[bool]:
    """A WHERE clause on `human_jobs`: the rules above let the translator take the row's job."""
    h = human_jobs.c
    return and_(
        or_(h.excluded.is_(None), ~h.excluded.contains(f",{translator.id},", autoescape=True)),
        true() if translator.preferred else or_(
            h.preferred_until.is_(None), h.preferred_until <= now
        ),
        or_(h.bundle_id.is_(None), ~_bundle_busy()),
    )  # fmt: skip


def bundle_ready(conn: Connection, job: HumanJob) -> bool:
    """Whether no other job of the job's bundle is being pre-translated or held."""
    if job.bundle_id is None:
        return True
    busy = conn.execute(
        select(human_jobs.c.job_id).where(human_jobs.c.job_id == job.job_id, _bundle_busy())
    ).first()
    return busy is None


def bundle_mates(
    conn: Connection, job: HumanJob, translator: Translator, now: datetime
) -> list[HumanJob]:
    """The other available jobs of the job's bundle that the translator may take, by id (the
    order takers lock them in, so that two takers of one bundle never deadlock)."""
    if job.bundle_id is None:
        return []
    ids = conn.execute(
        select(human_jobs.c.job_id)
        .join(jobs, jobs.c.id == human_jobs.c.job_id)
        .where(
            human_jobs.c.bundle_id == job.bundle_id,
            human_jobs.c.job_id != job.job_id,
            jobs.c.status == S.AVAILABLE,
        )
        .order_by(human_jobs.c.job_id)
    ).scalars()
    found = [get_human_job(conn, str(i)) for i in ids]
    return [m for m in found if allowed(m, translator, now)]
