"""Gengo orders: each Gengo job is a text group of one target with a human job, priced up
front and paid from the organization's balance in the order's transaction; duplicates of
the last 5 minutes and bodies the TM holds as approved human work cost nothing."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, insert, select, update

from dragoman.core import aliases, credits, human_units
from dragoman.core.engine_records import EngineRecord, create_engine_record, list_engines
from dragoman.core.gengo_files import FileQuote, find_quote, group_row, mark_ordered
from dragoman.core.human_units import HumanSpec
from dragoman.core.orgs import Organization
from dragoman.core.status import JobStatus
from dragoman.core.submission import GroupSpec, create_group
from dragoman.core.translators import Tier, Translator, list_translators
from dragoman.delivery.events import Event, record_events
from dragoman.engines.human import HumanEngine
from dragoman.errors import ValidationError
from dragoman.ids import new_id
from dragoman.store.gengo_tables import gengo_jobs, gengo_orders
from dragoman.store.tables import jobs
from dragoman.timefmt import utcnow

SURFACE = "gengo"
DUPLICATE_WINDOW = timedelta(minutes=5)
DEFAULT_PREFERRED_HOURS = 24.0  # the `preferred_translator_hours` setting's default
BODY_KEY = "body"  # the one unit of a Gengo job's structured content
# Events a Gengo callback URL receives: every status change, and translators' comments.
CALLBACK_EVENTS = (
    "job.available", "job.in_progress", "job.reviewable", "job.revising", "job.completed",
    "job.cancelled", "job.failed", "job.comment",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class JobRequest:
    """One job of an order, validated by the surface."""

    key: str  # "job_1"
    body_src: str
    lc_src: str
    lc_tgt: str
    tier: Tier
    slug: str
    custom_data: str | None = None
    callback_url: str | None = None
    position: int | None = None
    comment: str | None = None
    attachments: list[dict[str, Any]] = field(default_factory=list)
    purpose: str | None = None
    tone: str | None = None
    auto_approve: bool = False
    use_preferred: bool = False
    services: tuple[str, ...] = ("translation",)
    force: bool = False
    max_chars: int | None = None
    type: str = "text"  # or "file": `identifier` names a file quoted before
    identifier: str | None = None


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """`POST /translate/jobs`."""

    jobs: list[JobRequest]
    as_group: bool = False
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class Extras:
    """How a new job of an order is offered: its bundle (`as_group`) and the preferred
    translators' head start in hours (`use_preferred`)."""

    bundle_id: str | None = None
    preferred_hours: float | None = None


@dataclass(slots=True)
class OrderResult:
    """What an order created: its number and price, each job's integer id, and which jobs
    were old (duplicates or served from the TM)."""

    order_number: int
    job_count: int
    credits_micros: int
    currency: str
    numbers: dict[str, int]
    old: dict[str, int]
    created_job_ids: list[str]


