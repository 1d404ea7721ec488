"""Projects, their files, quote-first job state, OAuth grants and integer id counters (their
own module: tables.py is shared and near its size limit)."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Column, Index, Integer, String, Table, Text

from dragoman.store.tables import UTCDateTime, metadata

projects = Table(
    "projects",
    metadata,
    # A container of groups (Lingo24's project); its status is derived, never stored.
    Column("id", String(40), primary_key=True),
    Column("number", BigInteger, nullable=False, unique=True),  # the integer id shown
    Column("org_id", String(40), nullable=False),
    Column("surface", String(20), nullable=False),
    Column("name", String(255), nullable=False),
    Column("domain_id", Integer),
    Column("callback_url", Text),  # for the project's own callback; jobs' default too
    Column("created_at", UTCDateTime, nullable=False),
    Column("quote_saved_at", UTCDateTime),
    Column("quote_expires_at", UTCDateTime),
    Column("authorized_at", UTCDateTime),
    Column("cancelled_at", UTCDateTime),
    Column("finished_at", UTCDateTime),
    Index("ix_projects_org_created", "org_id", "created_at", "id"),
)

project_files = Table(
    "project_files",
    metadata,
    # A named file: a SOURCE whose bytes are an artifact once uploaded, or a job's TARGET
    # (its bytes are the job's output artifact).
    Column("id", String(40), primary_key=True),
    Column("number", BigInteger, nullable=False, unique=True),
    Column("org_id", String(40), nullable=False),
    Column("project_id", String(40)),
    Column("name", String(255), nullable=False),
    Column("type", String(20), nullable=False),
    Column("artifact_id", String(40)),
    Column("job_id", String(40)),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_project_files_org_created", "org_id", "created_at", "id"),
    Index("ix_project_files_project", "project_id"),
    Index("ix_project_files_job", "job_id"),
)

job_quotes = Table(
    "job_quotes",
    metadata,
    # A quote-first job's project, service level, analysis and price (one row per job).
    Column("job_id", String(40), primary_key=True),
    Column("number", BigInteger, nullable=False, unique=True),
    Column("org_id", String(40), nullable=False),
    Column("project_id", String(40), nullable=False),
    Column("group_id", String(40), nullable=False),
    Column("quote_first", Boolean, nullable=False),
    Column("service_level", String(80), nullable=False),
    Column("source_file_id", String(40), nullable=False),
    Column("callback_url", Text),  # the job's own callback URL, if it named one
    Column("authorized_at", UTCDateTime),
    Column("analyzed_at", UTCDateTime),
    Column("analysis", JSON),  # {BAND: {segments, words, characters, white_spaces}}
    Column("price", JSON),  # Lingo24's four totals and currencyCode
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_job_quotes_project", "project_id", "created_at"),
)

oauth_grants = Table(
    "oauth_grants",
    metadata,
    # Authorization codes and refresh tokens (hashed). A family is every token descended
    # from one code or one client-credentials grant; a reused refresh token revokes it.
    Column("token_hash", String(64), primary_key=True),
    Column("kind", String(20), nullable=False),  # code, refresh
    Column("client_id", String(40), nullable=False, index=True),
    Column("org_id", String(40), nullable=False),
    Column("family", String(40), nullable=False, index=True),
    Column("redirect_uri", Text),  # codes: the URI it was issued for
    Column("access_hash", String(64)),  # refresh: the access token issued beside it
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime),
    Column("revoked_at", UTCDateTime),
)

alias_counters = Table(
    "alias_counters",
    metadata,
    # The last integer alias issued per surface and kind (Lingo24's project, job, file ids).
    Column("surface", String(20), primary_key=True),
    Column("kind", String(20), primary_key=True),
    Column("last", BigInteger, nullable=False),
)
