"""Request models and response rendering for the native localization-jobs API (seed 000)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue, model_validator

from dragoman.core import text_checks
from dragoman.core.engine_records import EngineRecord
from dragoman.core.queries import GroupView, JobView
from dragoman.core.status import JobStatus
from dragoman.engines.base import LanguagePair
from dragoman.engines.registry import PROVIDERS
from dragoman.surfaces.native.statuses import NATIVE_STATUS
from dragoman.timefmt import iso_ms

# Schema-only constraints: they state in the document what the core checks with its own
# messages (a 422 naming the field, or 400 for a callback URL), so behaviour stays the core's.
# `format: bcp47` is a BCP-47 tag that the IANA registry knows (`en`, `pt-BR`, `zh-Hant`).
LOCALE: dict[str, Any] = {"format": "bcp47", "minLength": 1, "maxLength": 64}
# The host must also be public (400 otherwise), which no pattern can say.
HTTPS_URL: dict[str, Any] = {"pattern": "^[Hh][Tt][Tt][Pp][Ss]://[^/?#@:\\[\\]]+"}
IDEMPOTENCY_KEY: dict[str, Any] = {"minLength": 1, "maxLength": 255}
REPLAY: dict[str, Any] = {
    "description": "An idempotent replay: the group created earlier, as its 202 described it."
}
DISPOSITION: dict[str, Any] = {
    "description": "The file part's name; its extension picks the format unless `format` "
    "(TranslatePlus: `file_type`) names one, else a 422.",
    "schema": {"type": "string"},
    "example": 'form-data; name="file"; filename="messages.json"',
}
# A translated file: bytes in its format's media type (JSON, YAML, XML, ...), so no one schema.
FILE_BODY: dict[str, Any] = {"description": "The file, in its format's media type."}
TEXT_RULE = " Text may hold no NUL (U+0000) and no lone surrogate (422)."


class LocalizationRequest(BaseModel):
    """`POST /jobs/localization`: one job group, one job per target locale."""

    model_config = ConfigDict(extra="ignore")

    sourceLocale: str = Field(
        description="BCP-47 source locale, e.g. `en`.", json_schema_extra=LOCALE
    )
    targetLocales: list[str] = Field(
        description='BCP-47 target locales, e.g. `["de", "fr"]`: distinct, none the source '
        "locale, at most DRAGOMAN_MAX_TARGET_LOCALES (100 by default).",
        json_schema_extra={
            "minItems": 1,
            "uniqueItems": True,
            "items": {"type": "string", **LOCALE},
        },
    )
    data: dict[str, Any] = Field(
        description="Content to translate; nested objects and arrays (at most "
        "DRAGOMAN_MAX_DATA_DEPTH levels deep)." + TEXT_RULE
    )
    hints: dict[str, list[str]] | None = Field(None, description="Breadcrumbs per key.")
    callbackUrl: str | None = Field(
        None,
        description="HTTPS webhook URL for this group; its host must be public (400 otherwise).",
        json_schema_extra=HTTPS_URL,
    )
    idempotencyKey: str | None = Field(
        None,
        description="Returns the existing group (200) if reused with the same request.",
        json_schema_extra=IDEMPOTENCY_KEY,
    )
    engineId: str | None = Field(
        None, description="Engine id; the organization default if omitted (404 if unknown)."
    )

    @model_validator(mode="before")
    @classmethod
    def _storable_text(cls, raw: Any) -> Any:
        # Lone surrogates and NULs: a 422 naming the field, before anything reaches the writer.
        return text_checks.check_fields(
            raw,
            texts=("sourceLocale", "callbackUrl", "idempotencyKey", "engineId"),
            lists=("targetLocales",),
            trees=("data", "hints"),
        )


class EngineRequest(BaseModel):
    """`POST /engines`: configure an engine for the organization."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=lambda s: _provider_options(s))

    name: str = Field(min_length=1, max_length=200)
    provider: str = Field(
        description="Engine provider, e.g. `apertium` or `pseudo`.",
        json_schema_extra={"enum": list[JsonValue](sorted(PROVIDERS))},
    )
    options: dict[str, Any] = Field(
        default_factory=dict, description="The provider's options (see `oneOf`)."
    )
    # Strict: the document says boolean, so 0, 1 or "yes" are refused rather than coerced.
    isDefault: bool = Field(False, strict=True)

    @model_validator(mode="before")
    @classmethod
    def _storable_text(cls, raw: Any) -> Any:
        return text_checks.check_fields(raw, texts=("name", "provider"), trees=("options",))


