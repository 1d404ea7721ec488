"""`dragoman translate FILE... --to es,fr`: i18n files through a server, or the embedded core."""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from dragoman.cli.common import console, err_console
from dragoman.client import Client, DragomanAPIError
from dragoman.errors import DragomanError

FINAL = {"completed", "failed"}


class Backend(Protocol):
    """Where files are translated: a running server (HTTP) or the embedded core."""

    def submit(self, path: Path, source: str, targets: list[str]) -> dict[str, Any]: ...
    def group(self, group_id: str) -> dict[str, Any]: ...
    def job(self, job_id: str) -> dict[str, Any]: ...
    def download(self, job_id: str) -> tuple[str, bytes]: ...


class ServerBackend:
    """Through the native API of a running server."""

    def __init__(self, client: Client, engine: str | None) -> None:
        self.client = client
        self.engine = engine

    def submit(self, path: Path, source: str, targets: list[str]) -> dict[str, Any]:
        return self.client.submit_file(path, source=source, targets=targets, engine_id=self.engine)

    def group(self, group_id: str) -> dict[str, Any]:
        return self.client.group(group_id)

    def job(self, job_id: str) -> dict[str, Any]:
        return self.client.job(job_id)

    def download(self, job_id: str) -> tuple[str, bytes]:
        return self.client.download(job_id)


class EmbeddedBackend:
    """The core and its workers in this process, on a throw-away SQLite database."""

    def __init__(self, services: Any, org: Any) -> None:
        from dragoman.surfaces.native import schemas

        self.services = services
        self.org = org
        self.schemas = schemas

    def submit(self, path: Path, source: str, targets: list[str]) -> dict[str, Any]:
        from dragoman.core.files import FileSubmitRequest

        request = FileSubmitRequest(
            source_locale=source, target_locales=targets, filename=path.name,
            data=path.read_bytes(),
        )  # fmt: skip
        _, group = asyncio.run(self.services.core.submit_file(self.org, request))
        return dict(self.schemas.render_created(group))

    def group(self, group_id: str) -> dict[str, Any]:
        view = self.services.core.read_group(self.org.id, group_id)
        return dict(self.schemas.render_group(view))

    def job(self, job_id: str) -> dict[str, Any]:
        return dict(self.schemas.render_job(self.services.core.read_job(self.org.id, job_id)))

    def download(self, job_id: str) -> tuple[str, bytes]:
        output = self.services.core.read_output(self.org.id, job_id)
        return output.filename, b"".join(output.stream)


@contextmanager
def embedded(provider: str | None) -> Iterator[EmbeddedBackend]:
    """A core with in-process workers over a temporary data directory."""
    from dragoman.app import build_services
    from dragoman.core import orgs
    from dragoman.settings import Settings
    from dragoman.store import migrate

    with tempfile.TemporaryDirectory(prefix="dragoman-translate-") as tmp:
        overrides: dict[str, Any] = {
            "data_dir": Path(tmp),
            "database_url": None,
            "broker_url": None,
            "blob_url": None,
            "event_bus_url": None,
        }
        if provider:
            overrides["default_engine_provider"] = provider
        settings = Settings().model_copy(update=overrides)
        services = build_services(settings, run_workers=True)
        try:
            migrate.upgrade(services.db)
            services.start()
            with services.db.write() as conn:
                org = orgs.get_or_create_org(conn, "cli")
            yield EmbeddedBackend(services, org)
        finally:
            services.close()


def translate(
    files: list[Path] = typer.Argument(
        ..., exists=True, dir_okay=False, help="i18n files: .po .yml .json .strings .xml ..."
    ),
    targets: str = typer.Option(..., "--to", help="Target locales, comma-separated: es,fr."),
    source: str = typer.Option("auto", "--from", help="Source locale, or auto to detect it."),
    out: Path = typer.Option(Path("."), "--out", help="Folder for the translated files."),
    server: str = typer.Option(
        None,
        "--server",
        envvar="DRAGOMAN_SERVER",
        help="Base URL of a running server; without it, the embedded core translates.",
    ),
    key: str = typer.Option(
        None, "--key", envvar="DRAGOMAN_API_KEY", help="API key, with --server."
    ),
    engine: str = typer.Option(
        None,
        "--engine",
        help="Engine id on the server; embedded: a provider (apertium, identity, pseudo).",
    ),
    timeout: float = typer.Option(3600, help="Seconds to wait for every job."),
) -> None:
    """Translate FILES into each locale and write them under their conventional names."""
    locales = [t.strip() for t in targets.split(",") if t.strip()]
    if not locales:
        err_console.print("[red]--to must name at least one locale")
        raise typer.Exit(2)
    try:
        if server:
            if not key:
                err_console.print("[red]--server needs --key (or DRAGOMAN_API_KEY)")
                raise typer.Exit(2)
            with Client(server, key) as client:
                failed = run(ServerBackend(client, engine), files, source, locales, out, timeout)
        else:
            with embedded(engine) as backend:
                failed = run(backend, files, source, locales, out, timeout)
    except (DragomanAPIError, DragomanError) as exc:
        err_console.print(f"[red]{exc}")
        raise typer.Exit(1) from exc
    if failed:
        err_console.print(f"[red]{failed} job(s) failed")
        raise typer.Exit(1)


def run(
    backend: Backend,
    files: list[Path],
    source: str,
    locales: list[str],
    out: Path,
    timeout: float,
) -> int:
    """Submit every file, show a bar per file and locale, write the results; returns the
    number of failed jobs."""
    columns = (
        TextColumn("{task.description:<32}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[state]}"),
        TimeElapsedColumn(),
    )
    deadline = time.monotonic() + timeout
    groups = [(path, backend.submit(path, source, locales)) for path in files]
    failed = 0
    with Progress(*columns, console=err_console) as progress:
        tasks = {
            job["id"]: progress.add_task(
                f"{path.name} -> {job['targetLocale']}", total=None, state="queued"
            )
            for path, created in groups
            for job in created["jobs"]
        }
        pending = {created["groupId"] for _, created in groups}
        while pending:
            for group_id in sorted(pending):
                group = backend.group(group_id)
                for job in group["jobs"]:
                    _show(backend, progress, tasks[job["id"]], job)
                if all(j["status"] in FINAL for j in group["jobs"]):
                    pending.discard(group_id)
            if pending and time.monotonic() > deadline:
                raise DragomanError(f"{len(pending)} file(s) not translated after {timeout:.0f}s")
            if pending:
                time.sleep(0.2)
    out.mkdir(parents=True, exist_ok=True)
    for path, created in groups:
        for summary in created["jobs"]:
            job = backend.job(summary["id"])
            if job["status"] != "completed":
                failed += 1
                err_console.print(
                    f"[red]{path.name} -> {job['targetLocale']}: failed: {job['errorMessage']}"
                )
                continue
            name, data = backend.download(job["id"])
            target = out / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            console.print(f"{path.name} -> {job['targetLocale']}: wrote {target}")
            for issue in job.get("qaIssues", []):
                err_console.print(f"  [yellow]kept source at {issue['path']}: {issue['message']}")
    return failed


def _show(backend: Backend, progress: Progress, task: Any, job: dict[str, Any]) -> None:
    if job["status"] in FINAL:
        total = progress.tasks[task].total or 1
        progress.update(task, total=total, completed=total, state=job["status"])
    elif job["status"] == "processing":
        detail = backend.job(job["id"])["progress"]
        progress.update(
            task,
            total=detail["unitsTotal"] or None,
            completed=detail["unitsDone"],
            state="processing",
        )


def register(app: typer.Typer) -> None:
    app.command()(translate)
