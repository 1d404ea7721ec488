"""Lingo.dev's synchronous `/process/*` API and `/users/me` on a real server: Apertium en -> es,
the reference rules, source detection, errors in the SDKs' shape, and the per-organization
concurrency limit under a burst."""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from dragoman.content.signature import placeholder_signature
from dragoman.core import orgs
from dragoman.core.assets.glossary import TermInput, add_term
from dragoman.core.assets.tm import TranslationMemory, new_entry, parse_pair
from dragoman.core.assets.tm_index import for_database
from dragoman.core.assets.tm_index.base import Origin
from dragoman.settings import Settings
from tests.apptools import Api, running_api

MODES = Path("/usr/share/apertium/modes")
pytestmark = pytest.mark.apertium


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    if shutil.which("apertium") is None or not (MODES / "eng-spa.mode").exists():
        if os.environ.get("CI"):
            pytest.fail("Apertium with eng-spa is required under CI (scripts/setup installs it)")
        pytest.skip("Apertium or its eng-spa pair is not installed")
    data = tmp_path_factory.mktemp("process")
    settings = Settings(
        data_dir=data,
        database_url=f"sqlite:///{data / 'd.db'}",
        default_engine_provider="apertium",
        process_concurrency_per_org=2,
        process_queue_per_org=3,
    )
    with running_api(settings) as running:
        yield running


def localize(api: Api, key: str, body: dict[str, Any]) -> httpx.Response:
    return api.client.post("/process/localize", json=body, headers={"X-API-Key": key})


DATA = {
    "title": "The house is big.",
    "greeting": "Hello {name}, you have %{count} new messages.",
    "cart": "{count, plural, one {# item in your cart} other {# items in your cart}}",
    "link": "Read the <a href='/terms'>terms</a> before you continue.",
    "count": 3,
    "nested": {"list": ["The cat is black.", "The dog is white."], "flag": True},
}


def test_localize_translates_with_structure_and_placeholders_kept(api: Api) -> None:
    key = api.new_key()
    reply = localize(
        api,
        key,
        {"params": {"fast": False}, "sourceLocale": "en", "targetLocale": "es", "data": DATA},
    )
    assert reply.status_code == 200, reply.text
    out = reply.json()["data"]
    assert set(out) == set(DATA)
    assert out["count"] == 3 and out["nested"]["flag"] is True
    assert out["title"] == "La casa es grande."
    assert out["nested"]["list"][0] == "El gato es negro."
    for name in ("greeting", "cart", "link"):
        assert out[name] != DATA[name]
        assert placeholder_signature(out[name]) == placeholder_signature(DATA[name])  # type: ignore[arg-type]
    assert "href='/terms'" in out["link"]
    assert reply.headers["X-Dragoman-Source-Locale"] == "en"


def test_reference_answers_unchanged_keys_except_from_the_cli(api: Api) -> None:
    key = api.new_key()
    body: dict[str, Any] = {
        "sourceLocale": "en",
        "targetLocale": "es",
        "data": {"a": "The house is big.", "b": "Save the file", "c": "The cat is black."},
        "reference": {
            # `a`: same source, so its reference translation is the answer; `b` shares its
            # text with `other`, which the request does not ask for; `c` changed.
            "en": {"a": "The house is big.", "other": "Save the file", "c": "The cat is old."},
            "es": {"a": "Mi casa", "other": "Guardar el archivo", "c": "El gato es viejo."},
        },
    }
    out = localize(api, key, body).json()["data"]
    assert out == {"a": "Mi casa", "b": "Guardar el archivo", "c": "El gato es negro."}
    # Lingo.dev's CLI sends only new and changed keys with the current source as reference:
    # a key's own old translation is stale, the other key's is still reused.
    body["reference"]["en"]["c"] = "The cat is black."
    body["triggerType"] = "cli"
    out = localize(api, key, body).json()["data"]
    assert out == {"a": "La casa es grande.", "b": "Guardar el archivo", "c": "El gato es negro."}


