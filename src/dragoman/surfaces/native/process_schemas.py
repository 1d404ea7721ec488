"""Bodies of Lingo.dev's synchronous `/process/*` calls, as its SDKs and CLI send them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from dragoman.surfaces.native.schemas import LOCALE


class LocalizeParams(BaseModel):
    """Options of one call; `fast` is accepted and has no effect on a rule-based engine."""

    model_config = ConfigDict(extra="allow")

    fast: bool | None = Field(None, strict=True)


class LocalizeRequest(BaseModel):
    """`POST /process/localize`: one chunk of an object, from one locale into one."""

    model_config = ConfigDict(extra="allow")  # the SDKs add fields (metadata, ...) over time

    params: LocalizeParams | None = None
    sourceLocale: str | None = Field(
        None, description="BCP-47; null: detected from data.", json_schema_extra=LOCALE
    )
    targetLocale: str = Field(description="BCP-47 target locale.", json_schema_extra=LOCALE)
    data: dict[str, Any] = Field(description="Keys to translate; nested objects and arrays too.")
    reference: dict[str, dict[str, Any]] | None = Field(
        None,
        description="Translations of these keys by locale: context, and exact answers where "
        "a key's source text is unchanged.",
    )
    hints: dict[str, list[str]] | None = Field(None, description="Breadcrumbs per key.")
    sessionId: str | None = None
    engineId: str | None = Field(None, description="An engine of the organization (`eng_...`).")
    triggerType: str | None = Field(
        None,
        description="`cli` or `ci` from Lingo.dev's CLI, which sends only new and changed "
        "keys: their stale translations in `reference` are then not reused.",
    )


class LocalizeResponse(BaseModel):
    """The same keys, translated."""

    data: dict[str, Any]


class RecognizeRequest(BaseModel):
    """`POST /process/recognize`."""

    text: str = Field(min_length=1, max_length=100_000, description="Text to identify.")


class RecognizeResponse(BaseModel):
    locale: str = Field(description="BCP-47 language of the text.")


class EstimateItem(BaseModel):
    targetLocale: str = Field(json_schema_extra=LOCALE)
    sourceChars: int = Field(ge=0, strict=True)


class EstimateRequest(BaseModel):
    """`POST /process/estimate`: the SDK's `items`, or content to analyze (`data` and
    `targetLocales`)."""

    items: list[EstimateItem] | None = Field(None, min_length=1)
    data: dict[str, Any] | None = None
    targetLocales: list[str] | None = Field(
        None,
        min_length=1,
        max_length=1000,
        json_schema_extra={"items": {"type": "string", **LOCALE}},
    )


class Me(BaseModel):
    """`GET /users/me`: the identity behind the API key."""

    id: str = Field(description="The organization's id.")
    email: str = Field(description="The organization's name as an address (never mailed).")
    name: str
