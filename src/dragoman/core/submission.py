"""Accepting a request: validation, engine choice, idempotency, one job per target locale."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import IntegrityError

from dragoman.content.formats.structured import check_shape, iter_strings
from dragoman.content.words import count_all
from dragoman.core.engine_records import EngineRecord, default_engine, get_engine
from dragoman.core.locales import normalize_locale
from dragoman.core.orgs import Organization
from dragoman.core.queries import GroupView, JobView
from dragoman.core.status import JobStatus, group_status
from dragoman.delivery.events import Event, record_events
from dragoman.delivery.webhooks import ssrf
from dragoman.errors import BadRequestError, IdempotencyMismatchError, ValidationError
from dragoman.ids import new_id
from dragoman.settings import Settings
from dragoman.store.tables import job_groups, jobs
from dragoman.timefmt import utcnow

# Built once: constructing statements per request was a third of the accept path's CPU.
_INSERT_GROUP = insert(job_groups)
_INSERT_JOBS = insert(jobs)


@dataclass(frozen=True, slots=True)
class SubmitRequest:
    """What every surface's "translate this into these locales" request boils down to."""

    source_locale: str
    target_locales: Sequence[str]
    data: Any
    hints: Mapping[str, Sequence[str]] | None = None
    callback_url: str | None = None
    idempotency_key: str | None = None
    engine_id: str | None = None


@dataclass(frozen=True, slots=True)
class Submitted:
    """The group a submission created (or found again through its idempotency key)."""

    group_id: str
    created: bool
    job_ids: list[str]
    view: GroupView | None = None  # the new group as inserted, so callers need not re-read it


def validate(request: SubmitRequest, settings: Settings) -> tuple[str, list[str]]:
    """Normalised source and target locales; raises naming the field at fault."""
    source = normalize_locale(request.source_locale, field="sourceLocale")
    if not request.target_locales:
        raise ValidationError("targetLocales must list at least one locale", field="targetLocales")
    if len(request.target_locales) > settings.max_target_locales:
        raise ValidationError(
            f"targetLocales lists {len(request.target_locales)} locales; "
            f"the limit is {settings.max_target_locales}",
            field="targetLocales",
        )
    targets: list[str] = []
    for index, tag in enumerate(request.target_locales):
        target = normalize_locale(tag, field=f"targetLocales[{index}]")
        if target in targets:
            raise ValidationError(
                f"targetLocales lists {target!r} more than once", field=f"targetLocales[{index}]"
            )
        if target == source:
            raise ValidationError(
                f"targetLocales[{index}] is the source locale {source!r}",
                field=f"targetLocales[{index}]",
            )
        targets.append(target)
    check_shape(
        request.data, max_depth=settings.max_data_depth, max_strings=settings.max_data_strings
    )
    _validate_hints(request.hints)
    if request.callback_url is not None:
        check_callback_url(request.callback_url, settings=settings)
    if request.idempotency_key is not None and not 1 <= len(request.idempotency_key) <= 255:
        raise ValidationError("idempotencyKey must be 1-255 characters", field="idempotencyKey")
    return source, targets


def check_callback_url(
    url: str, field: str = "callbackUrl", *, settings: Settings | None = None
) -> None:
    """A callback must be an absolute HTTPS URL (the seed: HTTP is rejected with 400) whose
    host is not a private, loopback or link-local address (no DNS here: see `screen_...`)."""
    try:
        parts = urlsplit(url)
        usable = parts.scheme.lower() == "https" and bool(parts.hostname)
    except ValueError:  # `https://a]b`: an unbalanced IPv6 bracket (it was a 500)
        usable = False
    if not usable:
        raise BadRequestError(f"{field} must be an absolute https:// URL", field=field)
    ssrf.check_url(url, _policy(settings), field)


def screen_callback_url(url: str, settings: Settings, field: str = "callbackUrl") -> None:
    """Resolve the callback's host and refuse it unless every address is public (or in
    DRAGOMAN_WEBHOOK_ALLOW_NETWORKS). Blocking DNS: call it outside write transactions."""
    ssrf.resolve(url, _policy(settings), field)


def _policy(settings: Settings | None) -> ssrf.NetworkPolicy:
    return ssrf.NetworkPolicy.from_cidrs(settings.webhook_allow_networks if settings else ())