def test_null_source_locale_is_detected(api: Api) -> None:
    key = api.new_key()
    reply = localize(
        api,
        key,
        {
            "sourceLocale": None,
            "targetLocale": "en",
            "data": {"a": "La casa es grande.", "b": "El gato es negro."},
        },
    )
    assert reply.status_code == 200, reply.text
    assert reply.headers["X-Dragoman-Source-Locale"] == "es"
    assert reply.json()["data"]["a"].lower().startswith("the house")


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("Forgot your password?", "en"),
        ("Delete account", "en"),
        ("¿Olvidaste tu contraseña?", "es"),
        ("Tienes mensajes nuevos", "es"),
        ("Has oblidat la contrasenya?", "ca"),
        ("Suprimeix el compte", "ca"),
    ],
)
def test_recognize_short_ui_strings(api: Api, text: str, locale: str) -> None:
    key = api.new_key("recognize")
    reply = api.client.post("/process/recognize", json={"text": text}, headers={"X-API-Key": key})
    assert reply.status_code == 200, reply.text
    assert reply.json() == {"locale": locale}


def test_estimate_from_sdk_items_and_from_content(api: Api) -> None:
    key = api.new_key()
    items = [
        {"targetLocale": "es", "sourceChars": 400},
        {"targetLocale": "fr", "sourceChars": 100},
        {"targetLocale": "es", "sourceChars": 100},
    ]
    reply = api.client.post("/process/estimate", json={"items": items}, headers={"X-API-Key": key})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["approximate"] is True
    assert body["totals"]["sourceChars"] == 600
    assert {r["targetLocale"]: r["sourceChars"] for r in body["byLocale"]} == {"es": 500, "fr": 100}
    content = {
        "data": {"a": "Hello {name}, welcome back", "b": "42"},
        "targetLocales": ["es", "de"],
    }
    body = api.client.post("/process/estimate", json=content, headers={"X-API-Key": key}).json()
    assert body["totals"]["sourceWords"] == 2 * 3  # `{name}` is no word, "42" not translatable
    assert body["byLocale"][0]["sourceChars"] == len("Hello {name}, welcome back")


def test_users_me_and_auth(api: Api) -> None:
    key = api.new_key("Acme Web Team")
    me = api.client.get("/users/me", headers={"X-API-Key": key})
    assert me.status_code == 200
    assert me.json()["email"] == "Acme-Web-Team@dragoman.invalid"
    assert me.json()["id"].startswith("org_")
    bad = api.client.get("/users/me", headers={"X-API-Key": "dgm_nope"})
    assert bad.status_code == 401
    assert bad.json()["message"] == bad.json()["error"]


@pytest.mark.parametrize(
    ("body", "status", "field", "words"),
    [
        ({"sourceLocale": "en", "data": {"a": "x"}}, 422, "targetLocale", "required"),
        (
            {"sourceLocale": "en", "targetLocale": "xx-!!", "data": {}},
            422,
            "targetLocale",
            "BCP-47",
        ),
        (
            {"sourceLocale": "en", "targetLocale": "ja", "data": {"a": "Hi"}},
            422,
            "targetLocale",
            "ja",
        ),
        (
            {"sourceLocale": "en", "targetLocale": "es", "data": {"a": "word " * 30_001}},
            413,
            "data",
            "10000",
        ),
        (
            {"sourceLocale": "en", "targetLocale": "es", "data": {}, "engineId": "eng_missing"},
            404,
            "engineId",
            "not found",
        ),
        (
            {"sourceLocale": "en", "targetLocale": "es", "data": {}, "hints": {"a": "x"}},
            422,
            "hints.a",
            "",
        ),
    ],
)
def test_errors_name_the_field_in_the_sdks_shape(
    api: Api, body: dict[str, Any], status: int, field: str, words: str
) -> None:
    reply = localize(api, api.new_key(), body)
    assert reply.status_code == status, reply.text
    error = reply.json()
    assert error["field"] == field
    assert error["message"] == error["error"] and words in error["message"]


def test_lone_surrogate_is_a_422(api: Api) -> None:
    raw = '{"sourceLocale": "en", "targetLocale": "es", "data": {"a": "bad \\ud800 text"}}'
    reply = api.client.post(
        "/process/localize",
        content=raw,
        headers={"X-API-Key": api.new_key(), "Content-Type": "application/json"},
    )
    assert reply.status_code == 422, reply.text
    assert reply.json()["field"] == "data.a"


