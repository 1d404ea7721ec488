"""Gengo's request signing: `api_key`, `ts` and `api_sig` (hex HMAC-SHA1 of `ts` with the
private key) in the query string (GET, DELETE) or as form fields beside `data` (POST, PUT).
GET values arrive percent-encoded twice (the official client quotes them before urlencoding)
and are decoded once more here. A state-changing request is refused when the same signed
request was already received within the ts window (replays; kept in the database)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import unquote

from fastapi import Depends, Request

from dragoman.core.gengo_keys import fingerprint
from dragoman.core.orgs import Organization
from dragoman.errors import AuthenticationError, ValidationError
from dragoman.surfaces.base import CoreDep
from dragoman.surfaces.gengo.errors import DATA_INVALID, DATA_REQUIRED
from dragoman.surfaces.ratelimit import admit

SAFE_METHODS = frozenset({"GET", "HEAD"})
_SIGNING = ("api_key", "ts", "api_sig")
_MISSING_CODES = {"api_sig": 1100, "api_key": 1150, "ts": 1200}


@dataclass(frozen=True, slots=True)
class Signed:
    """An authenticated request: its organization, parameters and decoded `data`."""

    org: Organization
    params: dict[str, str]
    data: Any | None
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # field -> (name, bytes)

    def require_data(self) -> Any:
        """The `data` field's JSON; ValidationError (1250) when it was not sent."""
        if self.data is None:
            raise ValidationError("data is a required field", field="data",
                                  gengo_code=DATA_REQUIRED)  # fmt: skip
        return self.data


async def _parameters(request: Request) -> tuple[dict[str, str], dict[str, tuple[str, bytes]]]:
    query = {k: unquote(v) for k, v in request.query_params.items()}
    if request.method in SAFE_METHODS or request.method == "DELETE":
        return query, {}
    try:
        form = await request.form()
    except Exception as exc:  # a malformed form body: say so in the envelope
        raise ValidationError(f"the request body is not a valid form: {exc}"[:300],
                              field="data", gengo_code=DATA_INVALID) from None  # fmt: skip
    fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    files = {
        k: (v.filename or k, await v.read())
        for k, v in form.multi_items()
        if not isinstance(v, str)
    }
    return {**query, **fields}, files


async def signed_request(request: Request, core: CoreDep) -> Signed:
    """Check the request's signature (Gengo 1000 when it fails) and decode `data`."""
    params, files = await _parameters(request)
    for name in _SIGNING:
        if not params.get(name):
            raise AuthenticationError(f"{name} is a required field", field=name,
                                      gengo_code=_MISSING_CODES[name])  # fmt: skip
    if not params["ts"].isdigit():
        raise AuthenticationError("ts must be numeric", field="ts", gengo_code=1201)
    print_ = None
    if request.method not in SAFE_METHODS:
        rest = sorted((k, v) for k, v in params.items() if k != "api_sig")
        print_ = fingerprint([
            params["api_key"].encode(), params["ts"].encode(), params["api_sig"].encode(),
            request.method.encode(), request.url.path.encode(),
            json.dumps(rest, ensure_ascii=False).encode(),
            *(name.encode() + b"=" + data for name, (_, data) in sorted(files.items())),
        ])  # fmt: skip
    org = await core.gengo.authenticate(params["api_key"], params["ts"], params["api_sig"], print_)
    org = admit(core, org)
    data = None
    if params.get("data"):
        try:
            data = json.loads(params["data"])
        except ValueError:
            raise ValidationError("JSON data cannot be decoded", field="data",
                                  gengo_code=DATA_INVALID) from None  # fmt: skip
    return Signed(org, params, data, files)


SignedDep = Annotated[Signed, Depends(signed_request)]
