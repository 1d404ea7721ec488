"""Database connections: SQLite (WAL) by default, PostgreSQL when configured."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

from dragoman.errors import MissingExtraError


class Database:
    """One SQLAlchemy engine plus the two ways to use it: `read()` and `write()`."""

    def __init__(self, url: str, *, pool_size: int = 10, max_overflow: int = 20) -> None:
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        self.engine = self._create_engine(pool_size, max_overflow)
        # SQLite has one writer at a time, and its busy handler makes losers sleep (up to
        # 100 ms a try). Queueing this process's writers on a lock wakes each one the moment
        # the previous commit ends; other processes still meet the busy timeout.
        self._write_lock = threading.Lock() if self.is_sqlite else None

    def _create_engine(self, pool_size: int, max_overflow: int) -> Engine:
        if self.is_sqlite:
            return _sqlite_engine(self.url.render_as_string(hide_password=False), pool_size)
        url = self.url
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        try:
            return create_engine(
                url,
                pool_size=pool_size,
                max_overflow=max_overflow,
                pool_pre_ping=True,
            )
        except ModuleNotFoundError as exc:
            raise MissingExtraError(
                f"{exc.name} is missing: install dragoman[postgres] to use {url.drivername}"
            ) from exc

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection inside a read transaction."""
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A connection inside a write transaction (SQLite: BEGIN IMMEDIATE, so writers queue
        on the busy timeout instead of failing on a read-to-write lock upgrade)."""
        if self._write_lock is None:
            with self.engine.connect() as conn:
                conn = conn.execution_options(dragoman_write=True)
                with conn.begin():
                    yield conn
            return
        with self._write_lock, self.engine.connect() as conn:
            conn = conn.execution_options(dragoman_write=True)
            with conn.begin():
                yield conn

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def _sqlite_engine(url: str, pool_size: int) -> Engine:
    path = make_url(url).database
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    # Every connection that is opened re-runs the PRAGMAs below; a pool as large as the
    # threads that read at once (the server's thread pool is 40) never churns.
    engine = create_engine(url, pool_size=max(pool_size, 40), max_overflow=10)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own handling is lazy).
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")  # durable across process crashes in WAL
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get("dragoman_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    return engine
