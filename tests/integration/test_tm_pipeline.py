"""The translation memory in real jobs: 101%/100% matches (and exact-but-for-placeholder ones,
adapted) are applied with origin `tm`, the rest comes from Apertium; a job the TM covers
never touches the engine; machine output is stored only when the organization says so;
another organization's memory is never used."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from dragoman.content.formats import registry
from dragoman.content.model import Limits
from dragoman.core import orgs
from dragoman.core.assets.tm import TranslationMemory, new_entry, parse_pair
from dragoman.core.assets.tm_index import for_database
from dragoman.core.assets.tm_index.base import Origin
from dragoman.settings import Settings
from tests.apptools import Api, running_api

MODES = Path("/usr/share/apertium/modes")
PAIR = parse_pair("en-es")


def _need_apertium() -> None:
    if shutil.which("apertium") is None or not (MODES / "eng-spa.mode").exists():
        if os.environ.get("CI"):
            pytest.fail("Apertium with eng-spa is required under CI (scripts/setup installs it)")
        pytest.skip("Apertium or its eng-spa pair is not installed")


@pytest.fixture
def api(sqlite_url: str, settings_factory: Callable[..., Settings]) -> Iterator[Api]:
    _need_apertium()
    with running_api(settings_factory(sqlite_url, default_engine_provider="apertium")) as running:
        yield running


def _org(api: Api, name: str) -> tuple[str, str]:
    """(organization id, API key) of a new organization."""
    key = api.new_key(name)
    with api.services.db.read() as conn:
        return orgs.get_or_create_org(conn, name).id, key


def _tm(api: Api) -> TranslationMemory:
    return TranslationMemory(for_database(api.services.db))


def _fill(api: Api, org_id: str, *rows: tuple[str, str, str | None, str | None]) -> None:
    """Entries (source, target, key, previous source) imported into the org's en-es TM."""
    entries = [new_entry(s, t, origin=Origin.IMPORT, key=k, previous=p) for s, t, k, p in rows]
    assert _tm(api).add(org_id, PAIR, entries) == len(rows)


def _job(api: Api, key: str, data: dict[str, Any]) -> dict[str, Any]:
    created = api.post(key, {"sourceLocale": "en", "targetLocales": ["es"], "data": data})
    assert created.status_code == 202, created.text
    group = api.wait_group(key, created.json()["groupId"], timeout=60)
    job: dict[str, Any] = api.get(key, f"/jobs/localization/{group['jobs'][0]['id']}").json()
    return job


DATA = {
    "hello": "Hello world",
    "bye": "See you tomorrow",
    "welcome": "Welcome {name}",
    "menu": {"open": "Open the file", "cat": "The cat sleeps on the table."},
}


def test_json_job_takes_exact_in_context_and_adapted_matches_from_its_tm(api: Api) -> None:
    org_id, key = _org(api, "acme")
    other_id, _ = _org(api, "other")
    _fill(
        api, org_id,
        ("See you tomorrow", "TM hasta mañana", None, None),  # exact: 100
        ("Open the file", "TM abre el archivo", "data.menu.open", None),  # same key: 101
        ("Welcome {user}", "TM bienvenido {user}", None, None),  # placeholders differ: 99
        ("Open the file", "TM otra", "elsewhere", None),  # same source, other key: loses
    )  # fmt: skip
    _fill(api, other_id, ("Hello world", "OTHER ORG", None, None))
    job = _job(api, key, DATA)
    assert job["status"] == "completed", job
    out = job["outputData"]
    assert out["bye"] == "TM hasta mañana"
    assert out["menu"]["open"] == "TM abre el archivo"
    assert out["welcome"] == "TM bienvenido {name}"
    # The rest from Apertium, and never from another organization's memory.
    assert out["hello"].lower() == "hola mundo"
    assert "gato" in out["menu"]["cat"] and "TM" not in out["menu"]["cat"]
    assert job["tm"] == {
        "unitsFromTm": 3,
        "units": {"data.bye": 100, "data.menu.open": 101, "data.welcome": 99},
    }
    assert job["progress"]["unitsDone"] == job["progress"]["unitsTotal"] >= 5


PO_TEXT = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: en\\n"

msgid "Save the document"
msgstr ""

msgid "Close the window"
msgstr ""

msgid "Hello %(user)s"
msgstr ""

msgid "The dog runs in the park."
msgstr ""