def body_hash(job: JobRequest, file_sha: str | None = None) -> str:
    """Duplicate detection's key: the body (a file's hash), pair and tier."""
    body = job.body_src if file_sha is None else f"file:{file_sha}"
    text = json.dumps([body, job.lc_src, job.lc_tgt, str(job.tier)], ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def jobs_error(errors: dict[str, list[tuple[int, str]]]) -> ValidationError:
    """A refusal naming each job at fault (Gengo's per-job error shape)."""
    first_key, first = next(iter(errors.items()))
    return ValidationError(
        f"{first_key}: {first[0][1]}", field=first_key, gengo_code=first[0][0], job_errors=errors
    )


def offered(conn: Connection, org_id: str) -> list[Translator]:
    """The organization's active translators: they define the pairs and tiers on offer."""
    return [t for t in list_translators(conn, org_id) if t.revoked_at is None]


def check_pairs(conn: Connection, org_id: str, requests: list[JobRequest]) -> None:
    """ValidationError (Gengo 1551) for each job whose pair and tier no translator serves."""
    people = offered(conn, org_id)
    errors: dict[str, list[tuple[int, str]]] = {}
    for job in requests:
        if not any(t.tier == job.tier and t.covers(job.lc_src, job.lc_tgt) for t in people):
            errors[job.key] = [
                (1551, f"language service is not supported: {job.lc_src} -> {job.lc_tgt} "
                       f"({job.tier})"),
            ]  # fmt: skip
    if errors:
        raise jobs_error(errors)


def tier_engine(conn: Connection, org_id: str, tier: Tier) -> EngineRecord:
    """The organization's human engine of `tier` (pre-translating with its default engine),
    created on first use."""
    name = f"Gengo {tier}"
    for record in list_engines(conn, org_id):
        if record.provider == HumanEngine.name and record.name == name:
            return record
    return create_engine_record(
        conn, org_id, name=name, provider=HumanEngine.name, options={"tier": str(tier)}
    )


def _recent_duplicate(conn: Connection, org_id: str, sha: str) -> int | None:
    row = conn.execute(
        select(gengo_jobs.c.number)
        .join(jobs, jobs.c.id == gengo_jobs.c.job_id)
        .where(
            gengo_jobs.c.org_id == org_id,
            gengo_jobs.c.body_sha == sha,
            gengo_jobs.c.created_at >= utcnow() - DUPLICATE_WINDOW,
            jobs.c.status != JobStatus.CANCELLED,
        )
        .order_by(gengo_jobs.c.created_at.desc())
        .limit(1)
    ).first()
    return None if row is None else int(row.number)


def _order_key(job: JobRequest) -> tuple[int, int, str]:
    number = job.key.rsplit("_", 1)[-1]
    return (job.position if job.position is not None else 1 << 30,
            int(number) if number.isdigit() else 1 << 30, job.key)  # fmt: skip


def submit_order(
    conn: Connection,
    org: Organization,
    order: OrderRequest,
    memory: dict[str, str],
    *,
    preferred_hours: float = DEFAULT_PREFERRED_HOURS,
) -> OrderResult:
    """Create the order and its new jobs, paying for them (InsufficientCreditsError, Gengo
    2700, changes nothing); `memory` holds TM targets of bodies approved before, by job key.
    With `as_group`, the new jobs of each pair and tier are one bundle (one translator takes
    them all: core/human_pool.py); `use_preferred` jobs are offered to preferred translators
    only for `preferred_hours`."""
    check_pairs(conn, org.id, [j for j in order.jobs])
    order_id = new_id("gor")
    number = aliases.next_integer(conn, surface=SURFACE, kind="order")
    aliases.issue(conn, surface=SURFACE, kind="order", alias=str(number), core_id=order_id,
                  org_id=org.id)  # fmt: skip
    result = OrderResult(number, len(order.jobs), 0, credits.CURRENCY, {}, {}, [])
    members: list[str] = []
    in_payload: dict[str, tuple[int, str]] = {}
    bundles: dict[tuple[str, str, str], str] = {}
    for job in sorted(order.jobs, key=_order_key):
        quote = None
        if job.type == "file":
            try:
                quote = find_quote(conn, org.id, job.identifier or "", f"{job.key}.identifier")
            except ValidationError as exc:
                raise jobs_error({job.key: [(1302, exc.message)]}) from None
            mark_ordered(conn, quote.identifier)
        sha = body_hash(job, quote.sha256 if quote else None)
        if not job.force:
            earlier = in_payload.get(sha)
            found = earlier[0] if earlier else _recent_duplicate(conn, org.id, sha)
            if found is not None:
                result.numbers[job.key] = result.old[job.key] = found
                members.append(earlier[1] if earlier else _job_id(conn, found))
                continue
        target = None if job.force or quote else memory.get(job.key)
        extra = Extras(
            bundles.setdefault((job.lc_src, job.lc_tgt, str(job.tier)), new_id("bdl"))
            if order.as_group and target is None
            else None,
            preferred_hours if job.use_preferred else None,
        )
        job_id, job_number, cost = _create_job(conn, org, order_id, job, sha, target, quote, extra)
        result.numbers[job.key] = job_number
        if target is not None:
            result.old[job.key] = job_number
        else:
            result.created_job_ids.append(job_id)
        result.credits_micros += cost
        in_payload[sha] = (job_number, job_id)
        members.append(job_id)
    credits.spend(conn, org.id, result.credits_micros)
    conn.execute(
        insert(gengo_orders).values(
            id=order_id, number=number, org_id=org.id, as_group=order.as_group,
            comment=order.comment, job_ids=members, credits_micros=result.credits_micros,
            currency=credits.CURRENCY, created_at=utcnow(),
        )
    )  # fmt: skip
    return result


def _job_id(conn: Connection, number: int) -> str:
    return str(
        conn.execute(select(gengo_jobs.c.job_id).where(gengo_jobs.c.number == number)).scalar()
    )


def callbacks_for(url: str | None) -> dict[str, str]:
    """Event type -> URL: every event a Gengo callback URL receives, or none."""
    return dict.fromkeys(CALLBACK_EVENTS, url) if url else {}


def _create_job(
    conn: Connection,
    org: Organization,
    order_id: str,
    job: JobRequest,
    sha: str,
    target: str | None,
    quote: FileQuote | None = None,
    extra: Extras | None = None,
) -> tuple[str, int, int]:
    """A new group and human job (completed at once when `target` came from the TM; a
    quoted file's when `quote` is given); returns its core id, integer id and cost in
    micro-credits."""
    if quote is not None:
        units = quote.unit_count
        row: dict[str, Any] = {**group_row(quote), "surface": SURFACE}
    else:
        units = credits.unit_count([job.body_src], job.lc_src)
        row = {"content": json.dumps({BODY_KEY: job.body_src}, ensure_ascii=False),
               "surface": SURFACE, "words_total": units}  # fmt: skip
    engine = tier_engine(conn, org.id, job.tier)
    edit = "edit" in job.services
    price = credits.price(conn, org.id, job.tier, job.lc_src, job.lc_tgt, units, edit=edit)
    if target is not None:
        price = credits.Price(units, 0, price.currency, 0)
    submitted = create_group(
        conn,
        org,
        GroupSpec(
            source_locale=job.lc_src, target_locales=[job.lc_tgt], engine_id=engine.id,
            fingerprint=sha, callback_url=None, idempotency_key=None, row=row,
            filename=quote.filename if quote else None, callbacks=callbacks_for(job.callback_url),
        ),
    )  # fmt: skip
    job_id = submitted.job_ids[0]
    spec = HumanSpec(
        tier=job.tier, auto_approve=job.auto_approve, instructions=job.comment,
        attachments=job.attachments, max_chars=job.max_chars, needs_edit=edit,
        bundle_id=extra.bundle_id if extra else None,
        preferred_hours=extra.preferred_hours if extra else None,
    )  # fmt: skip
    human_units.register(conn, job_id, org.id, job.lc_src, job.lc_tgt, spec, price)
    number = aliases.issue_integer(conn, surface=SURFACE, kind="job", core_id=job_id,
                                   org_id=org.id)  # fmt: skip
    conn.execute(
        insert(gengo_jobs).values(
            job_id=job_id, number=number, org_id=org.id, order_id=order_id,
            group_id=submitted.group_id, slug=job.slug, type=job.type, lc_src=job.lc_src,
            lc_tgt=job.lc_tgt, tier=str(job.tier), body_sha=sha, custom_data=job.custom_data,
            callback_url=job.callback_url, position=job.position, purpose=job.purpose,
            tone=job.tone, use_preferred=job.use_preferred, services=list(job.services),
            from_memory=target is not None, rejected=False, created_at=utcnow(),
        )
    )  # fmt: skip
    if target is not None:
        _complete_from_memory(conn, org.id, submitted.group_id, job_id, job.lc_tgt, target)
    return job_id, number, price.credits_micros


def _complete_from_memory(
    conn: Connection, org_id: str, group_id: str, job_id: str, locale: str, target: str
) -> None:
    """A body the TM holds as approved human work: the job is approved at once."""
    now = utcnow()
    conn.execute(
        update(jobs)
        .where(jobs.c.id == job_id, jobs.c.status == JobStatus.QUEUED)
        .values(
            status=JobStatus.COMPLETED, completed_at=now, units_total=1, units_done=1,
            output=json.dumps({BODY_KEY: target}, ensure_ascii=False),
        )
    )  # fmt: skip
    payload = {"targetLocale": locale, "status": str(JobStatus.COMPLETED), "fromMemory": True}
    record_events(
        conn,
        [
            Event("job.completed", org_id, group_id, job_id, payload),
            Event("group.completed", org_id, group_id, None, {"status": "completed"}),
        ],
    )
