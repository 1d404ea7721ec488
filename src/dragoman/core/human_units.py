"""A human job's working units: one segment per translatable text (a plural unit gives one
per target category), with its source, the machine suggestion and the translator's draft;
written when the job's machine pre-translation finishes, checked on every save."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, select, update

from dragoman.content.model import Unit, UnitState
from dragoman.content.placeholders import find_spans
from dragoman.content.plurals import target_forms
from dragoman.content.signature import placeholder_signature
from dragoman.content.terms import Glossary
from dragoman.core import credits
from dragoman.core.states import Move, Workflow, next_status
from dragoman.core.status import JobStatus
from dragoman.core.translators import Tier
from dragoman.delivery.events import Event, record_events
from dragoman.errors import NotFoundError, ValidationError
from dragoman.store.review_tables import human_jobs, job_units
from dragoman.store.tables import jobs
from dragoman.timefmt import utcnow

MAX_TARGET_CHARS = 100_000  # one segment's draft; a whole body is bounded by the surface
_MACHINE_STATES = {UnitState.MACHINE, UnitState.TM_EXACT, UnitState.TM_FUZZY}


@dataclass(frozen=True, slots=True)
class HumanSpec:
    """How a job's human work is done: tier, approval, and what the translator is told."""

    tier: Tier = Tier.STANDARD
    auto_approve: bool = False
    review_hours: float | None = None  # None: the server's `review_auto_approve_hours`
    instructions: str | None = None
    attachments: list[dict[str, Any]] = field(default_factory=list)
    max_chars: int | None = None
    needs_edit: bool = False  # a second translator edits the first one's delivery
    bundle_id: str | None = None  # taken together with the other jobs of this bundle
    preferred_hours: float | None = None  # only preferred translators see it this long


@dataclass(frozen=True, slots=True)
class Segment:
    """One segment of a human job as the translator works on it."""

    id: int
    unit_id: str
    category: str | None
    source: str
    machine: str | None
    target: str | None
    state: str
    max_length: int | None
    note: str | None


def segment_rows(job_id: str, units: Sequence[Unit], target_locale: str) -> list[dict[str, Any]]:
    """`job_units` rows for the translatable units, machine targets as the first draft."""
    rows: list[dict[str, Any]] = []

    def add(unit: Unit, category: str | None, source: str, machine: str | None) -> None:
        note = " / ".join((*unit.context, *unit.notes)) or None
        rows.append({
            "job_id": job_id, "segment": len(rows) + 1, "unit_id": unit.id, "category": category,
            "source": source, "machine": machine, "target": machine,
            "state": str(UnitState.MACHINE if machine else UnitState.NEW),
            "max_length": unit.max_length, "note": note,
        })  # fmt: skip

    for unit in units:
        if not unit.translatable:
            continue
        suggested = unit.state in _MACHINE_STATES
        if unit.plural is not None:
            machine_forms = unit.target_plural or {}
            for category, text in target_forms(unit.plural, target_locale).items():
                add(unit, category, text, machine_forms.get(category) if suggested else None)
        else:
            add(unit, None, unit.source, unit.target if suggested else None)
    return rows


def unit_count_of(rows: Sequence[Mapping[str, Any]], source_locale: str) -> int:
    """The units a job's segments count (plural forms once per unit: the source's `other`)."""
    seen: set[str] = set()
    texts: list[str] = []
    for row in rows:
        if row["unit_id"] in seen:
            continue
        seen.add(row["unit_id"])
        texts.append(row["source"])
    return credits.unit_count(texts, source_locale)


def register(
    conn: Connection,
    job_id: str,
    org_id: str,
    source_locale: str,
    target_locale: str,
    spec: HumanSpec,
    price: credits.Price,
) -> None:
    """Write a job's `human_jobs` row at submission (surfaces that price orders up front)."""
    now = utcnow()
    hours = spec.preferred_hours
    conn.execute(
        insert(human_jobs).values(
            job_id=job_id, org_id=org_id, source_locale=source_locale,
            target_locale=target_locale, tier=str(spec.tier), auto_approve=spec.auto_approve,
            review_hours=spec.review_hours, instructions=spec.instructions,
            attachments=spec.attachments or None, max_chars=spec.max_chars,
            unit_count=price.unit_count, credits_micros=price.credits_micros,
            currency=price.currency, eta_seconds=price.eta_seconds, revision=0,
            created_at=now, needs_edit=spec.needs_edit, bundle_id=spec.bundle_id,
            preferred_until=now + timedelta(hours=hours) if hours else None,
        )
    )  # fmt: skip


