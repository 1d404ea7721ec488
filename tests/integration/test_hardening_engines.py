"""Engines cannot multiply without bound (issue 9, item 2): shared Apertium pipelines, and a
cap on engines per organization at POST /engines."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import psutil
import pytest

from dragoman.engines.base import Segment
from dragoman.engines.registry import EnginePool
from dragoman.settings import Settings
from tests.apptools import running_api


@pytest.fixture
def pool() -> Iterator[EnginePool]:
    engines = EnginePool(Settings())
    try:
        yield engines
    finally:
        engines.close()  # also when an assertion failed: no pipeline outlives its test


@pytest.mark.apertium
def test_apertium_engines_differing_in_timeout_share_pipelines(pool: EnginePool) -> None:
    """The report: ten engines differing only in timeout_seconds took 26 -> 366 processes."""
    if not pool.get("apertium", {}).supports("en", "es"):
        pytest.skip("apertium-en-es is not installed")
    me = psutil.Process()
    before = len(me.children(recursive=True))
    first = pool.get("apertium", {"timeout_seconds": 1.0})
    assert first.translate_batch([Segment("the house")], "en", "es") == ["la casa"]
    one_pipeline = len(me.children(recursive=True)) - before
    assert one_pipeline > 0
    for timeout in range(2, 11):
        engine = pool.get("apertium", {"timeout_seconds": float(timeout)})
        assert engine.translate_batch([Segment("the house")], "en", "es") == ["la casa"]
    assert len(me.children(recursive=True)) - before == one_pipeline
    assert pool.live_count() == 1
    marked = pool.get("apertium", {"mark_unknown": True})
    assert marked.translate_batch([Segment("the zzyzx")], "en", "es")[0].startswith("el *")
    assert pool.live_count() == 2  # mark_unknown changes the programs: its own pipelines
    pool.close()
    assert len(me.children(recursive=True)) == before


def test_engines_per_organization_are_capped(
    database_url: str, settings_factory: Callable[..., Settings]
) -> None:
    with running_api(settings_factory(database_url), run_workers=False) as api:
        key = api.new_key()
        headers = {"X-API-Key": key}
        for i in range(20):  # the default max_engines_per_org
            body = {"name": f"e{i}", "provider": "pseudo"}
            assert api.client.post("/engines", json=body, headers=headers).status_code == 201
        refused = api.client.post("/engines", json={"name": "x", "provider": "pseudo"},
                                  headers=headers)  # fmt: skip
        assert refused.status_code == 409
        assert "max_engines_per_org = 20" in refused.json()["error"]
        # Another organization is not affected.
        other = {"X-API-Key": api.new_key()}
        ok = api.client.post("/engines", json={"name": "x", "provider": "pseudo"}, headers=other)
        assert ok.status_code == 201


@pytest.mark.apertium
def test_a_nul_in_text_survives_apertium(pool: EnginePool) -> None:
    """NUL is Apertium's flush character: it used to be dropped from the translation."""
    engine = pool.get("apertium", {})
    if not engine.supports("en", "es"):
        pytest.skip("apertium-en-es is not installed")
    texts = ["the house\0the cat", "\0", "the dog"]
    out = engine.translate_batch([Segment(t) for t in texts], "en", "es")
    assert out[0].count("\0") == 1 and "casa" in out[0] and "gato" in out[0]
    assert out[1] == "\0" and out[2] == "el perro"
