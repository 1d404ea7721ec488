"""`dragoman demo`: start the embedded server, submit a sample job, show it, keep serving."""

from __future__ import annotations

import json
import threading
import time

import httpx
import typer

from dragoman.cli.client_commands import follow_group
from dragoman.cli.common import console, open_database
from dragoman.client import Client
from dragoman.core import orgs
from dragoman.settings import Settings

SAMPLE = {
    "title": "Introduction to Machine Learning",
    "greeting": "Hello {name}, you have %{count} new messages.",
    "steps": [
        {
            "heading": "What is machine learning?",
            "body": "Machine learning is a subset of <b>artificial intelligence</b>.",
        },
        {"heading": "Supervised learning", "body": "Training with labeled data."},
    ],
    "cart": "{count, plural, one {# item in your cart} other {# items in your cart}}",
    "metadata": {
        "author": "Dr. Smith",
        "lessons": 12,
        "published": True,
        "url": "https://example.com/ml",
    },
}


def demo(
    host: str = typer.Option("127.0.0.1", help="Interface to bind."),
    port: int = typer.Option(8000, help="Port."),
    targets: str = typer.Option("es,ca", "--to", help="Target locales for the sample job."),
    exit_after: bool = typer.Option(
        False, "--exit", help="Stop after the sample instead of serving."
    ),
) -> None:
    """Serve on the embedded default, create an API key, translate a sample en -> es, ca."""
    import uvicorn

    from dragoman.app import create_app

    settings = Settings(host=host, port=port)
    db = open_database(settings)
    with db.write() as conn:
        org = orgs.get_or_create_org(conn, "demo")
        key = orgs.create_key(conn, org.id)
    db.dispose()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings), host=host, port=port, log_level="warning", access_log=False
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://{host}:{port}"
    _wait_ready(base)
    console.rule("Dragoman demo")
    console.print(f"server: {base}  (docs: {base}/docs)\norganization: demo\nAPI key: {key}")
    console.print("sample input:")
    console.print_json(json.dumps(SAMPLE))
    with Client(base, key) as client:
        created = client.submit(SAMPLE, source="en", targets=targets.split(","))
        group = follow_group(client, created["groupId"])
        for summary in group["jobs"]:
            job = client.job(summary["id"])
            console.rule(f"{job['targetLocale']}: {job['status']}")
            if job["status"] == "completed":
                console.print_json(json.dumps(job["outputData"], ensure_ascii=False))
            else:
                console.print(f"[red]{job['errorMessage']}")
    if exit_after:
        server.should_exit = True
        thread.join(10)
        return
    console.print(f"\nserving on {base}; try:")
    print(f"  curl -H 'X-API-Key: {key}' {base}/engines")  # unwrapped, so it can be pasted
    console.print("Ctrl+C stops.")
    try:
        while thread.is_alive():
            thread.join(1)
    except KeyboardInterrupt:
        server.should_exit = True
        thread.join(10)


def _wait_ready(base: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server at {base} did not become ready in {timeout:.0f}s")


def register(app: typer.Typer) -> None:
    app.command()(demo)
