"""The CLI as an operator runs it: keys, submit with progress and output files, engines."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.acceptance.serverproc import ServerProcess, cli, server_env

pytestmark = pytest.mark.apertium


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[ServerProcess, str]]:
    if shutil.which("apertium") is None:
        if os.environ.get("CI"):
            pytest.fail("Apertium is required under CI")
        pytest.skip("Apertium is not installed")
    env = server_env(tmp_path / "data")
    made = cli(env, "keys", "create", "--org", "cli-test")
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip().splitlines()[-1]
    assert key.startswith("dgm_") and len(key) > 40
    process = ServerProcess(env, tmp_path / "server.log").start()
    yield process, key
    process.stop()


def submit_cli(
    process: ServerProcess, source: object, to: str, key: str, out: object = None
) -> subprocess.CompletedProcess[str]:
    """`dragoman submit SOURCE --from en --to TO` against the test server."""
    args = ["submit", str(source), "--from", "en", "--to", to, "--server", process.base]
    args += ["--key", key] + (["--out", str(out)] if out is not None else [])
    return cli(process.env, *args)


def test_submit_writes_one_file_per_locale(
    server: tuple[ServerProcess, str], tmp_path: Path
) -> None:
    process, key = server
    source = tmp_path / "messages.json"
    source.write_text(
        json.dumps(
            {
                "nav": {"home": "Home", "settings": "Settings"},
                "welcome": "Welcome back, {name}!",
                "items": ["The house is big.", "Save the file"],
                "count": 3,
            }
        ),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    done = submit_cli(process, source, "es,ca", key, out=out)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "completed" in done.stdout
    es = json.loads((out / "messages.es.json").read_text(encoding="utf-8"))
    ca = json.loads((out / "messages.ca.json").read_text(encoding="utf-8"))
    for result in (es, ca):
        assert list(result) == ["nav", "welcome", "items", "count"]
        assert result["count"] == 3 and len(result["items"]) == 2
        assert "{name}" in result["welcome"]
    assert "casa" in es["items"][0].lower() and "casa" in ca["items"][0].lower()


def test_submit_reports_bad_input_and_bad_key(
    server: tuple[ServerProcess, str], tmp_path: Path
) -> None:
    process, key = server
    source = tmp_path / "bad.json"
    source.write_text('{"a": "Hello"}', encoding="utf-8")
    wrong_locale = submit_cli(process, source, "es,xx-notalocale", key, out=tmp_path)
    assert wrong_locale.returncode == 1
    assert "targetLocales[1]" in wrong_locale.stderr or "xx-notalocale" in wrong_locale.stderr
    bad_key = submit_cli(process, source, "es", "dgm_wrong", out=tmp_path)
    assert bad_key.returncode == 1 and "401" in bad_key.stderr
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    assert submit_cli(process, broken, "es", key).returncode == 2


def test_engines_lists_installed_pairs(server: tuple[ServerProcess, str]) -> None:
    process, key = server
    listed = cli(process.env, "engines", "--server", process.base, "--key", key)
    assert listed.returncode == 0, listed.stderr
    assert "apertium" in listed.stdout and "en->es" in listed.stdout and "en->ca" in listed.stdout