def test_burst_is_limited_per_organization_without_blocking_others_or_jobs(api: Api) -> None:
    """50 concurrent requests from one organization: 2 run, 3 wait, the rest get 429 with
    Retry-After; meanwhile another organization's request and a job both finish."""
    busy, calm = api.new_key(), api.new_key()
    data = {f"k{i}": f"The house number {i} is big and the cat is black." for i in range(25)}
    base = str(api.client.base_url)

    async def burst() -> tuple[list[httpx.Response], float, dict[str, Any]]:
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:

            async def one(key: str) -> httpx.Response:
                body = {"sourceLocale": "en", "targetLocale": "es", "data": data}
                return await client.post("/process/localize", json=body, headers={"X-API-Key": key})

            flood = [asyncio.create_task(one(busy)) for _ in range(50)]
            await asyncio.sleep(0.05)
            started = time.perf_counter()
            other = await one(calm)
            other_seconds = time.perf_counter() - started
            assert other.status_code == 200, other.text
            job = await client.post(
                "/jobs/localization",
                json={"sourceLocale": "en", "targetLocales": ["es"], "data": {"a": "Hello"}},
                headers={"X-API-Key": calm},
            )
            return await asyncio.gather(*flood), other_seconds, job.json()

    replies, other_seconds, job = asyncio.run(burst())
    statuses = [r.status_code for r in replies]
    assert statuses.count(200) >= 5 and statuses.count(429) >= 30, statuses
    limited = next(r for r in replies if r.status_code == 429)
    assert limited.headers["Retry-After"] == "1"
    assert "DRAGOMAN_PROCESS_CONCURRENCY_PER_ORG" in limited.json()["message"]
    assert other_seconds < 5
    done = api.wait_group(calm, job["groupId"], timeout=30)
    assert done["jobs"][0]["status"] == "completed"


def test_engine_failure_is_a_503_the_sdk_retries(
    tmp_path: Path, settings_factory: Callable[..., Settings], sqlite_url: str
) -> None:
    """An Apertium mode whose program exits at once: the pipeline fails twice, 503 with
    Retry-After (the JavaScript SDK retries 5xx)."""
    modes = tmp_path / "modes"
    modes.mkdir()
    (modes / "eng-spa.mode").write_text("false\n")
    settings = settings_factory(
        sqlite_url, default_engine_provider="apertium", apertium_modes_dir=modes
    )
    with running_api(settings) as running:
        reply = localize(
            running,
            running.new_key(),
            {"sourceLocale": "en", "targetLocale": "es", "data": {"a": "The house is big."}},
        )
    assert reply.status_code == 503, reply.text
    assert reply.headers["Retry-After"] == "1"
    assert "apertium engine failed" in reply.json()["message"]


def test_translation_memory_and_glossary_serve_synchronous_requests(api: Api) -> None:
    """The organization's TM answers exact matches without the engine; its glossary keeps
    do-not-translate terms and places required ones; another organization's assets are not
    used."""
    key = api.new_key("assets-org")
    other = api.new_key("assets-other")
    pair = parse_pair("en-es")
    with api.services.db.write() as conn:
        org_id = orgs.get_or_create_org(conn, "assets-org").id
        add_term(conn, org_id, pair, TermInput("Dragoman", do_not_translate=True))
        add_term(conn, org_id, pair, TermInput("file", "archivo"))
    memory = TranslationMemory(for_database(api.services.db))
    memory.add(org_id, pair, [new_entry("The house is big.", "La casona es enorme.",
                                        origin=Origin.IMPORT)])  # fmt: skip
    data = {"title": "The house is big.", "open": "Open the file with Dragoman."}
    body = {"sourceLocale": "en", "targetLocale": "es", "data": data}
    reply = localize(api, key, body)
    assert reply.status_code == 200, reply.text
    out = reply.json()["data"]
    assert out["title"] == "La casona es enorme."  # from the TM, not Apertium
    assert "Dragoman" in out["open"] and "archivo" in out["open"].lower(), out
    theirs = localize(api, other, body).json()["data"]
    assert theirs["title"] == "La casa es grande."  # Apertium: the other org has no TM
    assert "archivo" not in theirs["open"].lower()  # Apertium says "fichero" (or "lima")
