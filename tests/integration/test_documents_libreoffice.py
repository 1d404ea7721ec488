"""Translated DOCX files open in LibreOffice: two fixtures (python-docx's, and one written part
by part as Word writes them: footnotes, fields, text boxes, a chart) go through a real file
job, then `soffice --headless --convert-to odt` converts the outputs without error and the
converted text is the translation (real server, real SQLite, Apertium when installed)."""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pytest

from tests.apptools import running_api

DOCX = Path(__file__).parent.parent / "fixtures" / "formats" / "docx"
FIXTURES = [DOCX / "python_docx.docx", DOCX / "hand_made.docx"]


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is required under CI (./scripts/setup --test installs it)")
        pytest.skip("LibreOffice (soffice) is not installed")
    return found


def test_translated_docx_files_convert_in_libreoffice(
    sqlite_url: str, settings_factory: Callable[..., object], tmp_path: Path
) -> None:
    program = soffice()
    engine = "apertium" if shutil.which("apertium") else "pseudo"
    settings = settings_factory(sqlite_url, default_engine_provider=engine)
    translated: list[Path] = []
    with running_api(settings) as api:  # type: ignore[arg-type]  # the factory makes Settings
        key = api.new_key()
        for source in FIXTURES:
            response = api.client.post(
                "/jobs/localization/files",
                headers={"X-API-Key": key},
                files={"file": (source.name, source.read_bytes())},
                data={"sourceLocale": "en", "targetLocales": "es"},
            )
            assert response.status_code == 202, response.text
            group = api.wait_group(key, response.json()["groupId"], timeout=60)
            job = group["jobs"][0]
            assert job["status"] == "completed", group
            got = api.get(key, f"/jobs/localization/{job['id']}/file")
            assert got.status_code == 200
            path = tmp_path / "translated" / f"{source.stem}.es.docx"
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(got.content)
            translated.append(path)
    out = tmp_path / "odt"
    done = subprocess.run(
        [
            program, "--headless", "--norestore",
            f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
            "--convert-to", "odt", "--outdir", str(out), *map(str, translated),
        ],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr + done.stdout
    for path in translated:
        converted = out / f"{path.stem}.odt"
        assert converted.exists() and converted.stat().st_size > 0, done.stdout + done.stderr
        with zipfile.ZipFile(converted) as archive:
            content = archive.read("content.xml").decode("utf-8")
        first = next(p.text for p in docx.Document(str(path)).paragraphs if p.text.strip())
        source_first = next(
            p.text for p in docx.Document(str(DOCX / path.name.replace(".es", ""))).paragraphs
            if p.text.strip()
        )  # fmt: skip
        assert first != source_first  # translated
        for word in first.split()[:3]:
            assert _escaped(word) in content, (word, path.name)


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
