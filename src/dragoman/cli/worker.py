"""`dragoman worker`: run jobs from the broker, on any machine that reaches it and the database."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType
from urllib.parse import urlsplit, urlunsplit

import typer

from dragoman.cli.common import err_console
from dragoman.settings import Settings

log = logging.getLogger("dragoman.worker")


def redact(url: str) -> str:
    """`url` without its password, for logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def worker(
    concurrency: int = typer.Option(
        None,
        "--concurrency",
        "-c",
        min=1,
        help="Jobs run at once in this process (default DRAGOMAN_WORKER_CONCURRENCY).",
    ),
    grace: float = typer.Option(
        10.0, help="Seconds SIGTERM waits for running jobs; the rest are re-run elsewhere."
    ),
    log_level: str = typer.Option("info", help="Log level."),
) -> None:
    """Run jobs dispatched through DRAGOMAN_BROKER_URL, with lease renewal and the sweeper."""
    from dragoman.app import build_services
    from dragoman.store import migrate

    logging.basicConfig(
        level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings = Settings()
    broker_url = settings.broker_url
    if not broker_url:
        err_console.print(
            "dragoman worker needs DRAGOMAN_BROKER_URL (redis://... or amqp://...); "
            "without a broker, `dragoman serve` runs the workers in its own process."
        )
        raise typer.Exit(2)
    if concurrency:
        settings = settings.model_copy(update={"worker_concurrency": concurrency})

    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("%s: finishing running jobs (up to %.0fs)", signal.Signals(signum).name, grace)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    services = build_services(settings, run_workers=True)
    try:
        migrate.upgrade(services.db)
        services.start()
        assert services.workers is not None
        log.info(
            "dragoman worker ready: %s, queue %s, %d thread(s), owner %s",
            redact(broker_url),
            settings.broker_queue,
            settings.worker_concurrency,
            services.workers.runner.owner,
        )
        while not stop.wait(1.0):
            pass
    finally:
        # Jobs still running after the grace period keep their leases until they expire;
        # another worker claims them then (their results here are fenced off).
        if services.workers is not None:
            services.workers.stop(grace)
        services.engines.close()
        services.db.dispose()
    log.info("dragoman worker stopped")


def register(app: typer.Typer) -> None:
    app.command()(worker)
