"""Lingo24's lifecycle exactly as its documentation describes it, against a real
`dragoman serve` with Apertium: a client from the CLI, tokens from /oauth2/access, a real
PO file and a real DOCX, and PUT callbacks (job quoted, job translated, project finished)
to a real HTTPS receiver on 127.0.0.1."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.acceptance.serverproc import ServerProcess, cli, server_env
from tests.webhook_receiver import Receiver, https_receiver

ORG = "lingo24-acceptance"
PO = b'msgid ""\nmsgstr ""\n\nmsgid "The house is big."\nmsgstr ""\n'


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Receiver]:
    with https_receiver(tmp_path) as running:
        yield running


@pytest.fixture
def server(tmp_path: Path, receiver: Receiver) -> Iterator[tuple[str, str, str]]:
    env = server_env(
        tmp_path / "data",
        DRAGOMAN_DEFAULT_ENGINE_PROVIDER="apertium",
        DRAGOMAN_WEBHOOK_ALLOW_NETWORKS="127.0.0.0/8",
        DRAGOMAN_WEBHOOK_CA_BUNDLE=str(receiver.ca_path),
        DRAGOMAN_WEBHOOK_POLL_INTERVAL_SECONDS="0.2",
    )
    made = cli(env, "oauth-clients", "create", "--org", ORG,
               "--redirect-uri", "https://app.example/cb")  # fmt: skip
    assert made.returncode == 0, made.stderr
    client_id, secret = made.stdout.strip().splitlines()[-1].split(" ")
    process = ServerProcess(env, tmp_path / "server.log").start()
    yield process.base, client_id, secret
    process.stop()


def _docx() -> bytes:
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_paragraph("The weather is good today.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _wait(http: httpx.Client, path: str, key: str, value: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        got: dict[str, Any] = http.get(path).json()
        if got[key] == value:
            return got
        assert time.monotonic() < deadline, got
        time.sleep(0.2)


@pytest.mark.parametrize("xml", [False, True])
def test_lifecycle_with_callbacks(
    server: tuple[str, str, str], receiver: Receiver, xml: bool
) -> None:
    base, client_id, secret = server
    with httpx.Client(base_url=base, timeout=30) as http:
        grant = http.post("/oauth2/access", params={
            "grant_type": "client_credentials", "client_id": client_id, "client_secret": secret,
        })  # fmt: skip
        assert grant.status_code == 200, grant.text
        http.headers["Authorization"] = f"Bearer {grant.json()['access_token']}"
        project = http.post("/project", json={
            "name": "Docs", "projectCallbackUrl": receiver.url("/l24/project")}).json()  # fmt: skip
        jobs = []
        for name, data in (("app.po", PO), ("report.docx", _docx())):
            file = http.post("/file", json={"name": name}).json()
            assert http.put(f"/file/{file['id']}/content", content=data).status_code == 200
            job = http.post("/job", json={
                "projectId": project["id"], "sourceFileId": file["id"], "sourceLocale": "en",
                "targetLocale": "es", "serviceLevel": "MT",
                "jobCallbackUrl": receiver.url(f"/l24/job/{name}")}).json()  # fmt: skip
            jobs.append((name, job))
        for _, job in jobs:
            _wait(http, f"/job/{job['id']}", "jobStatus", "QUOTED")
        if xml:
            accepted = http.put(
                f"/project/{project['id']}",
                content=b"<project><projectStatus>IN_PROGRESS</projectStatus></project>",
                headers={"Content-Type": "application/xml", "Accept": "application/xml"},
            )
            assert b"<projectStatus>IN_PROGRESS</projectStatus>" in accepted.content
        else:
            http.put(f"/project/{project['id']}", json={"projectStatus": "IN_PROGRESS"})
        for name, job in jobs:
            done = _wait(http, f"/job/{job['id']}", "jobStatus", "TRANSLATED")
            content = http.get(f"/file/{done['targetFileId']}/content").content
            if name.endswith(".po"):
                assert b"casa" in content
            else:
                import docx

                text = "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)
                assert "tiempo" in text
        _wait(http, f"/project/{project['id']}", "projectStatus", "FINISHED")
    for name, job in jobs:
        quoted, translated = receiver.wait(f"/l24/job/{name}", 2)
        # The body is the job as it was when it was quoted, though the project was accepted
        # before the callback went out.
        assert quoted.json()["id"] == job["id"]
        assert quoted.json()["jobStatus"] == "QUOTED"
        assert translated.json()["jobStatus"] == "TRANSLATED"
        assert quoted.headers["x-lingo24-attempt"] == "1"
    (finished,) = receiver.wait("/l24/project", 1)
    assert finished.json()["projectStatus"] == "FINISHED"
