"""Shared fixtures: fresh databases (SQLite, PostgreSQL), settings, apps and API keys."""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import hypothesis
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from dragoman.settings import Settings
from dragoman.store import migrate
from dragoman.store.db import Database
from tests.processes import RedisServer
from tests.services import PG_URL, require

os.environ.setdefault("DO_NOT_TRACK", "1")

# Property tests check structure, not speed: no per-example deadline on a shared 2-core box.
hypothesis.settings.register_profile("dragoman", deadline=None, print_blob=True)
hypothesis.settings.load_profile("dragoman")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies (migrating once is the slow part)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    db = Database(f"sqlite:///{path}")
    migrate.upgrade(db)
    db.dispose()
    return path


class PostgresDatabases:
    """Creates a fresh database per test from one migrated template, and drops them all."""

    def __init__(self) -> None:
        self.admin = create_engine(
            make_url(PG_URL).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
        )
        self.template = f"dragoman_tpl_{secrets.token_hex(4)}"
        self.created: list[str] = []
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.template}"'))
        db = Database(self.url(self.template))
        migrate.upgrade(db)
        db.dispose()

    def url(self, name: str) -> str:
        return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)

    def fresh(self) -> str:
        name = f"dragoman_t_{secrets.token_hex(6)}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"'))
        self.created.append(name)
        return self.url(name)

    def drop_all(self) -> None:
        with self.admin.connect() as conn:
            for name in [*self.created, self.template]:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[PostgresDatabases]:
    require("PostgreSQL", "127.0.0.1", 5432)
    databases = PostgresDatabases()
    yield databases
    databases.drop_all()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """A fresh, migrated database: SQLite, and PostgreSQL when reachable (required under CI)."""
    if request.param == "sqlite":
        path = tmp_path / "dragoman.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    databases: PostgresDatabases = request.getfixturevalue("postgres_databases")
    return databases.fresh()


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A fresh migrated SQLite database only (for tests that need no second backend)."""
    path = tmp_path / "dragoman.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def settings_factory(tmp_path: Path) -> Callable[..., Settings]:
    def make(database_url: str, **overrides: object) -> Settings:
        values: dict[str, object] = {
            "data_dir": tmp_path,
            "database_url": database_url,
            "default_engine_provider": "pseudo",
            "sweep_interval_seconds": 0.5,
            "lease_seconds": 5.0,
        }
        values.update(overrides)
        return Settings(**values)  # type: ignore[arg-type]

    return make


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A `redis-server` of the test's own on a free port (tests kill and restart it)."""
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is required under CI")
        pytest.skip("redis-server is not installed")
    server = RedisServer(binary, tmp_path / "redis.log")
    server.start()
    yield server
    server.stop()