def make_available(
    conn: Connection,
    job_id: str,
    owner: str,
    rows: list[dict[str, Any]],
    spec: HumanSpec,
    *,
    source_locale: str,
    units_failed: int = 0,
) -> bool:
    """Finish a human job's machine pre-translation: translating -> available (if `owner`
    still holds the lease), its segments written, with its event; False when the lease
    was lost (the result is dropped)."""
    target = next_status(JobStatus.TRANSLATING, Move.MACHINE_DONE, workflow=Workflow.HUMAN)
    now = utcnow()
    changed = conn.execute(
        update(jobs)
        .where(
            jobs.c.id == job_id,
            jobs.c.status == JobStatus.TRANSLATING,
            jobs.c.lease_owner == owner,
        )
        .values(
            status=target, lease_owner=None, lease_expires_at=None, units_total=len(rows),
            units_done=len(rows), units_failed=units_failed,
        )
    ).rowcount  # fmt: skip
    if changed != 1:
        return False
    job = conn.execute(
        select(jobs.c.org_id, jobs.c.group_id, jobs.c.target_locale).where(jobs.c.id == job_id)
    ).one()
    if rows:
        conn.execute(insert(job_units), rows)
    existing = conn.execute(
        select(human_jobs.c.job_id).where(human_jobs.c.job_id == job_id)
    ).first()
    if existing is None:
        units = unit_count_of(rows, source_locale)
        price = credits.price(conn, job.org_id, spec.tier, source_locale, job.target_locale, units)
        register(conn, job_id, job.org_id, source_locale, job.target_locale, spec, price)
    conn.execute(update(human_jobs).where(human_jobs.c.job_id == job_id).values(ready_at=now))
    record_events(
        conn,
        [
            Event(
                f"job.{target}",
                job.org_id,
                job.group_id,
                job_id,
                {"targetLocale": job.target_locale, "status": str(target)},
            )
        ],
    )
    return True


def _segment(row: Any) -> Segment:
    return Segment(
        row.segment, row.unit_id, row.category, row.source, row.machine, row.target, row.state,
        row.max_length, row.note,
    )  # fmt: skip


def load_segments(conn: Connection, job_id: str) -> list[Segment]:
    """The job's segments in source order."""
    rows = conn.execute(
        select(job_units).where(job_units.c.job_id == job_id).order_by(job_units.c.segment)
    )
    return [_segment(r) for r in rows]


def save_target(conn: Connection, job_id: str, segment_id: int, target: str) -> Segment:
    """Store a translator's draft of one segment; NotFoundError for an unknown segment."""
    if len(target) > MAX_TARGET_CHARS:
        raise ValidationError(
            f"target is {len(target)} characters; the limit is {MAX_TARGET_CHARS}", field="target"
        )
    if "\x00" in target:
        raise ValidationError("target must not contain NUL characters", field="target")
    changed = conn.execute(
        update(job_units)
        .where(job_units.c.job_id == job_id, job_units.c.segment == segment_id)
        .values(target=target, state=str(UnitState.HUMAN))
    ).rowcount
    if changed != 1:
        raise NotFoundError(f"segment {segment_id} not found in job {job_id!r}", field="segment")
    row = conn.execute(
        select(job_units).where(job_units.c.job_id == job_id, job_units.c.segment == segment_id)
    ).one()
    return _segment(row)


def reset_to_machine(conn: Connection, job_id: str) -> None:
    """Drafts back to the machine suggestions (a rejected job goes to another translator)."""
    conn.execute(
        update(job_units)
        .where(job_units.c.job_id == job_id)
        .values(target=job_units.c.machine, state=str(UnitState.MACHINE))
    )


def mark_approved(conn: Connection, job_id: str) -> None:
    """Every segment of an approved job is approved human work."""
    conn.execute(
        update(job_units).where(job_units.c.job_id == job_id).values(state=str(UnitState.APPROVED))
    )


