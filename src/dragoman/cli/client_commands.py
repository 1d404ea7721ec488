"""`dragoman submit` and `dragoman engines`: client commands against a running server."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from websockets.exceptions import WebSocketException
from websockets.sync.client import connect as ws_connect

from dragoman.cli.common import console, err_console
from dragoman.client import Client, DragomanAPIError

FINAL = {"completed", "failed"}
ServerOpt = typer.Option(
    "http://127.0.0.1:8000",
    "--server",
    envvar="DRAGOMAN_SERVER",
    help="Base URL of the Dragoman server.",
)
KeyOpt = typer.Option(..., "--key", envvar="DRAGOMAN_API_KEY", help="API key (X-API-Key).")


def follow_group(
    client: Client, group_id: str, *, poll: float = 0.25, timeout: float = 3600
) -> dict[str, Any]:
    """Show one progress bar per locale until every job is final; returns the final group.
    Follows the group's events over `/ws`; polls the REST API when the WebSocket fails."""
    columns = (
        TextColumn("{task.description:>10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[state]}"),
        TimeElapsedColumn(),
    )
    deadline = time.monotonic() + timeout
    with Progress(*columns, console=err_console, transient=False) as progress:
        group = client.group(group_id)
        tasks = {
            j["id"]: progress.add_task(j["targetLocale"], total=None, state=j["status"])
            for j in group["jobs"]
        }
        try:
            _follow_ws(client, group_id, progress, tasks, deadline)
            return client.group(group_id)
        except (OSError, WebSocketException, TimeoutError, ValueError):
            pass  # no WebSocket (a proxy, an old server): fall back to polling
        while True:
            for job in group["jobs"]:
                task = tasks[job["id"]]
                if job["status"] in FINAL:
                    total = progress.tasks[task].total or 1
                    progress.update(task, total=total, completed=total, state=job["status"])
                elif job["status"] == "processing":
                    detail = client.job(job["id"])["progress"]
                    progress.update(
                        task,
                        total=detail["unitsTotal"] or None,
                        completed=detail["unitsDone"],
                        state="processing",
                    )
            if all(j["status"] in FINAL for j in group["jobs"]):
                return group
            if time.monotonic() > deadline:
                raise TimeoutError(f"group {group_id} not finished after {timeout:.0f}s")
            time.sleep(poll)
            group = client.group(group_id)


def _follow_ws(
    client: Client, group_id: str, progress: Progress, tasks: dict[str, Any], deadline: float
) -> None:
    """Update the bars from the group's events (replayed from the start, then live)."""
    url = client.base_url.replace("https://", "wss://", 1).replace("http://", "ws://", 1) + "/ws"
    with ws_connect(url, additional_headers={"X-API-Key": client.api_key}, open_timeout=5) as ws:
        ws.send(json.dumps({"action": "subscribe", "groups": [group_id], "lastEventId": 0}))
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"group {group_id} not finished in time")
            message = json.loads(ws.recv(timeout=remaining))
            if message["type"] == "error":
                raise ValueError(message["error"])
            if message["type"] != "event":
                continue
            if message["event"] == "group.completed":
                return
            data, task = message["data"], tasks.get(message["jobId"])
            if task is None:
                continue
            if "progress" in data:
                progress.update(
                    task,
                    total=data["progress"]["unitsTotal"] or None,
                    completed=data["progress"]["unitsDone"],
                    state="processing",
                )
            elif data["status"] in FINAL:
                total = progress.tasks[task].total or 1
                progress.update(task, total=total, completed=total, state=data["status"])
            else:
                progress.update(task, state=data["status"])


def submit(
    file: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="A JSON object to translate."
    ),
    source: str = typer.Option(..., "--from", help="Source locale, e.g. en."),
    targets: str = typer.Option(..., "--to", help="Target locales, comma-separated: es,ca."),
    server: str = ServerOpt,
    key: str = KeyOpt,
    out: Path = typer.Option(Path("."), "--out", help="Folder for one output file per locale."),
    engine: str = typer.Option(None, "--engine", help="Engine id (default: the organization's)."),
) -> None:
    """Submit FILE for translation, follow it live, write one FILE-like output per locale."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        err_console.print(f"[red]{file} is not valid UTF-8 JSON: {exc}")
        raise typer.Exit(2) from exc
    locales = [t.strip() for t in targets.split(",") if t.strip()]
    with Client(server, key) as client:
        try:
            created = client.submit(data, source=source, targets=locales, engine_id=engine)
            group = follow_group(client, created["groupId"])
            out.mkdir(parents=True, exist_ok=True)
            failed = 0
            for summary in group["jobs"]:
                job = client.job(summary["id"])
                if job["status"] == "completed":
                    target = out / f"{file.stem}.{job['targetLocale']}.json"
                    target.write_text(
                        json.dumps(job["outputData"], ensure_ascii=False, indent=2) + "\n",
                        encoding="utf-8",
                    )
                    console.print(f"{job['targetLocale']}: wrote {target}")
                    for issue in job.get("qaIssues", []):
                        err_console.print(
                            f"  [yellow]kept source at {issue['path']}: {issue['message']}"
                        )
                else:
                    failed += 1
                    err_console.print(f"[red]{job['targetLocale']}: failed: {job['errorMessage']}")
        except DragomanAPIError as exc:
            err_console.print(f"[red]{exc}")
            raise typer.Exit(1) from exc
    console.print(f"group {group['groupId']}: {group['status']}")
    if failed:
        raise typer.Exit(1)


def engines(server: str = ServerOpt, key: str = KeyOpt) -> None:
    """List the organization's engines and the language pairs each serves."""
    with Client(server, key) as client:
        try:
            items = client.engines()
        except DragomanAPIError as exc:
            err_console.print(f"[red]{exc}")
            raise typer.Exit(1) from exc
    table = Table("id", "name", "provider", "default", "language pairs")
    for item in items:
        pairs = (
            "any -> any"
            if item["anyPair"]
            else ", ".join(f"{p['source']}->{p['target']}" for p in item["languagePairs"])
            or "(none installed)"
        )
        table.add_row(
            item["id"], item["name"], item["provider"], "yes" if item["isDefault"] else "", pairs
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command()(submit)
    app.command()(engines)
