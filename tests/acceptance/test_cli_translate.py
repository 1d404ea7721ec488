"""`dragoman translate` as a user runs it: through a running server, and embedded."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.acceptance.serverproc import ServerProcess, cli, server_env

FIXTURES = Path(__file__).parent.parent / "fixtures" / "formats"
PO = FIXTURES / "po" / "django.po"
RAILS = FIXTURES / "yaml" / "en.yml"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[ServerProcess, str]]:
    env = server_env(tmp_path / "data", DRAGOMAN_DEFAULT_ENGINE_PROVIDER="pseudo")
    made = cli(env, "keys", "create", "--org", "translate-test")
    assert made.returncode == 0, made.stderr
    process = ServerProcess(env, tmp_path / "server.log").start()
    yield process, made.stdout.strip().splitlines()[-1]
    process.stop()


def test_translate_through_a_server_writes_conventional_names(
    server: tuple[ServerProcess, str], tmp_path: Path
) -> None:
    process, key = server
    out = tmp_path / "out"
    done = cli(
        process.env, "translate", str(PO), str(RAILS), "--from", "en", "--to", "es,ru",
        "--server", process.base, "--key", key, "--out", str(out),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr + done.stdout
    assert sorted(p.name for p in out.iterdir()) == [
        "django.es.po", "django.ru.po", "es.yml", "ru.yml",
    ]  # fmt: skip
    for name in ("django.es.po", "django.ru.po"):
        check = subprocess.run(
            ["msgfmt", "-c", "-o", "/dev/null", str(out / name)], capture_output=True, text=True
        )
        assert check.returncode == 0, check.stderr
    ru = yaml.safe_load((out / "ru.yml").read_text(encoding="utf-8"))
    assert list(ru) == ["ru"]
    source = yaml.safe_load(RAILS.read_text(encoding="utf-8"))
    assert _keys(ru["ru"], plural=True) == _keys(source["en"], plural=True)
    assert "django.po -> ru" in done.stderr  # the progress bars


def test_translate_embedded_without_a_server(tmp_path: Path) -> None:
    if shutil.which("apertium") is None:
        if os.environ.get("CI"):
            pytest.fail("Apertium is required under CI")
        pytest.skip("Apertium is not installed")
    out = tmp_path / "out"
    env = server_env(tmp_path / "unused")
    env.pop("DRAGOMAN_SERVER", None)
    done = cli(env, "translate", str(PO), "--to", "es", "--out", str(out), timeout=120)
    assert done.returncode == 0, done.stderr + done.stdout
    text = (out / "django.es.po").read_text(encoding="utf-8")
    assert '"Language: es\\n"' in text
    assert 'msgstr "Casa"' in text or 'msgstr "Inicio"' in text  # "Home", by Apertium


def test_translate_fails_clearly(server: tuple[ServerProcess, str], tmp_path: Path) -> None:
    process, key = server
    junk = tmp_path / "junk.po"
    junk.write_bytes(b"\x00\x01\x02 not a po file")
    done = cli(
        process.env, "translate", str(junk), "--from", "en", "--to", "es",
        "--server", process.base, "--key", key, "--out", str(tmp_path),
    )  # fmt: skip
    assert done.returncode == 1
    assert "422" in done.stderr


def _keys(tree: object, plural: bool) -> set[str]:
    """Key paths of a YAML tree; plural mappings count as one key."""
    found: set[str] = set()

    def walk(node: object, path: str) -> None:
        if isinstance(node, dict):
            if (
                plural
                and {"one", "other"} & set(node)
                and all(isinstance(v, str) for v in node.values())
            ):
                found.add(path)
                return
            for key, value in node.items():
                walk(value, f"{path}.{key}")
        else:
            found.add(path)

    walk(tree, "")
    return found
