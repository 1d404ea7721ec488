"""What the native routes answer with a 2xx, as models for the OpenAPI document (the routes
render plain dicts; `tests/acceptance/test_schemathesis.py` holds the two together)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

NativeStatus = Literal["queued", "processing", "completed", "failed"]
GroupStatusName = Literal["pending", "processing", "completed", "partial", "failed"]
Timestamp = str  # ISO 8601 in UTC with milliseconds, `2025-01-15T10:30:00.000Z`


class JobRef(BaseModel):
    """A job of a group just created."""

    id: str
    targetLocale: str
    status: NativeStatus


class Created(BaseModel):
    """`POST /jobs/localization` and `/jobs/localization/files`."""

    groupId: str
    status: GroupStatusName
    jobs: list[JobRef]
    createdAt: Timestamp
    format: str | None = Field(None, description="File jobs only: the file's format.")
    filename: str | None = Field(None, description="File jobs only: the uploaded name.")


class GroupJob(BaseModel):
    """A job as its group lists it."""

    id: str
    targetLocale: str
    status: NativeStatus
    completedAt: Timestamp | None


class Group(BaseModel):
    """`GET /jobs/localization/groups/{groupId}`."""

    groupId: str
    status: GroupStatusName
    sourceLocale: str
    engineId: str
    totalJobs: int
    completedJobs: int
    failedJobs: int
    jobs: list[GroupJob]
    createdAt: Timestamp
    wordCount: int | None = Field(
        None, description="Words in the source (Chinese, Japanese, Korean, Thai: characters)."
    )


class Progress(BaseModel):
    """Units translated so far."""

    unitsDone: int
    unitsTotal: int


class TmUse(BaseModel):
    """Units whose target came from the translation memory (origin `tm`), not the engine."""

    unitsFromTm: int
    units: dict[str, int] | None = Field(
        None,
        description="JSON jobs: each such unit's path and match score (101 in context, 100 "
        "exact, 99 exact but for placeholders, adapted).",
    )


class Job(BaseModel):
    """`GET /jobs/localization/{jobId}`; file jobs add `format` ... `unitsFailed`."""

    id: str
    groupId: str
    engineId: str
    targetLocale: str
    status: NativeStatus
    outputData: Any = Field(description="The translated content once completed, else null.")
    errorMessage: str | None
    callbackStatus: str | None
    progress: Progress
    qaIssues: list[dict[str, Any]]
    createdAt: Timestamp
    startedAt: Timestamp | None
    completedAt: Timestamp | None
    wordCount: int | None = Field(
        None, description="Words in the source (Chinese, Japanese, Korean, Thai: characters)."
    )
    format: str | None = None
    filename: str | None = None
    unitsTotal: int | None = None
    unitsTranslated: int | None = None
    unitsFailed: int | None = None
    tm: TmUse | None = Field(
        None, description="Present when units were taken from the translation memory."
    )


class ListItem(BaseModel):
    """A job in `GET /jobs/localization`."""

    id: str
    groupId: str
    engineId: str
    targetLocale: str
    status: NativeStatus
    createdAt: Timestamp
    completedAt: Timestamp | None


class JobList(BaseModel):
    """`GET /jobs/localization`: a page, newest first."""

    items: list[ListItem]
    nextCursor: str | None


class LanguagePair(BaseModel):
    """A pair an engine serves."""

    source: str
    target: str


class Engine(BaseModel):
    """An engine of the organization."""

    id: str
    name: str
    provider: str
    isDefault: bool
    options: dict[str, Any]
    anyPair: bool
    languagePairs: list[LanguagePair]
    createdAt: Timestamp


class EngineList(BaseModel):
    """`GET /engines`."""

    items: list[Engine]


class OrganizationSettingsView(BaseModel):
    """`GET` and `PUT /organization/settings`."""

    organizationId: str
    name: str
    defaultCallbackUrl: str | None
    tmStoreMachine: bool = Field(
        description="Whether completed jobs' machine output is stored in the TM."
    )


class WsToken(BaseModel):
    """`POST /ws/token`."""

    token: str
    expiresAt: Timestamp


def ok(model: type[BaseModel], description: str) -> dict[str, Any]:
    """An OpenAPI response entry for a 2xx answered with `model`."""
    return {"model": model, "description": description}
