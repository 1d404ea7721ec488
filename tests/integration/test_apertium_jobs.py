"""Whole jobs through the real Apertium pipeline: en -> es and en -> ca, placeholders intact."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dragoman.content.signature import placeholder_signature
from dragoman.settings import Settings
from tests.apptools import Api, running_api

MODES = Path("/usr/share/apertium/modes")

pytestmark = pytest.mark.apertium


@pytest.fixture
def api(sqlite_url: str, settings_factory: Callable[..., Settings]) -> Iterator[Api]:
    import os

    if shutil.which("apertium") is None or not (MODES / "eng-spa.mode").exists():
        if os.environ.get("CI"):
            pytest.fail("Apertium with eng-spa is required under CI (scripts/setup installs it)")
        pytest.skip("Apertium or its eng-spa pair is not installed")
    with running_api(settings_factory(sqlite_url, default_engine_provider="apertium")) as running:
        yield running


DATA = {
    "title": "Introduction to Machine Learning",
    "greeting": "Hello {name}, you have %{count} new messages.",
    "timer": "%{count} seconds",
    "body": "Machine learning is a subset of <b>artificial intelligence</b>.",
    "printf": "Saved %d files to %s.",
    "cart": "{count, plural, one {# item in your cart} other {# items in your cart}}",
    "nested": {
        "list": ["The house is big.", "The cat is black."],
        "n": 3,
        "ok": True,
        "none": None,
    },
    "url": "https://example.com/docs",
    "empty": "",
}


def test_en_to_es_and_ca_translate_and_keep_placeholders(api: Api) -> None:
    key = api.new_key()
    created = api.post(
        key, {"sourceLocale": "en", "targetLocales": ["es", "ca"], "data": DATA}
    ).json()
    group = api.wait_group(key, created["groupId"], timeout=60)
    assert group["status"] == "completed", group
    outputs = {
        j["targetLocale"]: api.get(key, f"/jobs/localization/{j['id']}").json()
        for j in group["jobs"]
    }
    es, ca = outputs["es"]["outputData"], outputs["ca"]["outputData"]
    assert "casa" in es["nested"]["list"][0].lower()
    assert "gato" in es["nested"]["list"][1].lower()
    assert "casa" in ca["nested"]["list"][0].lower()
    assert "gat" in ca["nested"]["list"][1].lower()
    assert "segundos" in es["timer"] and "%{count}" in es["timer"]
    for out in (es, ca):
        assert list(out) == list(DATA)
        assert out["url"] == DATA["url"] and out["empty"] == ""
        assert (
            out["nested"]["n"] == 3
            and out["nested"]["ok"] is True
            and out["nested"]["none"] is None
        )
        for field in ("greeting", "timer", "body", "printf", "cart"):
            assert placeholder_signature(out[field]) == placeholder_signature(DATA[field]), field
        assert out["cart"].startswith("{count, plural,") and "other {" in out["cart"]
    assert outputs["es"]["qaIssues"] == []


def test_unserved_pair_fails_alone_with_a_clear_message(api: Api) -> None:
    key = api.new_key()
    created = api.post(
        key, {"sourceLocale": "en", "targetLocales": ["es", "ja"], "data": DATA}
    ).json()
    group = api.wait_group(key, created["groupId"], timeout=60)
    assert group["status"] == "partial"
    assert (group["completedJobs"], group["failedJobs"]) == (1, 1)
    failed = next(j for j in group["jobs"] if j["targetLocale"] == "ja")
    job = api.get(key, f"/jobs/localization/{failed['id']}").json()
    assert job["status"] == "failed" and job["outputData"] is None
    assert "en -> ja" in job["errorMessage"] and "apertium" in job["errorMessage"].lower()
