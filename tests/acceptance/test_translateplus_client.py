"""The official TranslatePlus client (PyPI `translateplus-python`) against `dragoman serve`:
create jobs for a PO and a YAML file into two languages, poll, download, list, delete."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from translateplus import (
    TranslatePlusAPIError,
    TranslatePlusAuthenticationError,
    TranslatePlusClient,
)

from tests.acceptance.serverproc import ServerProcess, cli, server_env

PO = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: en\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

#. Button label
msgid "Save the file"
msgstr ""

msgctxt "menu"
msgid "Open settings"
msgstr ""

msgid "You have %d new message"
msgid_plural "You have %d new messages"
msgstr[0] ""
msgstr[1] ""
"""
YAML = """en:
  greeting: "Welcome back, %{name}!"
  buttons:
    save: Save the file
    cancel: Cancel
  inbox:
    one: You have one new message
    other: You have %{count} new messages
"""
TARGETS = ["fr", "es"]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[ServerProcess, str]]:
    env = server_env(tmp_path / "data", DRAGOMAN_DEFAULT_ENGINE_PROVIDER="identity")
    made = cli(env, "keys", "create", "--org", "translateplus-client")
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip().splitlines()[-1]
    process = ServerProcess(env, tmp_path / "server.log").start()
    yield process, key
    process.stop()


def wait_done(client: TranslatePlusClient, job_id: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        job: dict[str, Any] = client.get_i18n_job_status(job_id)
        if job["status"] not in ("pending", "processing"):
            return job
        assert time.monotonic() < deadline, f"job not final after {timeout}s: {job}"
        time.sleep(0.1)


def check_po(content: bytes, lang: str, tmp_path: Path) -> None:
    text = content.decode("utf-8")
    assert f'"Language: {lang}\\n"' in text
    # Identity engine: each msgstr equals its msgid; plural forms follow the target's CLDR.
    assert 'msgid "Save the file"\nmsgstr "Save the file"' in text
    assert 'msgctxt "menu"\nmsgid "Open settings"\nmsgstr "Open settings"' in text
    plurals = text.split('msgid_plural "You have %d new messages"\n')[1]
    forms = [line for line in plurals.splitlines() if line.startswith("msgstr[")]
    assert len(forms) == {"fr": 3, "es": 3}[lang]
    if shutil.which("msgfmt"):
        path = tmp_path / f"{lang}.po"
        path.write_bytes(content)
        check = subprocess.run(
            ["msgfmt", "-c", "-o", "/dev/null", str(path)], capture_output=True, text=True
        )
        assert check.returncode == 0, check.stderr


def check_yaml(content: bytes, lang: str) -> None:
    # Only the root key follows the target, and the plural gains the target's CLDR categories
    # (fr and es have `many`, as `other`); every value stays as the source had it, except
    # fr `one`, which also means 0 and so needs the number `other` carries.
    expected = yaml.safe_load(YAML)["en"]
    expected["inbox"]["many"] = expected["inbox"]["other"]
    if lang == "fr":
        expected["inbox"]["one"] = expected["inbox"]["other"]
    assert yaml.safe_load(content) == {lang: expected}
    assert content.decode("utf-8").startswith(f'{lang}:\n  greeting: "Welcome back, %{{name}}!"')


def test_official_client_round_trip(server: tuple[ServerProcess, str], tmp_path: Path) -> None:
    process, key = server
    (tmp_path / "messages.po").write_text(PO, encoding="utf-8")
    (tmp_path / "en.yml").write_text(YAML, encoding="utf-8")
    client = TranslatePlusClient(api_key=key, base_url=process.base, max_retries=0)

    po_job = client.create_i18n_job(str(tmp_path / "messages.po"), TARGETS, source_language="en")
    yaml_job = client.create_i18n_job(str(tmp_path / "en.yml"), TARGETS)  # source "auto"
    assert po_job["job_id"] == po_job["id"] and po_job["file_type"] == "po"
    assert yaml_job["file_type"] == "yaml" and yaml_job["source_language"] == "en"

    for created, keys in ((po_job, 3), (yaml_job, 4)):
        done = wait_done(client, created["job_id"])
        assert done["status"] == "completed", done
        assert done["target_languages"] == TARGETS
        assert (done["total_keys"], done["translated_keys"], done["failed_keys"]) == (keys, keys, 0)
        assert sorted(f["language_code"] for f in done["translated_files"]) == sorted(TARGETS)

    for lang in TARGETS:
        check_po(client.download_i18n_file(po_job["job_id"], lang), lang, tmp_path)
        check_yaml(client.download_i18n_file(yaml_job["job_id"], lang), lang)

    listed = client.list_i18n_jobs(page=1, page_size=10)
    assert listed["count"] == 2
    assert [j["id"] for j in listed["results"]] == [yaml_job["id"], po_job["id"]]
    assert [j["id"] for j in client.list_i18n_jobs(page=2, page_size=1)["results"]] == [
        po_job["id"]
    ]

    for created in (po_job, yaml_job):
        assert client.delete_i18n_job(created["job_id"])["deleted"] is True
        with pytest.raises(TranslatePlusAPIError) as gone:
            client.get_i18n_job_status(created["job_id"])
        assert gone.value.status_code == 404
        assert gone.value.response == {"detail": f"Job {created['job_id']} not found."}
    assert client.list_i18n_jobs()["results"] == []
    client.close()


def test_official_client_errors(server: tuple[ServerProcess, str], tmp_path: Path) -> None:
    process, key = server
    (tmp_path / "en.yml").write_text(YAML, encoding="utf-8")
    with (
        TranslatePlusClient(api_key="dgm_wrong", base_url=process.base, max_retries=0) as bad,
        pytest.raises(TranslatePlusAuthenticationError) as denied,
    ):
        bad.list_i18n_jobs()
    assert denied.value.status_code == 403
    assert str(denied.value) == "Invalid API key. Please verify your API key is valid."

    with TranslatePlusClient(api_key=key, base_url=process.base, max_retries=0) as client:
        with pytest.raises(TranslatePlusAPIError) as invalid:
            client.create_i18n_job(str(tmp_path / "en.yml"), ["fr", "not a language"])
        assert invalid.value.status_code == 422
        assert "target_languages" in str(invalid.value)
        job = client.create_i18n_job(str(tmp_path / "en.yml"), ["de"], source_language="en")
        wait_done(client, job["id"])
        with pytest.raises(TranslatePlusAPIError) as missing:
            client.download_i18n_file(job["id"], "it")
        assert missing.value.status_code == 404 and "'it'" in str(missing.value)