def _validate_hints(hints: Mapping[str, Sequence[str]] | None) -> None:
    if hints is None:
        return
    if not isinstance(hints, Mapping):
        raise ValidationError("hints must be an object of key -> [breadcrumb, ...]", field="hints")
    for key, crumbs in hints.items():
        if not isinstance(crumbs, list) or not all(isinstance(c, str) for c in crumbs):
            raise ValidationError(f"hints.{key} must be an array of strings", field=f"hints.{key}")


def request_hash(source: str, targets: list[str], engine_id: str, request: SubmitRequest) -> str:
    """Fingerprint of everything that shapes the result (key order of `data` included)."""
    canonical = json.dumps(
        [source, targets, engine_id, request.data, request.hints, request.callback_url],
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def resolve_engine(
    conn: Connection, org: Organization, engine_id: str | None, settings: Settings
) -> EngineRecord:
    """The engine a request names, or the organization's default."""
    if engine_id is None:
        return default_engine(conn, org.id, settings.default_engine_provider)
    return get_engine(conn, org.id, engine_id)


def submit(
    conn: Connection, org: Organization, request: SubmitRequest, settings: Settings
) -> Submitted:
    """Create the group and its jobs in the caller's write transaction, or find the group an
    identical earlier request with the same idempotency key created."""
    source, targets = validate(request, settings)
    engine = resolve_engine(conn, org, request.engine_id, settings)
    fingerprint = request_hash(source, targets, engine.id, request)
    return create_group(
        conn,
        org,
        GroupSpec(
            source_locale=source,
            target_locales=targets,
            engine_id=engine.id,
            fingerprint=fingerprint,
            callback_url=request.callback_url,
            idempotency_key=request.idempotency_key,
            row={
                "content": json.dumps(request.data, ensure_ascii=False),
                "hints": request.hints,
                "words_total": count_all(text for _, text in iter_strings(request.data)),
            },
        ),
    )


@dataclass(frozen=True, slots=True)
class JobFailure:
    """Why a group's jobs fail as they are submitted (a limit the surface enforces on the
    accepted request, such as LanguageWire's word cap): no job runs."""

    message: str
    code: str
    data: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class GroupSpec:
    """A validated group, whatever its content, ready to be written."""

    source_locale: str
    target_locales: list[str]
    engine_id: str
    fingerprint: str
    callback_url: str | None
    idempotency_key: str | None
    row: Mapping[str, Any]  # content columns: inline `content`, or the source artifact's
    before_insert: Callable[[Connection], None] | None = None  # e.g. the artifact row
    filename: str | None = None
    after_insert: Callable[[Connection, str], None] | None = None  # with the new group's id
    # Event type -> URL; when given, `callback_url` and the organization's default are unused.
    callbacks: Mapping[str, str] | None = None
    failure: JobFailure | None = None


def create_group(conn: Connection, org: Organization, spec: GroupSpec) -> Submitted:
    """Insert a group and one queued job per target locale with their events, or return the
    group an identical earlier request with the same idempotency key created."""
    if spec.idempotency_key is not None:
        existing = _find_idempotent(
            conn, org.id, spec.engine_id, spec.idempotency_key, spec.fingerprint
        )
        if existing is not None:
            return existing
    targets = spec.target_locales
    if spec.callbacks is None:
        callback_url = spec.callback_url or org.default_callback_url
        notified = callback_url is not None
    else:
        callback_url, notified = None, bool(spec.callbacks)
    failure = spec.failure
    status = JobStatus.QUEUED if failure is None else JobStatus.FAILED
    now = utcnow()
    group_id = new_id("ljg")
    job_ids = [new_id("ljb") for _ in targets]
    group_row = {
        "id": group_id,
        "org_id": org.id,
        "engine_id": spec.engine_id,
        "source_locale": spec.source_locale,
        "target_locales": targets,
        "content": None,
        "hints": None,
        "callback_url": callback_url,
        "idempotency_key": spec.idempotency_key,
        "request_hash": spec.fingerprint,
        "created_at": now,
        "artifact_kind": None,
        "artifact_format": None,
        "source_artifact_id": None,
        "surface": None,
        "units_total": None,
        "callbacks": dict(spec.callbacks) if spec.callbacks is not None else None,
        **spec.row,
    }
    try:
        if spec.idempotency_key is None:
            if spec.before_insert is not None:
                spec.before_insert(conn)
            conn.execute(_INSERT_GROUP, group_row)  # nothing to collide with: no savepoint
            if spec.after_insert is not None:
                spec.after_insert(conn, group_id)
        else:
            with conn.begin_nested():
                if spec.before_insert is not None:
                    spec.before_insert(conn)
                conn.execute(_INSERT_GROUP, group_row)
                if spec.after_insert is not None:
                    spec.after_insert(conn, group_id)
    except IntegrityError:
        # A concurrent request with the same idempotency key won the race (PostgreSQL).
        assert spec.idempotency_key is not None
        found = _find_idempotent(
            conn, org.id, spec.engine_id, spec.idempotency_key, spec.fingerprint
        )
        if found is None:
            raise
        return found
    conn.execute(
        _INSERT_JOBS,
        [
            {
                "id": job_id,
                "group_id": group_id,
                "org_id": org.id,
                "engine_id": spec.engine_id,
                "target_locale": target,
                "status": status,
                "callback_status": "pending" if notified else None,
                "units_total": 0,
                "units_done": 0,
                "attempts": 0,
                "created_at": now,
                "dispatched_at": now,
                **(_failed_values(failure, now) if failure is not None else {}),
            }
            for job_id, target in zip(job_ids, targets, strict=True)
        ],
    )
    record_events(conn, _submit_events(org.id, group_id, job_ids, targets, failure))
    view = GroupView(
        group_id,
        org.id,
        spec.engine_id,
        spec.source_locale,
        now,
        [
            JobView(
                job_id,
                group_id,
                org.id,
                spec.engine_id,
                target,
                status,
                now,
                completed_at=now if failure is not None else None,
                error_message=failure.message if failure is not None else None,
                callback_status="pending" if notified else None,
                error_code=failure.code if failure is not None else None,
                error_data=dict(failure.data or {}) if failure is not None else None,
            )
            for job_id, target in zip(job_ids, targets, strict=True)
        ],
        group_row["artifact_kind"] or "structured",
        group_row["artifact_format"] or "structured",
        spec.filename,
        group_row["surface"] or "native",
        group_row["units_total"],
        callback_url,
        group_row.get("words_total"),
        group_row.get("client_ref"),
        group_row["callbacks"],
    )
    # Jobs that failed on submission are never dispatched.
    return Submitted(group_id, True, job_ids if failure is None else [], view)


def _failed_values(failure: JobFailure, now: Any) -> dict[str, Any]:
    return {
        "completed_at": now,
        "error_message": failure.message,
        "error_code": failure.code,
        "error_data": dict(failure.data or {}),
    }


def _submit_events(
    org_id: str,
    group_id: str,
    job_ids: list[str],
    targets: list[str],
    failure: JobFailure | None,
) -> list[Event]:
    """`job.queued` per job; or, when they failed on submission, `job.failed` per job and
    `group.completed` (the events the worker would have written)."""
    pairs = list(zip(job_ids, targets, strict=True))
    if failure is None:
        return [Event("job.queued", org_id, group_id, j, {"targetLocale": t}) for j, t in pairs]
    found = [
        Event(
            "job.failed",
            org_id,
            group_id,
            j,
            {"targetLocale": t, "status": str(JobStatus.FAILED), "errorMessage": failure.message},
        )
        for j, t in pairs
    ]
    statuses = [JobStatus.FAILED] * len(pairs)
    found.append(
        Event("group.completed", org_id, group_id, None, {"status": str(group_status(statuses))})
    )
    return found


def _find_idempotent(
    conn: Connection, org_id: str, engine_id: str, key: str, fingerprint: str
) -> Submitted | None:
    row = conn.execute(
        select(job_groups.c.id, job_groups.c.request_hash).where(
            job_groups.c.org_id == org_id,
            job_groups.c.engine_id == engine_id,
            job_groups.c.idempotency_key == key,
        )
    ).first()
    if row is None:
        return None
    if row.request_hash != fingerprint:
        raise IdempotencyMismatchError(
            f"idempotencyKey {key!r} was already used with a different request; "
            "use a fresh key for new content",
            field="idempotencyKey",
        )
    ids = conn.execute(select(jobs.c.id).where(jobs.c.group_id == row.id).order_by(jobs.c.id))
    return Submitted(row.id, False, [r.id for r in ids])