msgid "Delete"
msgstr ""
"""


def test_po_file_job_takes_its_tm_matches_and_the_rest_from_apertium(
    api: Api, tmp_path: Path
) -> None:
    org_id, key = _org(api, "acme")
    _fill(
        api, org_id,
        ("Save the document", "TM guarda el documento", None, None),  # 100
        ("Close the window", "TM cierra la ventana", None, "Save the document"),  # previous: 101
        ("Hello %(name)s", "TM hola %(name)s", None, None),  # 99, adapted
        ("Delete", "TM no", None, "Something else"),  # exact source, other context: 100
    )  # fmt: skip
    created = api.client.post(
        "/jobs/localization/files",
        headers={"X-API-Key": key},
        files={"file": ("app.po", PO_TEXT.encode())},
        data={"sourceLocale": "en", "targetLocales": "es"},
    )
    assert created.status_code == 202, created.text
    group = api.wait_group(key, created.json()["groupId"], timeout=60)
    job_id = group["jobs"][0]["id"]
    view = api.get(key, f"/jobs/localization/{job_id}").json()
    assert view["status"] == "completed", view
    assert view["tm"] == {"unitsFromTm": 4, "units": None}
    assert view["unitsTranslated"] == 5
    got = api.get(key, f"/jobs/localization/{job_id}/file")
    assert got.status_code == 200
    parsed = registry.get("po").parse(got.content, source_locale="en", limits=Limits())
    by_id = parsed.meta["targets"]
    targets = {u.source: by_id.get(u.id) for u in parsed.units}
    assert targets == {
        "Save the document": "TM guarda el documento",
        "Close the window": "TM cierra la ventana",
        "Hello %(user)s": "TM hola %(user)s",
        "The dog runs in the park.": targets["The dog runs in the park."],
        "Delete": "TM no",
    }
    assert "perro" in targets["The dog runs in the park."]


def test_a_job_the_tm_covers_never_touches_the_engine(
    sqlite_url: str, settings_factory: Callable[..., Settings]
) -> None:
    # Apertium is "installed" nowhere: any call that reaches the engine fails the job.
    settings = settings_factory(
        sqlite_url, default_engine_provider="apertium", apertium_path="/nonexistent/apertium"
    )
    with running_api(settings) as api:
        org_id, key = _org(api, "acme")
        _fill(
            api, org_id,
            ("Hello world", "Hola mundo", None, None),
            ("See you tomorrow", "Hasta mañana", None, None),
            ("Welcome {name}", "Bienvenido {name}", None, None),
            ("Open the file", "Abre el archivo", None, None),
            ("The cat sleeps on the table.", "El gato duerme en la mesa.", None, None),
        )  # fmt: skip
        started = time.perf_counter()
        job = _job(api, key, DATA)
        assert job["status"] == "completed", job
        assert time.perf_counter() - started < 5
        assert job["outputData"]["menu"]["cat"] == "El gato duerme en la mesa."
        assert job["tm"]["unitsFromTm"] == 5
        assert api.services.engines.live_count() == 0  # no backend was even built
        # One unit the TM lacks: now the engine is needed, and it is not there.
        failed = _job(api, key, {**DATA, "new": "A new sentence."})
        assert failed["status"] == "failed"
        assert "no engine of this organization translates en -> es" in failed["errorMessage"]


def _entries(api: Api, org_id: str) -> dict[str, tuple[str, Origin, str | None]]:
    return {
        e.source: (e.target, e.origin, e.context_key)
        for e in _tm(api).search(org_id, PAIR, limit=1000)
    }


def test_machine_output_is_stored_only_when_the_organization_turns_it_on(api: Api) -> None:
    org_id, key = _org(api, "acme")
    headers = {"X-API-Key": key}
    settings = api.client.get("/organization/settings", headers=headers).json()
    assert settings["tmStoreMachine"] is False
    off = _job(api, key, {"a": "The house is red."})
    assert off["status"] == "completed" and "tm" not in off
    put = api.client.put(
        "/organization/settings",
        json={"defaultCallbackUrl": None, "tmStoreMachine": True},
        headers=headers,
    )
    assert put.status_code == 200 and put.json()["tmStoreMachine"] is True
    # Omitted: unchanged.
    again = api.client.put("/organization/settings", json={"defaultCallbackUrl": None},
                           headers=headers)  # fmt: skip
    assert again.json()["tmStoreMachine"] is True
    on = _job(api, key, {"b": "The dog is black.", "n": {"c": "Good morning"}})
    assert on["status"] == "completed"
    deadline = time.monotonic() + 10
    while len(found := _entries(api, org_id)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)  # stored right after completion, in the worker's thread
    assert found == {
        "The dog is black.": (on["outputData"]["b"], Origin.MACHINE, "data.b"),
        "Good morning": (on["outputData"]["n"]["c"], Origin.MACHINE, "data.n.c"),
    }
    # The next job of the same content is served from the TM, in context.
    repeat = _job(api, key, {"b": "The dog is black.", "n": {"c": "Good morning"}})
    assert repeat["outputData"] == on["outputData"]
    assert repeat["tm"] == {"unitsFromTm": 2, "units": {"data.b": 101, "data.n.c": 101}}
    # Another organization neither sees those entries nor gets them in its jobs.
    other_id, other_key = _org(api, "other")
    assert _entries(api, other_id) == {}
    other = _job(api, other_key, {"b": "The dog is black."})
    assert "tm" not in other
