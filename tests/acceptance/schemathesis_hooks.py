"""Schemathesis hooks for the OpenAPI run: what the document's custom formats mean, and the
rules no JSON Schema can state, kept out of schema-valid cases: a target locale is never the
source locale, and an uploaded file must be a file of a format the server reads.

Loaded by `st run` through SCHEMATHESIS_HOOKS (see test_schemathesis.py)."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import schemathesis
from hypothesis import strategies as st

from dragoman.timefmt import iso_ms

# Canonical tags the IANA registry knows, with scripts and regions among them.
LOCALES = ["en", "de", "fr", "ja", "es", "pt-BR", "zh-Hant", "sr-Latn", "fil", "ar", "en-GB"]
# A file of a format every upload route reads (JSON), for schema-valid upload cases; its
# language, as `auto` detects it, is English.
VALID_FILE_LANGUAGE = "en"
VALID_FILE = json.dumps({"greeting": "Hello", "menu": {"open": "Open file"}}).encode()


def _cursor(moment: datetime, suffix: str) -> str:
    """A cursor of the shape the server issues (`queries.encode_cursor`)."""
    raw = json.dumps({"t": iso_ms(moment), "i": f"ljb_{suffix}"}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


schemathesis.openapi.format("bcp47", st.sampled_from(LOCALES))
schemathesis.openapi.format(
    "bcp47-list",
    st.lists(st.sampled_from(LOCALES), min_size=1, max_size=4, unique=True).map(",".join),
)
schemathesis.openapi.format(
    "dragoman-cursor",
    st.builds(
        _cursor,
        st.datetimes(datetime(2000, 1, 1), datetime(2100, 1, 1), timezones=st.just(UTC)),
        st.text(
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
            min_size=16,
            max_size=16,
        ),
    ),
)

# (source field, targets field) of each operation's body.
_PAIRS = [("sourceLocale", "targetLocales"), ("source_language", "target_languages")]


@schemathesis.hook
def filter_body(context: schemathesis.HookContext, body: Any) -> bool:
    """Drop bodies whose targets include their source: the document states that rule in
    words (a 422), which a generator from the schema alone cannot know."""
    if not isinstance(body, dict):
        return True
    for source_field, targets_field in _PAIRS:
        source, targets = body.get(source_field), body.get(targets_field)
        if "file" in body and (source is None or str(source).strip() in ("", "auto")):
            source = VALID_FILE_LANGUAGE
        if isinstance(targets, str):
            targets = [t.strip() for t in targets.replace(",", " ").split()]
        if isinstance(source, str) and isinstance(targets, list) and source.strip() in targets:
            return False
    return True


@schemathesis.hook
def map_case(context: schemathesis.HookContext, case: schemathesis.Case) -> schemathesis.Case:
    """A schema-valid upload carries a readable file (its content is no schema's business), and
    a schema-valid idempotency key is fresh (reusing one for another request is a 422 by
    design); cases with a schema violation anywhere keep what was generated."""
    meta = case.meta
    positive = (
        meta is not None
        and meta.generation.mode.is_positive
        and all(c.mode.is_positive for c in meta.components.values())
    )
    if not positive or not isinstance(case.body, dict):
        return case
    body = dict(case.body)
    if isinstance(body.get("file"), (bytes, str)):
        body["file"] = VALID_FILE
    if isinstance(body.get("idempotencyKey"), str):
        body["idempotencyKey"] = f"{body['idempotencyKey'][:200]}-{uuid.uuid4().hex}"
    case.body = body
    return case
