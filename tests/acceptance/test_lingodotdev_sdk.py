"""Lingo.dev's official Python SDK (PyPI `lingodotdev`) against `dragoman serve` with Apertium:
objects, texts, chats, several locales, locale recognition, whoami and errors, checked for
structure and placeholders."""

from __future__ import annotations

import asyncio
import os
import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dragoman.content.signature import placeholder_signature
from tests.acceptance.serverproc import ServerProcess, cli, server_env

with warnings.catch_warnings():  # lingodotdev 1.5.0 still uses pydantic's V1 `@validator`
    warnings.simplefilter("ignore", DeprecationWarning)
    from lingodotdev import LingoDotDevEngine

MODES = Path("/usr/share/apertium/modes")
pytestmark = pytest.mark.apertium


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    if shutil.which("apertium") is None or not (MODES / "eng-spa.mode").exists():
        if os.environ.get("CI"):
            pytest.fail("Apertium with eng-spa is required under CI (scripts/setup installs it)")
        pytest.skip("Apertium or its eng-spa pair is not installed")
    tmp = tmp_path_factory.mktemp("sdk")
    env = server_env(tmp / "data", DRAGOMAN_DEFAULT_ENGINE_PROVIDER="apertium")
    made = cli(env, "keys", "create", "--org", "sdk@example.com")
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip().splitlines()[-1]
    process = ServerProcess(env, tmp / "server.log").start()
    yield process.base, key
    process.stop()


def run(server: tuple[str, str], work: Any) -> Any:
    base, key = server

    async def main() -> Any:
        async with LingoDotDevEngine({"api_key": key, "api_url": base}) as engine:
            return await work(engine)

    return asyncio.run(main())


OBJECT = {
    "title": "The house is big.",
    "greeting": "Hello {name}, you have {count} new messages.",
    "cart": "{count, plural, one {# item in your cart} other {# items in your cart}}",
    "menu": {"open": "Open the file", "items": ["The cat is black.", "The dog is white."]},
    "version": 3,
}


def test_localize_object_keeps_structure_and_placeholders(server: tuple[str, str]) -> None:
    params = {"source_locale": "en", "target_locale": "es"}
    out = run(server, lambda e: e.localize_object(OBJECT, params))
    assert out["title"] == "La casa es grande."
    assert out["version"] == 3
    assert len(out["menu"]["items"]) == 2 and out["menu"]["items"][0] == "El gato es negro."
    for name in ("greeting", "cart"):
        assert out[name] != OBJECT[name]
        assert placeholder_signature(out[name]) == placeholder_signature(OBJECT[name])  # type: ignore[arg-type]


def test_localize_large_object_in_concurrent_chunks(server: tuple[str, str]) -> None:
    """60 keys: the SDK sends three chunks of at most 25 keys at once and merges them."""
    data = {f"k{i:02}": f"The house number {i} is big." for i in range(60)}
    params = {"source_locale": "en", "target_locale": "es"}
    out = run(server, lambda e: e.localize_object(data, params, concurrent=True))
    assert list(out) == list(data)
    assert out["k07"] == "El número de casa 7 es grande."  # Apertium's word order


def test_localize_text_and_detected_source(server: tuple[str, str]) -> None:
    text = run(
        server,
        lambda e: e.localize_text(
            "The cat is black.", {"source_locale": None, "target_locale": "es"}
        ),
    )
    assert text == "El gato es negro."


def test_localize_chat_keeps_names(server: tuple[str, str]) -> None:
    chat = [
        {"name": "Alice", "text": "The house is big."},
        {"name": "Bob", "text": "The cat is black."},
    ]
    out = run(
        server,
        lambda e: e.localize_chat(chat, {"source_locale": "en", "target_locale": "es"}),
    )
    assert [m["name"] for m in out] == ["Alice", "Bob"]
    assert [m["text"] for m in out] == ["La casa es grande.", "El gato es negro."]


def test_batch_of_locales(server: tuple[str, str]) -> None:
    params = {"source_locale": "en", "target_locales": ["es", "ca"]}
    out = run(server, lambda e: e.batch_localize_text("The house is big.", params))
    assert out[0] == "La casa es grande."
    assert out[1] != out[0] and out[1].lower().startswith("la casa")


def test_recognize_and_whoami(server: tuple[str, str]) -> None:
    async def work(engine: LingoDotDevEngine) -> tuple[str, str, dict[str, str] | None]:
        return (
            await engine.recognize_locale("Forgot your password?"),
            await engine.recognize_locale("¿Olvidaste tu contraseña?"),
            await engine.whoami(),
        )

    english, spanish, me = run(server, work)
    assert (english, spanish) == ("en", "es")
    assert me is not None and me["email"] == "sdk@example.com" and me["id"].startswith("org_")


def test_errors_reach_the_caller(server: tuple[str, str]) -> None:
    params = {"source_locale": "en", "target_locale": "ja"}
    with pytest.raises(RuntimeError, match="no engine of this organization translates en -> ja"):
        run(server, lambda e: e.localize_text("Hello", params))
    base, _ = server

    async def stranger() -> tuple[dict[str, str] | None, BaseException | None]:
        async with LingoDotDevEngine({"api_key": "dgm_wrong", "api_url": base}) as engine:
            me = await engine.whoami()
            try:
                await engine.localize_text("Hi", {"source_locale": "en", "target_locale": "es"})
            except RuntimeError as exc:
                return me, exc
            return me, None

    me, error = asyncio.run(stranger())
    assert me is None
    assert error is not None and "401" in str(error) and "API key is not valid" in str(error)