def _provider_options(schema: dict[str, Any]) -> None:
    """Each provider's options model, as the engine registry validates `options` with it."""
    schema["oneOf"] = [
        {
            "properties": {
                "provider": {"const": name},
                "options": engine.options_model.model_json_schema(),
            }
        }
        for name, engine in sorted(PROVIDERS.items())
    ]


def render_created(group: GroupView) -> dict[str, Any]:
    extra = {} if group.filename is None else {"format": group.format, "filename": group.filename}
    return {
        **extra,
        "groupId": group.id,
        "status": str(group.status),
        "jobs": [
            {"id": j.id, "targetLocale": j.target_locale, "status": NATIVE_STATUS[j.status]}
            for j in group.jobs
        ],
        "createdAt": iso_ms(group.created_at),
    }


def render_group(group: GroupView) -> dict[str, Any]:
    completed = sum(NATIVE_STATUS[j.status] == "completed" for j in group.jobs)
    failed = sum(NATIVE_STATUS[j.status] == "failed" for j in group.jobs)
    return {
        "groupId": group.id,
        "status": str(group.status),
        "sourceLocale": group.source_locale,
        "engineId": group.engine_id,
        "totalJobs": len(group.jobs),
        "completedJobs": completed,
        "failedJobs": failed,
        "jobs": [
            {
                "id": j.id,
                "targetLocale": j.target_locale,
                "status": NATIVE_STATUS[j.status],
                "completedAt": iso_ms(j.completed_at),
            }
            for j in group.jobs
        ],
        "createdAt": iso_ms(group.created_at),
        "wordCount": group.words_total,
    }


def render_job(job: JobView) -> dict[str, Any]:
    status = NATIVE_STATUS[job.status]
    return {
        "id": job.id,
        "groupId": job.group_id,
        "engineId": job.engine_id,
        "targetLocale": job.target_locale,
        "status": status,
        "outputData": job.output if status == "completed" else None,
        "errorMessage": job.error_message,
        "callbackStatus": job.callback_status,
        "progress": {"unitsDone": job.units_done, "unitsTotal": job.units_total},
        "qaIssues": job.issues,
        "createdAt": iso_ms(job.created_at),
        "startedAt": iso_ms(job.started_at),
        "completedAt": iso_ms(job.completed_at),
        "wordCount": job.words,
        **_file_fields(job),
        **_tm_fields(job),
    }


def _tm_fields(job: JobView) -> dict[str, Any]:
    """`tm` when units came from the translation memory (origin `tm`): how many, and for
    JSON jobs each unit's path and match score."""
    used = (job.metrics or {}).get("tm")
    if not used or not used.get("units"):
        return {}
    return {"tm": {"unitsFromTm": used["units"], "units": used.get("matches")}}


def _file_fields(job: JobView) -> dict[str, Any]:
    """What a file job's view adds: its translated file's name and unit counts."""
    if job.format is None:
        return {}
    done = job.status == JobStatus.COMPLETED
    return {
        "format": job.format,
        "filename": job.output_filename,
        "unitsTotal": job.units_total if done else None,
        "unitsTranslated": job.units_total - job.units_failed if done else None,
        "unitsFailed": job.units_failed if done else None,
    }


def render_list_item(job: JobView) -> dict[str, Any]:
    return {
        "id": job.id,
        "groupId": job.group_id,
        "engineId": job.engine_id,
        "targetLocale": job.target_locale,
        "status": NATIVE_STATUS[job.status],
        "createdAt": iso_ms(job.created_at),
        "completedAt": iso_ms(job.completed_at),
    }


def render_engine(
    record: EngineRecord, pairs: list[LanguagePair] | None, any_pair: bool
) -> dict[str, Any]:
    return {
        "id": record.id,
        "name": record.name,
        "provider": record.provider,
        "isDefault": record.is_default,
        "options": record.options,
        "anyPair": any_pair,
        "languagePairs": [{"source": p.source, "target": p.target} for p in pairs or []],
        "createdAt": iso_ms(record.created_at),
    }
