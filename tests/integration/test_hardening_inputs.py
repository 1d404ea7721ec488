"""Hostile text gets a 4xx naming the field, never a 500 (issue 9, item 5).

Lone surrogates (legal in JSON, not in UTF-8), NULs (not storable in PostgreSQL text, dropped
by Apertium) and crafted cursors, over real HTTP on SQLite and PostgreSQL. A refused request
must not reach the database writer: one failing item there rolls back and replays the batch
of every other request that shared it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from dragoman.settings import Settings
from tests.apptools import Api, running_api

BASE: dict[str, Any] = {"sourceLocale": "en", "targetLocales": ["de"], "data": {"t": "Hello"}}


def _job(**fields: Any) -> dict[str, Any]:
    return {**BASE, **fields}


# (name, body, the field the 422 must name); json.dumps writes "\ud800" as an escape.
JOB_CASES: list[tuple[str, dict[str, Any], str]] = [
    ("surrogate in a data value", _job(data={"t": "a\ud800b"}), "data.t"),
    ("surrogate in a nested data value", _job(data={"a": [{"b": "x\udfff"}]}), "data.a[0].b"),
    ("surrogate in a data key", _job(data={"a\ud800": "x"}), "data"),
    ("NUL in text to translate", _job(data={"menu": {"save": "Save\x00 now"}}), "data.menu.save"),
    ("NUL in a data key", _job(data={"a\x00": "x"}), "data"),
    ("surrogate in the idempotency key", _job(idempotencyKey="k\ud800"), "idempotencyKey"),
    ("NUL in the idempotency key", _job(idempotencyKey="k\x00"), "idempotencyKey"),
    ("surrogate in hints", _job(hints={"t": ["a\ud800"]}), "hints.t[0]"),
    ("NUL in a hints key", _job(hints={"t\x00": ["a"]}), "hints"),
    ("surrogate in the engine id", _job(engineId="eng_\ud800"), "engineId"),
    ("NUL in the engine id", _job(engineId="eng_\x00"), "engineId"),
    ("surrogate in the source locale", _job(sourceLocale="e\ud800"), "sourceLocale"),
    ("NUL in a target locale", _job(targetLocales=["de", "f\x00r"]), "targetLocales[1]"),
    ("surrogate in the callback URL", _job(callbackUrl="https://a\ud800.example/"), "callbackUrl"),
]
ENGINE_CASES: list[tuple[str, dict[str, Any], str]] = [
    ("NUL in an engine name", {"name": "a\x00", "provider": "pseudo"}, "name"),
    ("surrogate in an engine name", {"name": "a\ud800", "provider": "pseudo"}, "name"),
    ("NUL in a provider", {"name": "a", "provider": "pse\x00udo"}, "provider"),
    (
        "surrogate in an option",
        {"name": "a", "provider": "pseudo", "options": {"x\ud800": 1}},
        "options",
    ),
]


def _cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


CURSORS: dict[str, str] = {
    "a number for the time": _cursor({"t": 1, "i": "ljb_x"}),
    "year 1 with an offset": _cursor({"t": "0001-01-01T00:00:00+05:00", "i": "ljb_x"}),
    "year 9999 with an offset": _cursor({"t": "9999-12-31T23:59:59-05:00", "i": "ljb_x"}),
    "year 1": _cursor({"t": "0001-01-01T00:00:00.000Z", "i": "ljb\x00"}),
    "deep arrays": base64.urlsafe_b64encode(b"[" * 5000 + b"]" * 5000).decode(),
    "short deep arrays": _cursor([[[[[[[[[[]]]]]]]]]]),
    "garbage base64": "!!!%%%",
    "not base64 of JSON": base64.urlsafe_b64encode(b"\xff\xfe\x00").decode(),
    "a surrogate in the id": _cursor({"t": "2020-01-01T00:00:00.000Z", "i": "ljb_\ud800"}),
    "a NUL in the id": _cursor({"t": "2020-01-01T00:00:00.000Z", "i": "ljb_\x00"}),
    "a month 13": _cursor({"t": "2020-13-01T00:00:00.000Z", "i": "ljb_x"}),
    "an extra key": _cursor({"t": "2020-01-01T00:00:00.000Z", "i": "ljb_x", "x": 1}),
}


@pytest.fixture
def api(database_url: str, settings_factory: Callable[..., Settings]) -> Iterator[Api]:
    with running_api(settings_factory(database_url), run_workers=False) as running:
        yield running


def _writes_spied(api: Api) -> list[int]:
    """Count every call into the database writer from now on."""
    calls: list[int] = []
    original = api.services.writer.run

    async def run(fn: Any) -> Any:
        calls.append(1)
        return await original(fn)

    api.services.writer.run = run  # type: ignore[method-assign]
    return calls


def test_hostile_text_in_bodies_is_422_naming_the_field(api: Api) -> None:
    key = api.new_key()
    headers = {"X-API-Key": key, "content-type": "application/json"}
    writes = _writes_spied(api)
    wrong: list[str] = []
    cases = [("/jobs/localization", *c) for c in JOB_CASES]
    cases += [("/engines", *c) for c in ENGINE_CASES]
    for path, name, body, field in cases:
        response = api.client.post(path, content=json.dumps(body), headers=headers)
        got = response.json() if response.status_code < 500 else {}
        if response.status_code != 422 or got.get("field") != field:
            wrong.append(f"{name}: {response.status_code} {response.text[:160]}")
    assert not wrong, "\n".join(wrong)
    assert writes == [], "a refused request reached the database writer"
    # The server is unharmed: a good request right after is accepted.
    assert api.post(key, BASE).status_code == 202


def test_crafted_cursors_are_422_naming_cursor(api: Api) -> None:
    key = api.new_key()
    wrong: list[str] = []
    for name, cursor in CURSORS.items():
        response = api.get(key, "/jobs/localization", cursor=cursor)
        if response.status_code != 422 or response.json().get("field") != "cursor":
            wrong.append(f"{name}: {response.status_code} {response.text[:160]}")
    assert not wrong, "\n".join(wrong)


def test_issued_cursors_still_page(api: Api) -> None:
    key = api.new_key()
    for i in range(3):
        assert api.post(key, _job(data={"t": f"Hello {i}"})).status_code == 202
    first = api.get(key, "/jobs/localization", limit=2).json()
    assert len(first["items"]) == 2 and first["nextCursor"]
    second = api.get(key, "/jobs/localization", limit=2, cursor=first["nextCursor"]).json()
    assert len(second["items"]) == 1 and second["nextCursor"] is None


def test_an_unknown_engine_id_is_still_404(api: Api) -> None:
    key = api.new_key()
    response = api.post(key, _job(engineId="eng_abc"))
    assert response.status_code == 404
    assert response.json()["field"] == "engineId"


@pytest.mark.parametrize(
    "path",
    [
        "/jobs/localization/ljb_%00",
        "/jobs/localization/groups/ljg_%00",
        "/jobs/localization/ljb_%00/file",
        "/jobs/localization?engineId=%00",
        "/v2/i18n/jobs/%00",
    ],
)
def test_nul_in_a_path_id_is_4xx(api: Api, path: str, database_url: str) -> None:
    key = api.new_key()
    response = api.client.get(path, headers={"X-API-Key": key, "X-API-KEY": key})
    assert 400 <= response.status_code < 500