def qa_warnings(
    segment: Segment, glossary: Glossary | None = None, max_chars: int | None = None
) -> list[dict[str, str]]:
    """What is wrong with a segment's draft: `code` and `message` each (`empty` and
    `placeholder_missing` block delivery; the others are warnings)."""
    target = segment.target or ""
    found: list[dict[str, str]] = []
    if not target.strip():
        return [{"code": "empty", "message": "the target is empty"}]
    want, have = placeholder_signature(segment.source), placeholder_signature(target)
    for span in sorted((want - have).elements()):
        found.append({"code": "placeholder_missing", "message": f"placeholder {span} is missing"})
    for span in sorted((have - want).elements()):
        found.append({"code": "placeholder_extra", "message": f"{span} is not in the source"})
    limit = segment.max_length or max_chars
    if limit is not None and len(target) > limit:
        message = f"the target is {len(target)} characters; at most {limit}"
        found.append({"code": "too_long", "message": message})
    if glossary is not None:
        for issue in glossary.check([segment.source], [target]):
            found.append({"code": "glossary", "message": issue.message})
    return found


BLOCKING = frozenset({"empty", "placeholder_missing"})


def delivery_problems(segments: Sequence[Segment]) -> list[dict[str, Any]]:
    """Why the segments cannot be delivered yet: an empty segment, a missing placeholder."""
    problems: list[dict[str, Any]] = []
    for segment in segments:
        for warning in qa_warnings(segment):
            if warning["code"] in BLOCKING:
                problems.append({"segment": segment.id, **warning})
    return problems


def placeholders(segment: Segment) -> list[str]:
    """The spans of the source a translation must keep."""
    return find_spans(segment.source)


def apply_targets(units: Sequence[Unit], segments: Sequence[Segment]) -> list[Unit]:
    """The units with the segments' targets (copies; units without a segment unchanged)."""
    single: dict[str, str] = {}
    plural: dict[str, dict[str, str]] = {}
    for seg in segments:
        if seg.category is None:
            single[seg.unit_id] = seg.target or ""
        else:
            plural.setdefault(seg.unit_id, {})[seg.category] = seg.target or ""
    out: list[Unit] = []
    for unit in units:
        if unit.id in plural and unit.plural is not None:
            unit = replace(unit, target_plural=plural[unit.id], state=UnitState.HUMAN)
        elif unit.id in single:
            unit = replace(unit, target=single[unit.id], state=UnitState.HUMAN)
        out.append(unit)
    return out


@dataclass(frozen=True, slots=True)
class HumanJob:
    """A job's human-workflow row with the job's own state."""

    job_id: str
    org_id: str
    group_id: str
    status: JobStatus
    source_locale: str
    target_locale: str
    tier: Tier
    auto_approve: bool
    review_hours: float | None
    instructions: str | None
    attachments: list[dict[str, Any]]
    max_chars: int | None
    unit_count: int
    credits_micros: int
    currency: str
    eta_seconds: int
    assignee_id: str | None
    revision: int
    ready_at: datetime | None
    taken_at: datetime | None
    delivered_at: datetime | None
    review_due_at: datetime | None
    created_at: datetime
    excluded: tuple[str, ...] = ()  # translators who may not take it
    needs_edit: bool = False
    edit_pass: bool = False
    bundle_id: str | None = None
    preferred_until: datetime | None = None


def get_human_job(conn: Connection, job_id: str, *, for_update: bool = False) -> HumanJob:
    """The job's human row; NotFoundError when the job is not (yet) human work."""
    query = (
        select(human_jobs, jobs.c.status, jobs.c.group_id)
        .join(jobs, jobs.c.id == human_jobs.c.job_id)
        .where(human_jobs.c.job_id == job_id)
    )
    row = conn.execute(query.with_for_update() if for_update else query).first()
    if row is None:
        raise NotFoundError(f"job {job_id[:60]!r} not found", field="jobId")
    return HumanJob(
        row.job_id, row.org_id, row.group_id, JobStatus(row.status), row.source_locale,
        row.target_locale, Tier(row.tier), row.auto_approve, row.review_hours, row.instructions,
        list(row.attachments or []), row.max_chars, row.unit_count, int(row.credits_micros),
        row.currency, row.eta_seconds, row.assignee_id, row.revision, row.ready_at, row.taken_at,
        row.delivered_at, row.review_due_at, row.created_at,
        tuple(i for i in (row.excluded or "").split(",") if i), bool(row.needs_edit),
        bool(row.edit_pass), row.bundle_id, row.preferred_until,
    )  # fmt: skip
