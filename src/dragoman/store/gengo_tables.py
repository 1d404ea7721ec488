"""Gengo's own rows (their own module: tables.py is shared and near its size limit): API key
pairs, recently seen signed requests (replay protection), orders and the Gengo fields of a job.

The private key is stored in plain text, as webhook signing secrets are
(`webhook_secrets.secret`): verifying `api_sig` = HMAC-SHA1(private key, ts) needs the key
itself, so a hash cannot stand in for it. Whoever can read the database can sign requests;
protect the database (and its backups) as a secret store.
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Column, Index, Integer, String, Table, Text

from dragoman.store.tables import UTCDateTime, metadata

gengo_keys = Table(
    "gengo_keys",
    metadata,
    Column("public_key", String(80), primary_key=True),
    Column("org_id", String(40), nullable=False, index=True),
    Column("private_key", String(128), nullable=False),  # plain: see the module docstring
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime),
)

gengo_seen_requests = Table(
    "gengo_seen_requests",
    metadata,
    # sha256 of (api_key, ts, api_sig, method, path, parameters, body) of a state-changing
    # request accepted within the ts window: the same request again is a replay.
    Column("fingerprint", String(64), primary_key=True),
    Column("seen_at", UTCDateTime, nullable=False, index=True),
)

gengo_orders = Table(
    "gengo_orders",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("number", BigInteger, nullable=False, unique=True),  # the integer order_id
    Column("org_id", String(40), nullable=False),
    Column("as_group", Boolean, nullable=False),
    Column("comment", Text),
    Column("job_ids", JSON, nullable=False),  # core job ids in order, duplicates included
    Column("credits_micros", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_gengo_orders_org", "org_id", "created_at"),
)

gengo_file_quotes = Table(
    "gengo_file_quotes",
    metadata,
    # A file uploaded with a quote: its `identifier` orders it (`type: file`) later.
    Column("identifier", String(40), primary_key=True),
    Column("org_id", String(40), nullable=False),
    Column("artifact_id", String(40), nullable=False),
    Column("lc_src", String(64), nullable=False),
    Column("filename", String(255), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("unit_count", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    # First ordered then; never ordered: deleted after `retention_content_hours`.
    Column("ordered_at", UTCDateTime),
)

gengo_jobs = Table(
    "gengo_jobs",
    metadata,
    Column("job_id", String(40), primary_key=True),  # the core job (`ljb_...`)
    Column("number", BigInteger, nullable=False, unique=True),  # the integer job_id
    Column("org_id", String(40), nullable=False),
    Column("order_id", String(40), nullable=False, index=True),
    Column("group_id", String(40), nullable=False),
    Column("slug", String(255), nullable=False),
    Column("type", String(10), nullable=False),  # text
    Column("lc_src", String(64), nullable=False),
    Column("lc_tgt", String(64), nullable=False),
    Column("tier", String(20), nullable=False),
    Column("body_sha", String(64), nullable=False),  # body, pair and tier: duplicate detection
    Column("custom_data", Text),
    Column("callback_url", Text),
    Column("position", Integer),
    Column("purpose", String(255)),
    Column("tone", String(255)),
    Column("use_preferred", Boolean, nullable=False),
    Column("services", JSON, nullable=False),  # ["translation"] or ["translation", "edit"]
    Column("from_memory", Boolean, nullable=False),  # served from the TM at no cost
    Column("rejected", Boolean, nullable=False),  # rejected with follow_up cancel
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_gengo_jobs_org_created", "org_id", "created_at"),
    Index("ix_gengo_jobs_dedupe", "org_id", "body_sha", "created_at"),
)

gengo_order_comments = Table(
    "gengo_order_comments",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("order_id", String(40), nullable=False),  # gengo_orders.id
    Column("org_id", String(40), nullable=False),
    Column("author", String(20), nullable=False),  # customer
    Column("body", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_gengo_order_comments_order", "order_id", "created_at"),
)
