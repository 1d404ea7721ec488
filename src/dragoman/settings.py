"""Configuration from the environment (`DRAGOMAN_*`), built once by the caller and passed in."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob Dragoman has; each field reads `DRAGOMAN_<NAME>`."""

    model_config = SettingsConfigDict(env_prefix="DRAGOMAN_", env_file=None, extra="ignore")

    data_dir: Path = Field(Path("./var"), description="Where the embedded SQLite database lives.")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default is SQLite under data_dir."
    )
    db_pool_size: int = Field(10, ge=1, description="Connections kept open per process.")
    db_max_overflow: int = Field(20, ge=0, description="Extra connections under load.")

    host: str = "127.0.0.1"
    port: int = 8000

    worker_concurrency: int = Field(2, ge=1, description="Jobs run at once per worker process.")
    lease_seconds: float = Field(30.0, gt=0, description="How long a claimed job stays claimed.")
    sweep_interval_seconds: float = Field(
        5.0, gt=0, description="How often the sweeper looks for stale work."
    )
    review_auto_approve_hours: float = Field(
        72.0,
        gt=0,
        description="A delivered human job awaiting review is approved after this many hours.",
    )
    preferred_translator_hours: float = Field(
        24.0,
        ge=0,
        description="A human job ordered with use_preferred (Gengo) is offered only to the "
        "organization's preferred translators for this many hours, then to all.",
    )
    requeue_after_seconds: float = Field(
        60.0, gt=0, description="A queued job untouched this long is dispatched again."
    )
    # Recovery
    redispatch_grace_seconds: float = Field(
        10.0,
        gt=0,
        description="A queued job whose message no longer waits in the broker (lost in a "
        "restart, or taken by a worker killed before it claimed it) is sent again this long "
        "after the queue moved past it; brokers that cannot tell use requeue_after_seconds.",
    )
    max_attempts: int = Field(5, ge=1, description="Claims of one job before it fails for good.")

    max_request_bytes: int = Field(5 * 1024 * 1024, ge=1024, description="Largest request body.")
    max_data_depth: int = Field(32, ge=1, description="Deepest nesting accepted in `data`.")
    max_data_strings: int = Field(50_000, ge=1, description="Most string leaves in one `data`.")
    max_target_locales: int = Field(100, ge=1, description="Most target locales per request.")

    # Blob store
    blob_url: str | None = Field(
        None,
        description="Where file bytes live: file:///path, s3://bucket/prefix?endpoint=URL&region="
        "NAME, or memory:// (tests); default is files under data_dir/blobs.",
    )
    blob_path_shared: bool = Field(
        False,
        description="The filesystem blob path is shared by every worker machine (NFS, one host), "
        "so a filesystem blob store may be used with broker_url.",
    )
    max_upload_bytes: int = Field(
        20 * 1024 * 1024, ge=1024, description="Largest uploaded file, in bytes."
    )
    max_file_units: int = Field(
        200_000, ge=1, description="Most translatable units (keys, entries) in one file."
    )
    parse_in_child_above_bytes: int = Field(
        2 * 1024 * 1024,
        ge=0,
        description="Uploads larger than this are checked in a short-lived child process, so "
        "the parse's memory is returned to the system.",
    )

    # Quotas
    max_request_work_bytes: int = Field(
        256 * 1024 * 1024,  # a 20 MiB upload to 10 locales fits; 5 MB to 100 locales does not
        ge=0,
        description="Most source bytes x target locales in one request (a JSON `data` as JSON "
        "text, or a file's size); larger get 413. 0: no limit.",
    )
    quota_stored_bytes: int = Field(
        5 * 1024**3,
        ge=0,
        description="Bytes one organization may keep stored (sources, outputs, files); new "
        "work beyond it gets 429. 0: no limit.",
    )
    quota_queued_jobs: int = Field(
        100_000,
        ge=0,
        description="Jobs one organization may have queued or translating at once; more get "
        "429. 0: no limit.",
    )
    quota_requests_per_minute: int = Field(
        60_000,
        ge=0,
        description="Authenticated requests per organization per minute and API process "
        "(a token bucket refilled evenly); beyond it 429. 0: no limit.",
    )
    quota_refresh_seconds: float = Field(
        10.0,
        gt=0,
        description="How often a process re-reads an organization's stored bytes and queued "
        "jobs from the database (in between it counts what it accepted itself).",
    )

    # Synchronous translation (Lingo.dev's /process/localize)
    process_concurrency_per_org: int = Field(
        8,
        ge=1,
        description="Synchronous translations one organization may run at once per API process; "
        "more wait (up to process_queue_per_org), beyond that 429 with Retry-After.",
    )
    process_queue_per_org: int = Field(
        32, ge=0, description="Synchronous translations of one organization that may wait."
    )
    process_threads: int = Field(
        16, ge=1, description="Threads for synchronous translation per API process (all orgs)."
    )
    process_max_words: int = Field(
        10_000, ge=1, description="Most words in one synchronous translation request (413)."
    )

    @model_validator(mode="after")
    def _check_blob_store(self) -> Settings:
        # Imported here: the settings module loads before any store package.
        from dragoman.store.blobs import filesystem_root

        root = filesystem_root(self.blob_url, self.data_dir)  # ValueError for a bad URL
        if root is not None and self.broker_url and not self.blob_path_shared:
            raise ValueError(
                f"DRAGOMAN_BROKER_URL sends jobs to workers that may run on other machines, and "
                f"they could not read the blobs kept in {root} on this one: set "
                "DRAGOMAN_BLOB_URL=s3://bucket/prefix (with ?endpoint=... for MinIO or R2), or "
                "DRAGOMAN_BLOB_PATH_SHARED=true if every worker machine sees that same path"
            )
        return self

    apertium_path: str = Field("apertium", description="The apertium command.")
    apertium_pipelines_per_mode: int = Field(
        2,
        ge=1,
        le=16,
        description="Warm Apertium pipelines per language pair and process: concurrent "
        "requests on one pair run side by side (each pipeline is a few processes, ~30 MB).",
    )
    apertium_modes_dir: Path | None = Field(
        None, description="Where Apertium's .mode files are; found from the package by default."
    )
    default_engine_provider: str = Field(
        "apertium", description="Provider of the engine each organization gets on first use."
    )
    engine_batch_size: int = Field(1000, ge=1, description="Most segments per engine call.")

    # Limits (hardening)
    max_live_engines: int = Field(
        8,
        ge=1,
        description="Live engines (warm pipelines) per process; the least recently "
        "used idle one is closed beyond this.",
    )
    max_engines_per_org: int = Field(
        20, ge=1, description="Engines one organization may configure (POST /engines)."
    )
    max_header_bytes: int = Field(
        64 * 1024, ge=4096, description="Largest request line plus headers; larger get 431."
    )
    ws_max_subscription_ids: int = Field(
        1000, ge=1, description="Most group ids one WebSocket connection may subscribe to."
    )

    broker_url: str | None = Field(
        None,
        description="redis://... or amqp://...: dispatch through Dramatiq to `dragoman worker` "
        "processes instead of the in-process queue.",
    )
    broker_queue: str = Field(
        "dragoman", pattern=r"^[a-zA-Z_][a-zA-Z0-9._-]*$", description="Dramatiq queue name."
    )
    run_workers: bool = Field(
        True, description="Whether `serve` runs jobs in its own processes (--no-worker: false)."
    )

    # Delivery: webhooks (Standard Webhooks), WebSocket, retention.
    webhook_retry_schedule: Annotated[tuple[float, ...], NoDecode] = Field(
        (5, 300, 1800, 7200, 18000, 36000, 36000),
        description="Retries, in seconds after the first attempt, comma-separated.",
    )
    webhook_timeout_seconds: float = Field(15.0, gt=0, description="Time limit per attempt.")
    webhook_allow_networks: Annotated[tuple[str, ...], NoDecode] = Field(
        (), description="CIDRs a callback may reach although they are not public, comma-separated."
    )
    webhook_ca_bundle: Path | None = Field(
        None, description="Extra CA certificates (PEM) trusted for callback URLs."
    )
    webhook_max_payload_bytes: int = Field(
        256 * 1024, ge=1024, description="Larger job payloads are sent as a reference + URL."
    )
    webhook_concurrency: int = Field(64, ge=1, description="Deliveries in flight per process.")
    webhook_concurrency_per_org: int = Field(
        8, ge=1, description="Deliveries in flight per organization (a slow one starves no other)."
    )
    webhook_poll_interval_seconds: float = Field(
        1.0, gt=0, description="How often the deliverer looks for due deliveries unprompted."
    )
    webhook_secret_overlap_hours: float = Field(
        24.0, ge=0, description="How long a rotated-out secret still signs deliveries."
    )
    public_url: str | None = Field(
        None, description="Base URL clients reach this server at (for links in webhooks)."
    )
    ws_allowed_origins: Annotated[tuple[str, ...], NoDecode] = Field(
        (), description="Browser origins allowed to open /ws, comma-separated."
    )
    ws_token_seconds: float = Field(60.0, gt=0, description="Lifetime of a /ws/token token.")
    workbench_secret: SecretStr | None = Field(
        None,
        description="Signs and encrypts workbench session cookies; set the same value on "
        "every host. Default: a random secret kept in data_dir/workbench.secret.",
    )
    ws_poll_interval_seconds: float = Field(
        1.0, gt=0, description="How often the WebSocket hub reads events unprompted."
    )
    retention_output_hours: float = Field(
        720.0, ge=0, description="Outputs of final jobs are deleted after this; 0 keeps them."
    )
    retention_content_hours: float = Field(
        168.0, ge=0, description="Uploaded content of finished groups is deleted after; 0 keeps."
    )
    retention_idempotency_hours: float = Field(
        720.0, ge=0, description="Idempotency keys are forgotten after this; 0 keeps them."
    )
    retention_events_hours: float = Field(
        168.0, ge=0, description="Events and finished deliveries are deleted after; 0 keeps."
    )
    retention_interval_seconds: float = Field(
        300.0, gt=0, description="How often the sweeper applies retention."
    )

    # OAuth2 and LanguageWire documents.
    oauth_token_seconds: int = Field(
        3600, ge=1, description="Lifetime of an OAuth2 access token (POST /oauth2/token)."
    )
    oauth_refresh_token_seconds: int = Field(
        30 * 86400, ge=1, description="Lifetime of an OAuth2 refresh token (rotated on use)."
    )
    oauth_code_seconds: int = Field(
        600, ge=1, description="Lifetime of an OAuth2 authorization code (used once)."
    )
    lingo24_quote_days: float = Field(
        15.0, gt=0, description="Days a saved Lingo24 quote can be accepted (IN_PROGRESS)."
    )
    lingo24_callback_retry_schedule: Annotated[tuple[float, ...], NoDecode] = Field(
        (10.0, 60.0),
        description="Seconds after the first attempt of each Lingo24 callback retry "
        "(comma-separated; 2 retries: 3 attempts).",
    )
    gengo_callback_retry_schedule: Annotated[tuple[float, ...], NoDecode] = Field(
        tuple(900.0 * k for k in range(1, 49)),
        description="Seconds after the first attempt of each Gengo callback retry "
        "(comma-separated; default every 15 minutes for 12 hours).",
    )
    languagewire_retention_seconds: int = Field(
        3600,
        ge=1,
        description="A LanguageWire document job, its upload and its translation are deleted "
        "this long after the job ended.",
    )
    languagewire_max_words: int = Field(
        50_000, ge=1, description="Longer documents fail with MAX_WORDS_EXCEEDED."
    )

    @field_validator(
        "webhook_retry_schedule",
        "lingo24_callback_retry_schedule",
        "gengo_callback_retry_schedule",
        mode="before",
    )
    @classmethod
    def _parse_schedule(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [v for v in value.replace(" ", "").split(",") if v]
        if isinstance(value, (list, tuple)) and any(float(v) < 0 for v in value):
            raise ValueError("retry delays must be >= 0 seconds")
        return value

    @field_validator("webhook_allow_networks", "ws_allowed_origins", mode="before")
    @classmethod
    def _parse_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(v.strip() for v in value.split(",") if v.strip())
        return value

    event_bus_url: str | None = Field(
        None,
        description="redis:// URL whose pub/sub carries event wake-ups between processes; "
        "defaults to the broker URL when that is Redis. Without it, processes apart see each "
        "other's events by polling the database (ws_poll_interval_seconds).",
    )

    def resolved_event_bus_url(self) -> str | None:
        """The Redis URL for the event bus, or None for the in-process bus."""
        if self.event_bus_url:
            return self.event_bus_url
        if self.broker_url and self.broker_url.startswith(("redis://", "rediss://")):
            return self.broker_url
        return None

    def resolved_database_url(self) -> str:
        """The database URL in force: the setting, or SQLite under `data_dir`."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'dragoman.db').resolve()}"
