"""SQLAlchemy Core tables: the database is the source of truth for every job's state."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and always read back timezone-aware (SQLite keeps none)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
        return value.astimezone(UTC)  # type: ignore[no-any-return]


organizations = Table(
    "organizations",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("default_callback_url", Text),
    Column("created_at", UTCDateTime, nullable=False),
    # Completed jobs' machine output goes to the TM only when the organization says so.
    Column("tm_store_machine", Boolean, nullable=False, server_default=false()),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("org_id", String(40), ForeignKey("organizations.id"), nullable=False, index=True),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("hint", String(20), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime),
)

oauth_clients = Table(
    "oauth_clients",
    metadata,
    Column("id", String(40), primary_key=True),  # the client_id
    Column("org_id", String(40), ForeignKey("organizations.id"), nullable=False, index=True),
    Column("name", String(200)),
    Column("secret_hash", String(64), nullable=False),
    Column("grant_types", JSON, nullable=False),  # ["client_credentials"], later code/refresh
    Column("redirect_uris", JSON),  # for the authorization-code grant
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime),
)

oauth_tokens = Table(
    "oauth_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("kind", String(20), nullable=False),  # access (later: refresh, code)
    Column("client_id", String(40), ForeignKey("oauth_clients.id"), nullable=False, index=True),
    Column("org_id", String(40), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False, index=True),
    Column("revoked_at", UTCDateTime),
)

aliases = Table(
    "aliases",
    metadata,
    # A surface's own id for a core object (LanguageWire's uuid jobId for a group).
    Column("surface", String(20), primary_key=True),
    Column("kind", String(20), primary_key=True),
    Column("alias", String(64), primary_key=True),
    Column("core_id", String(40), nullable=False, index=True),
    Column("org_id", String(40), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

engines = Table(
    "engines",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("org_id", String(40), ForeignKey("organizations.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("provider", String(40), nullable=False),
    Column("options", JSON, nullable=False),
    Column("is_default", Boolean, nullable=False, default=False),
    Column("created_at", UTCDateTime, nullable=False),
    # At most one default engine per organization; the partial unique index makes
    # "created on first use" safe when two requests race to create it.
    Index(
        "uq_engines_one_default",
        "org_id",
        unique=True,
        sqlite_where=text("is_default"),
        postgresql_where=text("is_default"),
    ),
)

job_groups = Table(
    "job_groups",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("org_id", String(40), ForeignKey("organizations.id"), nullable=False),
    Column("engine_id", String(40), ForeignKey("engines.id"), nullable=False),
    Column("source_locale", String(64), nullable=False),
    Column("target_locales", JSON, nullable=False),
    Column("content", Text),  # the request's `data` as JSON text; None once expired
    Column("content_expired_at", UTCDateTime),  # when retention deleted `content`
    Column("hints", JSON),
    Column("callback_url", Text),
    Column("idempotency_key", String(255)),
    Column("request_hash", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    # Core v2 (0004): None means a structured JSON object kept inline in `content`.
    Column("artifact_kind", String(20)),
    Column("artifact_format", String(20)),
    # A file's bytes, in the blob store; several groups may share one (indexed: a group's
    # deletion keeps a source another group still names).
    Column("source_artifact_id", String(40)),
    Column("surface", String(20)),  # the API that created the group (None: native)
    Column("units_total", Integer),  # units in the source file
    Column("expires_at", UTCDateTime),  # deleted whole (jobs, files, ids) after this
    # 0005: what other surfaces need of a group.
    Column("client_ref", String(255)),  # the client's own id (LanguageWire translationId)
    Column("words_total", Integer),  # words in the source (CJK and Thai: characters)
    Column("callbacks", JSON),  # event type -> URL, instead of `callback_url` for every event
    Column("retain_seconds", Integer),  # `expires_at` = this long after its last job ended
    UniqueConstraint("org_id", "engine_id", "idempotency_key", name="uq_job_groups_idempotency"),
    Index("ix_job_groups_org_created", "org_id", "created_at", "id"),
    Index("ix_job_groups_source_artifact", "source_artifact_id"),
)

artifacts = Table(
    "artifacts",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("org_id", String(40), nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("format", String(20), nullable=False),
    Column("filename", String(255)),
    Column("media_type", String(120), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("blob_key", String(255)),  # written before this row; deleted with it
    Column("units", Integer, nullable=False, server_default="0"),
    Column("created_at", UTCDateTime, nullable=False),
)

jobs = Table(
    "jobs",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("group_id", String(40), ForeignKey("job_groups.id"), nullable=False, index=True),
    Column("org_id", String(40), nullable=False),
    Column("engine_id", String(40), nullable=False),
    Column("target_locale", String(64), nullable=False),
    Column("status", String(20), nullable=False),
    Column("output", Text),  # outputData as JSON text
    Column("issues", JSON),  # QA problems the output carries (units shipped untranslated)
    Column("error_message", Text),
    Column("callback_status", String(20)),
    Column("units_total", Integer, nullable=False, default=0),
    Column("units_done", Integer, nullable=False, default=0),
    Column("attempts", Integer, nullable=False, default=0),
    Column("lease_owner", String(80)),
    Column("lease_expires_at", UTCDateTime),
    Column("dispatched_at", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    Column("started_at", UTCDateTime),
    Column("completed_at", UTCDateTime),
    Column("expired_at", UTCDateTime),  # tombstone: retention deleted the output
    Column("output_artifact_id", String(40)),  # a file job's output, in the blob store
    Column("units_failed", Integer, nullable=False, server_default="0"),
    Column("error_code", String(40)),  # a machine-readable reason (MAX_WORDS_EXCEEDED)
    Column("error_data", JSON),  # its details ({"maxAllowedWords": ..., "words": ...})
    Column("metrics", JSON),  # what the run measured: {"tm": {"units": n, "matches": {...}}}
    # Keyset pagination, newest first, per organization, with and without filters.
    Index("ix_jobs_org_created", "org_id", "created_at", "id"),
    Index("ix_jobs_org_status_created", "org_id", "status", "created_at", "id"),
    Index("ix_jobs_org_engine_created", "org_id", "engine_id", "created_at", "id"),
    # Claimable work only: the sweeper scans this small partial index, not the whole table.
    Index(
        "ix_jobs_claimable",
        "status",
        "dispatched_at",
        sqlite_where=text("status IN ('created', 'queued', 'analyzing', 'translating')"),
        postgresql_where=text("status IN ('created', 'queued', 'analyzing', 'translating')"),
    ),
)

events = Table(
    "events",
    metadata,
    Column(
        "seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("id", String(40), nullable=False, unique=True),
    Column("org_id", String(40), nullable=False),
    Column("group_id", String(40)),
    Column("job_id", String(40)),
    Column("type", String(40), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_events_org_seq", "org_id", "seq"),
    Index("ix_events_group_seq", "group_id", "seq"),
    Index("ix_events_created", "created_at"),
)

webhook_secrets = Table(
    "webhook_secrets",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("org_id", String(40), ForeignKey("organizations.id"), nullable=False, index=True),
    Column("secret", String(100), nullable=False),  # `whsec_...`; needed in clear to sign
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime),  # None: the current secret; set when rotated out
    # One current secret per organization: two deliveries racing to create the first one
    # must not each sign with a different secret.
    Index(
        "uq_webhook_secrets_current",
        "org_id",
        unique=True,
        sqlite_where=text("expires_at IS NULL"),
        postgresql_where=text("expires_at IS NULL"),
    ),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", String(40), primary_key=True),  # the event id: `webhook-id`, stable
    Column("org_id", String(40), nullable=False),
    Column("group_id", String(40), nullable=False),
    Column("job_id", String(40)),  # None for a group delivery
    Column("event_type", String(40), nullable=False),
    Column("url", Text, nullable=False),
    Column("body", Text),  # frozen at the first attempt, so every retry sends the same bytes
    Column("status", String(20), nullable=False),  # pending, delivered, failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("first_attempt_at", UTCDateTime),
    Column("lease_owner", String(80)),
    Column("lease_expires_at", UTCDateTime),
    Column("last_status_code", Integer),
    Column("last_error", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    Index("ix_webhook_deliveries_job", "job_id"),
)

webhook_disabled_urls = Table(
    "webhook_disabled_urls",
    metadata,
    Column("org_id", String(40), primary_key=True),
    Column("url", String(2048), primary_key=True),
    Column("disabled_at", UTCDateTime, nullable=False),
    Column("reason", Text, nullable=False),
)

ws_tokens = Table(
    "ws_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("org_id", String(40), nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)
