"""What the OpenAPI document says of the Gengo routes that their handlers cannot declare
(they read the signed request themselves): the signature as three security schemes required
together, the query parameters of each GET, and the form body whose `data` field holds JSON."""

from __future__ import annotations

from typing import Any

from dragoman.surfaces.gengo.routes_jobs import MAX_IDS, MAX_TIMESTAMP
from dragoman.surfaces.gengo.statuses import GENGO_STATUS, REJECTED

TAG = "Gengo"
SECURITY_SCHEMES: dict[str, dict[str, Any]] = {
    "gengoApiKey": {
        "type": "apiKey", "in": "query", "name": "api_key",
        "description": "The public key (`dragoman gengo-keys create`); POST and PUT may send "
        "it as a form field instead.",
    },
    "gengoTimestamp": {
        "type": "apiKey", "in": "query", "name": "ts",
        "description": "The Unix time in seconds, within 5 minutes of the server's clock.",
    },
    "gengoSignature": {
        "type": "apiKey", "in": "query", "name": "api_sig",
        "description": "Hex HMAC-SHA1 of `ts` under the private key. A state-changing request "
        "signed and sent before (same fields, same `ts`) is refused as a replay (401).",
    },
}  # fmt: skip
SECURITY: list[dict[str, list[str]]] = [{name: [] for name in SECURITY_SCHEMES}]  # all together


def _data(description: str) -> dict[str, Any]:
    """The form body of a POST or PUT: `data`, JSON text (its shape in words)."""
    schema = {
        "type": "object",
        "required": ["data"],
        "properties": {
            "data": {
                "type": "string",
                "contentMediaType": "application/json",
                "minLength": 1,
                "description": description,
            }
        },
    }
    return {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": schema}}}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description}  # fmt: skip


_STATUSES = ["", *sorted({*GENGO_STATUS.values(), REJECTED, "canceled"})]  # "": no filter
_QUOTE_BODY = _data(
    '`{"jobs": {key: job}}` as JSON: each job\'s `type` (text or file), `body_src` or '
    "`identifier`, `lc_src`, `lc_tgt`, `tier`."
)
_QUOTE_BODY["content"]["multipart/form-data"] = {
    "schema": {
        "type": "object",
        "required": ["data"],
        "properties": {
            "data": _QUOTE_BODY["content"]["application/x-www-form-urlencoded"]["schema"][
                "properties"
            ]["data"],
        },
        "additionalProperties": {"type": "string", "format": "binary"},
        "description": "File jobs: one upload per job, named by its `identifier`.",
    }
}
OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("post", "/v2/translate/jobs"): {
        "requestBody": _data(
            '`{"jobs": {key: job}, "as_group", "comment"}` as JSON: each job\'s `type`, '
            "`slug`, `body_src`, `lc_src`, `lc_tgt`, `tier` and options."
        )
    },
    ("get", "/v2/translate/jobs"): {
        "parameters": [
            _query("status", {"type": "string", "enum": _STATUSES}, "Only jobs in this state."),
            _query(
                "count",
                {"type": "integer", "minimum": 1, "maximum": 200},
                "How many (default 10, or all since `timestamp_after`).",
            ),
            _query(
                "timestamp_after",
                {"type": "integer", "minimum": 0, "maximum": MAX_TIMESTAMP},
                "Only jobs created after this Unix time.",
            ),
        ]
    },
    ("put", "/v2/translate/jobs"): {
        "requestBody": _data(
            '`{"action", "job_ids": [id or {job_id, ...}], ...}` as JSON: one action on '
            "several jobs."
        )
    },
    ("put", "/v2/translate/job/{id}"): {
        "requestBody": _data(
            '`{"action": approve|revise|reject, ...}` as JSON: `rating`, `for_translator`; '
            "`comment`; `reason`, `comment`, `follow_up`."
        )
    },
    ("post", "/v2/translate/job/{id}/comment"): {
        "requestBody": _data('`{"body": text}` as JSON (plain text).')
    },
    ("post", "/v2/translate/order/{order_id}/comment"): {
        "requestBody": _data('`{"body": text}` as JSON (plain text).')
    },
    ("post", "/v2/translate/service/quote"): {"requestBody": _QUOTE_BODY},
    ("get", "/v2/translate/jobs/{ids}"): {
        "path_patterns": {
            "ids": f"^[0-9]{{1,18}}(,[0-9]{{1,18}}){{0,{MAX_IDS - 1}}}$",
        }
    },
    ("get", "/v2/translate/job/{id}"): {
        "parameters": [
            _query(
                "pre_mt",
                {"type": "string"},
                "`1` or `true`: the machine draft while no human translation is shown.",
            ),
        ]
    },
    ("get", "/v2/translate/service/language_pairs"): {
        "parameters": [
            _query("lc_src", {"type": "string"}, "Only pairs from this language."),
        ]
    },
}


def document(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the Gengo schemes, and each Gengo operation's signature, parameters and body."""
    components = schema.setdefault("components", {})
    components.setdefault("securitySchemes", {}).update(SECURITY_SCHEMES)
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            if TAG not in operation.get("tags", ()):
                continue
            operation["security"] = SECURITY
            extra = OPERATIONS.get((method, path), {})
            parameters = operation.setdefault("parameters", [])
            for parameter in parameters:
                pattern = extra.get("path_patterns", {}).get(parameter["name"])
                if pattern and parameter["in"] == "path":
                    parameter["schema"]["pattern"] = pattern
            parameters.extend(extra.get("parameters", []))
            if "requestBody" in extra:
                operation["requestBody"] = extra["requestBody"]
    return schema
