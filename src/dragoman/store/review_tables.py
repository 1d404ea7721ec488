"""Tables of human work (their own module: tables.py is shared and near its size limit):
translators, a human job's working units, delivered revisions, comments, feedback, and the
credits an organization spends on human orders.

A job is in the human workflow when it has a `human_jobs` row (one per job, written when its
machine pre-translation finishes, or at submission by surfaces that price orders up front).
Money is integer micro-credits, so that spending is one conditional UPDATE that can never
overdraw a balance. No foreign key points at `jobs`: `purge.delete_groups` removes the rows.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    false,
    text,
)

from dragoman.store.tables import UTCDateTime, metadata

translators = Table(
    "translators",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("org_id", String(40), ForeignKey("organizations.id"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("pairs", JSON, nullable=False),  # ["en:es", "en:fr"]
    Column("tier", String(20), nullable=False),  # standard (takes standard work) or pro (both)
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("hint", String(20), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime),
    # The organization prefers them: they alone see `use_preferred` jobs at first.
    Column("preferred", Boolean, nullable=False, server_default=false()),
)

human_jobs = Table(
    "human_jobs",
    metadata,
    Column("job_id", String(40), primary_key=True),
    Column("org_id", String(40), nullable=False),
    Column("source_locale", String(64), nullable=False),
    Column("target_locale", String(64), nullable=False),
    Column("tier", String(20), nullable=False),
    Column("auto_approve", Boolean, nullable=False),  # delivery completes the job at once
    Column("review_hours", Float),  # reviewable this long, then approved (None: the setting)
    Column("instructions", Text),  # the customer's comment for the translator
    Column("attachments", JSON),  # [{"name", "url", "mime"}]
    Column("max_chars", Integer),
    Column("unit_count", Integer, nullable=False),  # words (characters for CJK and Thai)
    Column("credits_micros", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("eta_seconds", Integer, nullable=False),
    Column("assignee_id", String(40)),  # the translator who holds (or last held) it
    Column("revision", Integer, nullable=False),  # versions delivered so far
    Column("ready_at", UTCDateTime),  # when it became available (oldest first)
    Column("taken_at", UTCDateTime),
    Column("delivered_at", UTCDateTime),
    Column("review_due_at", UTCDateTime),  # approved by the sweeper after this
    Column("created_at", UTCDateTime, nullable=False),
    # ",trn_a,trn_b,": who may not take it (rejected translators; a first pass's translator
    # during the edit pass). See core/human_pool.py for these four columns' rules.
    Column("excluded", Text),
    Column("needs_edit", Boolean, nullable=False, server_default=false()),  # a second pass
    Column("edit_pass", Boolean, nullable=False, server_default=false()),  # in that pass now
    Column("bundle_id", String(40)),  # taken together with its bundle
    Column("preferred_until", UTCDateTime),  # preferred translators only, until then
    Index("ix_human_jobs_bundle", "bundle_id"),
    Index("ix_human_jobs_pool", "org_id", "source_locale", "target_locale", "ready_at"),
    Index("ix_human_jobs_assignee", "assignee_id"),
    Index(
        "ix_human_jobs_review_due",
        "review_due_at",
        sqlite_where=text("review_due_at IS NOT NULL"),
        postgresql_where=text("review_due_at IS NOT NULL"),
    ),
)

job_units = Table(
    "job_units",
    metadata,
    Column("job_id", String(40), primary_key=True),
    Column("segment", Integer, primary_key=True),  # 1, 2, ... in source order: the segment id
    Column("unit_id", Text, nullable=False),  # the codec's unit id (a key path, a msgid)
    Column("category", String(10)),  # the CLDR plural category of a plural unit's form
    Column("source", Text, nullable=False),
    Column("machine", Text),  # the pre-translation's suggestion
    Column("target", Text),  # the translator's draft (starts as the suggestion)
    Column("state", String(20), nullable=False),  # content.model.UnitState
    Column("max_length", Integer),
    Column("note", Text),  # the unit's context and notes, for the translator
)

job_revisions = Table(
    "job_revisions",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("job_id", String(40), nullable=False),
    Column("number", Integer, nullable=False),
    Column("translator_id", String(40)),
    Column("targets", JSON, nullable=False),  # segment (as text) -> target
    Column("output", Text),  # a JSON object's rendered output
    Column("artifact_id", String(40)),  # a file's rendered output
    Column("created_at", UTCDateTime, nullable=False),
    Index("uq_job_revisions_number", "job_id", "number", unique=True),
)

job_comments = Table(
    "job_comments",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("job_id", String(40), nullable=False),
    Column("org_id", String(40), nullable=False),
    Column("author", String(20), nullable=False),  # customer, translator, system
    Column("author_id", String(40)),
    Column("author_name", String(200)),
    Column("body", Text, nullable=False),  # stored as sent: escaping is the reader's job
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_job_comments_job", "job_id", "created_at"),
)

job_feedback = Table(
    "job_feedback",
    metadata,
    Column("job_id", String(40), primary_key=True),
    Column("rating", Integer),
    Column("text", Text),
    Column("created_at", UTCDateTime, nullable=False),
)

credit_balances = Table(
    "credit_balances",
    metadata,
    Column("org_id", String(40), ForeignKey("organizations.id"), primary_key=True),
    Column("balance_micros", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

tier_rates = Table(
    "tier_rates",
    metadata,
    Column("org_id", String(40), ForeignKey("organizations.id"), primary_key=True),
    Column("tier", String(20), primary_key=True),
    Column("source_locale", String(64), primary_key=True),  # or "*"
    Column("target_locale", String(64), primary_key=True),  # or "*"
    Column("per_unit_micros", BigInteger, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)
