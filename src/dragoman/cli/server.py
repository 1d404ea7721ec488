"""`dragoman serve` and `dragoman db upgrade`."""

from __future__ import annotations

import logging
import os

import typer

from dragoman.cli.common import console, open_database
from dragoman.settings import Settings

db_app = typer.Typer(help="Database schema commands.", no_args_is_help=True)


def serve(
    host: str = typer.Option(None, help="Interface to bind (default DRAGOMAN_HOST or 127.0.0.1)."),
    port: int = typer.Option(None, help="Port (default DRAGOMAN_PORT or 8000)."),
    no_worker: bool = typer.Option(False, "--no-worker", help="Serve the API only; run no jobs."),
    workers: int = typer.Option(
        1, "--workers", min=1, help="API processes sharing the port (each built from DRAGOMAN_*)."
    ),
    log_level: str = typer.Option("info", help="Log level."),
) -> None:
    """Run the HTTP API, a pool of workers and the sweeper in one process."""
    import uvicorn

    from dragoman.app import create_app
    from dragoman.cli.server_http import uvicorn_options

    logging.basicConfig(
        level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings = Settings()
    if workers > 1:
        # Each process builds its own app from the environment, which it inherits from here.
        if no_worker:
            os.environ["DRAGOMAN_RUN_WORKERS"] = "false"
        uvicorn.run(
            "dragoman.app:create_app_from_env",
            factory=True,
            workers=workers,
            host=host or settings.host,
            port=port or settings.port,
            log_level=log_level,
            access_log=False,
            **uvicorn_options(settings),
        )
        return
    app = create_app(settings, run_workers=not no_worker and settings.run_workers)
    uvicorn.run(
        app,
        host=host or settings.host,
        port=port or settings.port,
        log_level=log_level,
        access_log=False,
        # Header size limit (431) and token redaction in logs: issue 9.
        **uvicorn_options(settings),
    )


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration (the server also does this on start)."""
    from dragoman.store import migrate

    db = open_database(Settings())
    console.print(f"database at revision {migrate.current(db)}")
    db.dispose()


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.add_typer(db_app, name="db")
