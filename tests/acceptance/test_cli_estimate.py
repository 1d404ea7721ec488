"""`dragoman rates` and `dragoman estimate` as an operator runs them: real processes, a real
SQLite database, a TM imported with `dragoman tm import`, and `dragoman serve` for --server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.acceptance.serverproc import ServerProcess, cli, server_env

TMX = """<?xml version="1.0"?>
<tmx version="1.4"><header srclang="en"/><body>
<tu><tuv xml:lang="en"><seg>Save the file</seg></tuv>
<tuv xml:lang="es"><seg>Guarda el archivo</seg></tuv></tu>
</body></tmx>
"""
SOURCE = '{"save": "Save the file", "again": "Save the file", "quit": "Quit the editor now"}'


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    env = server_env(tmp_path / "data", DRAGOMAN_DEFAULT_ENGINE_PROVIDER="pseudo", NO_COLOR="1",
                     COLUMNS="120")  # fmt: skip
    made = cli(env, "keys", "create", "--org", "acme")
    assert made.returncode == 0, made.stderr
    env["KEY"] = made.stdout.strip().splitlines()[-1]
    (tmp_path / "in.tmx").write_text(TMX)
    done = cli(env, "tm", "import", str(tmp_path / "in.tmx"), "--org", "acme", "--pair", "en-es")
    assert done.returncode == 0, done.stderr
    return env


@pytest.fixture
def server(env: dict[str, str], tmp_path: Path) -> Iterator[ServerProcess]:
    process = ServerProcess(env, tmp_path / "server.log").start()
    yield process
    process.stop()


def row(output: str, label: str) -> list[str]:
    """The cells of the table row that starts with `label` (the first such row)."""
    for line in output.splitlines():
        cells = [c.strip() for c in line.strip("│|┃ ").replace("┃", "│").split("│")]
        if cells and cells[0] == label:
            return cells[1:]
    raise AssertionError(f"no row {label!r} in:\n{output}")


def test_rates_and_estimate_against_the_database(env: dict[str, str], tmp_path: Path) -> None:
    done = cli(
        env, "rates", "set", "--org", "acme", "--service-level", "standard", "--pair", "en-es",
        "--currency", "USD", "--rate", "0.08", "--weights", "EXACT=0.5", "--vat", "20%",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    listed = cli(env, "rates", "list", "--org", "acme")
    assert listed.returncode == 0, listed.stderr
    assert "en-es" in listed.stdout and "USD" in listed.stdout and "(default)" in listed.stdout

    source = tmp_path / "en.json"
    source.write_text(SOURCE)
    done = cli(env, "estimate", str(source), "--to", "es,fr", "--from", "en", "--org", "acme")
    assert done.returncode == 0, done.stderr
    first, second = done.stdout.split("en -> fr")
    assert row(first, "100%")[:2] == ["2", "6"]  # the TM beats the repetition
    assert row(first, "No match")[:2] == ["1", "4"]
    assert row(first, "Total")[:3] == ["3", "10", "38"]
    # (4 + 6 x 0.5) x 0.08 = 0.56, VAT 20%: 0.67
    assert "0.56 USD without VAT, 0.67 with VAT" in first
    assert row(second, "Repetitions")[:2] == ["1", "3"]
    assert "0.10 EUR/word" in second  # no fr card: the default


def test_estimate_through_a_server(server: ServerProcess, tmp_path: Path) -> None:
    source = tmp_path / "en.json"
    source.write_text(SOURCE)
    done = cli(
        server.env, "estimate", str(source), "--to", "es", "--server", server.base,
        "--api-key", server.env["KEY"],
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert row(done.stdout, "100%")[:2] == ["2", "6"]
    assert "default rate card" in done.stdout


def test_estimate_errors_name_the_problem(env: dict[str, str], tmp_path: Path) -> None:
    source = tmp_path / "en.json"
    source.write_text(SOURCE)
    done = cli(env, "estimate", str(source), "--to", "en", "--from", "en", "--org", "acme")
    assert done.returncode == 2 and "source locale" in done.stderr
    done = cli(env, "estimate", str(source), "--to", "es", "--org", "nobody")
    assert done.returncode == 2 and "no organization called 'nobody'" in done.stderr
    done = cli(env, "rates", "set", "--org", "acme", "--rate", "cheap")
    assert done.returncode == 2 and "rate_per_word" in done.stderr
