"""LanguageWire's document flow exactly as its documentation describes it, against a real
`dragoman serve` with Apertium: a client from the CLI, a token, upload, poll, download, and
signed callbacks to a real HTTPS receiver on 127.0.0.1."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from tests.acceptance.serverproc import ServerProcess, cli, server_env
from tests.webhook_receiver import Receiver, https_receiver

ORG = "languagewire-acceptance"
TEXT = "The weather is good today.\n\nThe house is big.\n"


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Receiver]:
    with https_receiver(tmp_path) as running:
        yield running


@pytest.fixture
def server(tmp_path: Path, receiver: Receiver) -> Iterator[tuple[str, str, str, str]]:
    """(base URL, client id, client secret, webhook secret) of a served organization."""
    env = server_env(
        tmp_path / "data",
        DRAGOMAN_DEFAULT_ENGINE_PROVIDER="apertium",
        DRAGOMAN_WEBHOOK_ALLOW_NETWORKS="127.0.0.0/8",
        DRAGOMAN_WEBHOOK_CA_BUNDLE=str(receiver.ca_path),
        DRAGOMAN_WEBHOOK_POLL_INTERVAL_SECONDS="0.2",
    )
    made = cli(env, "oauth-clients", "create", "--org", ORG)
    assert made.returncode == 0, made.stderr
    client_id, secret = made.stdout.strip().splitlines()[-1].split(" ")
    hooks = cli(env, "webhook-secret", "--org", ORG)
    assert hooks.returncode == 0, hooks.stderr
    process = ServerProcess(env, tmp_path / "server.log").start()
    yield process.base, client_id, secret, hooks.stdout.strip().splitlines()[-1]
    process.stop()


def token(http: httpx.Client, client_id: str, secret: str) -> str:
    got = http.post(
        "/oauth2/token",
        data={"grant_type": "client_credentials"},
        auth=(client_id, secret),  # HTTP Basic, as OAuth2 libraries send it
    )
    assert got.status_code == 200, got.text
    assert got.json()["token_type"] == "Bearer"
    return str(got.json()["access_token"])


def translate(http: httpx.Client, name: str, data: bytes, media: str, **fields: str) -> str:
    got = http.post(
        "/v2/documents/translate",
        files={"file": (name, data, media)},
        data={"source": "en", "target": "es", **fields},
    )
    assert got.status_code in (200, 201), got.text
    return str(got.json()["jobId"])


def poll(http: httpx.Client, job_id: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        info: dict[str, Any] = http.get(f"/v2/documents/{job_id}").json()
        if info["status"] in ("SUCCESS", "FAILED"):
            return info
        assert time.monotonic() < deadline, info
        time.sleep(0.2)


def test_text_document_with_signed_success_callback(
    server: tuple[str, str, str, str], receiver: Receiver
) -> None:
    base, client_id, secret, webhook_secret = server
    with httpx.Client(base_url=base, timeout=30) as http:
        http.headers["Authorization"] = f"Bearer {token(http, client_id, secret)}"
        types = http.get("/v2/documents/types").json()
        assert any(".txt" in t["extensions"] for t in types)
        pairs = http.get("/v2/languages/document-translation").json()
        assert {"source": "en", "target": "es"} in pairs
        job_id = translate(
            http,
            "weather.txt",
            TEXT.encode(),
            "text/plain",
            successCallbackUrl=receiver.url("/lw/success"),
            errorCallbackUrl=receiver.url("/lw/error"),
            translationId="acceptance-1",
        )
        info = poll(http, job_id)
        assert info["status"] == "SUCCESS" and info["translationId"] == "acceptance-1"
        got = http.get(f"/v2/documents/{job_id}/download")
        assert got.status_code == 200
        assert 'filename="weather.es.txt"' in got.headers["content-disposition"]
        text = got.content.decode()
        assert "tiempo" in text and "casa" in text
        assert text.count("\n") == TEXT.count("\n")
    (delivery,) = receiver.wait("/lw/success", 1)
    Webhook(webhook_secret).verify(delivery.body, delivery.headers)
    assert delivery.json()["jobId"] == job_id and delivery.json()["status"] == "SUCCESS"
    assert receiver.on("/lw/error") == []


def _docx() -> bytes:
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_paragraph("The weather is good today.")
    document.add_paragraph("The house is big.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _libreoffice_docx() -> bytes:
    """The same text as a DOCX that LibreOffice wrote (its XML differs from python-docx's:
    styles, run properties, rsids, settings), converted from HTML by `soffice`."""
    program = shutil.which("soffice") or shutil.which("libreoffice")
    if program is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is required under CI (./scripts/setup --test installs it)")
        pytest.skip("LibreOffice (soffice) is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "report.html"
        source.write_text(
            "<html><body><p>The weather is <b>good</b> today.</p><p>The house is big.</p>"
            "</body></html>"
        )
        done = subprocess.run(
            [program, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp}/lo",
             "--convert-to", "docx:MS Word 2007 XML", "--outdir", tmp, str(source)],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        made = Path(tmp) / "report.docx"
        assert done.returncode == 0 and made.exists(), done.stderr + done.stdout
        return made.read_bytes()


def _pptx() -> bytes:
    pptx = pytest.importorskip("pptx")
    deck = pptx.Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = "The house is big."
    slide.placeholders[1].text = "The weather is good today."
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def _xlsx() -> bytes:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = "The house is big."
    sheet["A2"] = "The weather is good today."
    sheet["B1"] = 42
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _read_docx(data: bytes) -> str:
    import docx

    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def _read_pptx(data: bytes) -> str:
    import pptx

    deck = pptx.Presentation(io.BytesIO(data))
    return "\n".join(s.text_frame.text for s in deck.slides[0].shapes if s.has_text_frame)


def _read_xlsx(data: bytes) -> str:
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet["B1"].value == 42
    return f"{sheet['A1'].value}\n{sheet['A2'].value}"


OFFICE = "application/vnd.openxmlformats-officedocument"


@pytest.mark.parametrize(
    ("name", "make", "read", "media"),
    [
        ("report.docx", _docx, _read_docx, f"{OFFICE}.wordprocessingml.document"),
        ("libreoffice.docx", _libreoffice_docx, _read_docx, f"{OFFICE}.wordprocessingml.document"),
        ("slides.pptx", _pptx, _read_pptx, f"{OFFICE}.presentationml.presentation"),
        ("sheet.xlsx", _xlsx, _read_xlsx, f"{OFFICE}.spreadsheetml.sheet"),
    ],
)
def test_office_documents(
    server: tuple[str, str, str, str], name: str, make: Any, read: Any, media: str
) -> None:
    base, client_id, secret, _ = server
    with httpx.Client(base_url=base, timeout=30) as http:
        http.headers["Authorization"] = f"Bearer {token(http, client_id, secret)}"
        served = {t["type"] for t in http.get("/v2/documents/types").json()}
        assert name.rsplit(".", 1)[1] in served, served
        job_id = translate(http, name, make(), media)
        info = poll(http, job_id)
        assert info["status"] == "SUCCESS", info
        got = http.get(f"/v2/documents/{job_id}/download")
        assert got.status_code == 200
        assert got.headers["content-type"].startswith(media)
        text = read(got.content)
        assert "casa" in text and "tiempo" in text, text
