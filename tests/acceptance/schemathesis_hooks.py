"""Schemathesis hooks for the OpenAPI run: what the document's custom formats mean, and the
rules no JSON Schema can state, kept out of schema-valid cases: a target locale is never the
source locale, and an uploaded file must be a file of a format the server reads.

Loaded by `st run` through SCHEMATHESIS_HOOKS (see test_schemathesis.py)."""

from __future__ import annotations

import base64
import json
import os
import time
import uuid
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import strategies as st
from schemathesis.generation.value import GeneratedValue
from schemathesis.transport.serialization import Binary

from dragoman.core.gengo_keys import TS_WINDOW_SECONDS, signature
from dragoman.timefmt import iso_ms

# The environment variable that holds the Gengo private key (set by test_schemathesis.py).
GENGO_PRIVATE_KEY_ENV = "DRAGOMAN_SCHEMATHESIS_GENGO_PRIVATE_KEY"
# What the configuration gives Gengo's `ts` and `api_sig`; the hook signs in their place.
GENGO_PLACEHOLDER = "0"

# Canonical tags the IANA registry knows, with scripts and regions among them.
LOCALES = ["en", "de", "fr", "ja", "es", "pt-BR", "zh-Hant", "sr-Latn", "fil", "ar", "en-GB"]
# A file of a format every upload route reads (JSON), for schema-valid upload cases (the
# document's example names it `messages.json`); its language, as `auto` detects it, is English.
VALID_FILE_LANGUAGE = "en"
VALID_FILE = json.dumps({"greeting": "Hello", "menu": {"open": "Open file"}}).encode()
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "formats"


@cache
def _sample(format_name: str) -> bytes | None:
    """A real file of the format `format_name` names (English, as the fixtures are)."""
    if format_name not in {path.name for path in FIXTURES.iterdir()}:
        return None  # not a format (a schema-violating value, or an empty one)
    files = [path for path in (FIXTURES / format_name).iterdir() if path.is_file()]
    for path in sorted(files, key=lambda p: p.stat().st_size):
        data = path.read_bytes()
        if data.startswith(b"PK\x03\x04"):  # DOCX, XLSX, PPTX, ODF: a ZIP package
            return data
        try:
            data.decode("utf-8")  # UTF-16 fixtures exist; a named format reads them as UTF-8
        except UnicodeDecodeError:
            continue
        return data
    return None


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


def _usable(body: Any) -> Any:
    """`body` with a readable file and a fresh idempotency key, each only where the generated
    value was already schema-valid, so the case keeps its validity either way."""
    if isinstance(body, GeneratedValue):  # how schema-violating draws come, with their record
        return body.map_value(_usable)
    if not isinstance(body, dict):
        return body
    body = dict(body)
    if isinstance(body.get("file"), (bytes, str)):
        # The file must be of the format `format` (TranslatePlus: `file_type`) names, if any.
        named = body.get("format", body.get("file_type"))
        if named == "xml":  # TranslatePlus picks the XML format by the file's name: not .json
            body["file_type"] = "json"
        sample = _sample(named) if isinstance(named, str) and named != "xml" else None
        # Binary, as the generator wraps bytes (bare bytes are no JSON Schema string).
        body["file"] = Binary(sample or VALID_FILE)
    key = body.get("idempotencyKey")
    if isinstance(key, str) and 1 <= len(key) <= 255:
        body["idempotencyKey"] = f"{key[:200]}-{uuid.uuid4().hex}"
    return body


@schemathesis.hook
def before_generate_body(
    context: schemathesis.HookContext, strategy: st.SearchStrategy[Any]
) -> st.SearchStrategy[Any]:
    """An uploaded file is a readable file (its content is no schema's business), and an
    idempotency key is fresh (reusing one for another request is a 422 by design).

    Applied as bodies are drawn rather than to finished cases: the engine judges a finished
    case that a hook changed anew, and judges any body holding a file invalid."""
    return strategy.map(_usable)


_last_ts = 0


def _fresh_ts() -> str:
    """A `ts` within the server's window, never the same twice in one run: a state-changing
    request signed with a `ts` already seen, every other field equal, is a replay (401)."""
    global _last_ts
    now = int(time.time())
    margin = TS_WINDOW_SECONDS - 30
    _last_ts = _last_ts + 1 if now - margin <= _last_ts < now + margin else now - margin
    return str(_last_ts)


@schemathesis.hook
def before_call(context: schemathesis.HookContext, case: schemathesis.Case, kwargs: Any) -> None:
    """Sign a Gengo request: `ts` and `api_sig`, where they hold the configured placeholder
    (GENGO_PLACEHOLDER), become a fresh timestamp and its HMAC-SHA1 under the private key.
    Requests without the configured credentials (auth probes, negative cases) go as
    generated."""
    query = case.query
    if not isinstance(query, dict) or "api_key" not in query:
        return
    if query.get("ts") != GENGO_PLACEHOLDER or query.get("api_sig") != GENGO_PLACEHOLDER:
        return
    ts = _fresh_ts()
    query["ts"] = ts
    query["api_sig"] = signature(os.environ[GENGO_PRIVATE_KEY_ENV], ts)
