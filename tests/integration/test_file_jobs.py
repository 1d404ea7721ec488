"""Native file jobs end to end: upload, jobs per target, download, errors (real server, real
SQLite and PostgreSQL, real blob store on disk)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from dragoman.settings import Settings
from tests.apptools import Api, running_api

FIXTURES = Path(__file__).parent.parent / "fixtures" / "formats"
PO = FIXTURES / "po" / "django.po"


@pytest.fixture
def api(database_url: str, settings_factory: Callable[..., Settings]) -> Iterator[Api]:
    with running_api(settings_factory(database_url)) as running:
        yield running


def upload(api: Api, key: str, path: Path, targets: str, **fields: str) -> Any:
    return api.client.post(
        "/jobs/localization/files",
        headers={"X-API-Key": key},
        files={"file": (path.name, path.read_bytes())},
        data={"sourceLocale": "en", "targetLocales": targets, **fields},
    )


def download(api: Api, key: str, job_id: str) -> Any:
    return api.client.get(f"/jobs/localization/{job_id}/file", headers={"X-API-Key": key})


def blob_files(api: Api) -> list[Path]:
    root = Path(api.services.settings.data_dir) / "blobs"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_po_file_becomes_one_valid_po_per_target(api: Api, tmp_path: Path) -> None:
    key = api.new_key()
    response = upload(api, key, PO, "es,ru")
    assert response.status_code == 202, response.text
    created = response.json()
    assert created["format"] == "po" and created["filename"] == "django.po"
    group = api.wait_group(key, created["groupId"])
    assert group["status"] == "completed"
    for job in group["jobs"]:
        view = api.get(key, f"/jobs/localization/{job['id']}").json()
        locale = view["targetLocale"]
        assert view["format"] == "po"
        assert view["filename"] == f"django.{locale}.po"
        assert view["unitsTotal"] > 0
        assert view["unitsTranslated"] + view["unitsFailed"] == view["unitsTotal"]
        got = download(api, key, job["id"])
        assert got.status_code == 200
        assert f"django.{locale}.po" in got.headers["content-disposition"]
        text = got.content.decode()
        assert f'"Language: {locale}\\n"' in text
        path = tmp_path / f"{locale}.po"
        path.write_bytes(got.content)
        check = subprocess.run(
            ["msgfmt", "-c", "-o", "/dev/null", str(path)], capture_output=True, text=True
        )
        assert check.returncode == 0, check.stderr
    ru = next(j for j in group["jobs"] if j["targetLocale"] == "ru")
    ru_text = download(api, key, ru["id"]).content.decode()
    assert "nplurals=3" in ru_text


def test_identity_engine_changes_only_the_locale_marker(
    database_url: str, settings_factory: Callable[..., Settings]
) -> None:
    settings = settings_factory(database_url, default_engine_provider="identity")
    rails = FIXTURES / "yaml" / "devise.en.yml"
    nested = FIXTURES / "json" / "common.json"
    with running_api(settings) as api:
        key = api.new_key()
        outputs = {}
        for path in (rails, nested):
            created = upload(api, key, path, "de").json()
            group = api.wait_group(key, created["groupId"])
            assert group["status"] == "completed", group
            job = api.get(key, f"/jobs/localization/{group['jobs'][0]['id']}").json()
            assert job["unitsFailed"] == 0
            outputs[path.name] = (job["filename"], download(api, key, job["id"]).content)
    assert outputs["common.json"][1] == nested.read_bytes()
    filename, out = outputs["devise.en.yml"]
    assert filename == "devise.de.yml"
    assert out.startswith(b"de:")
    assert out.replace(b"de:", b"en:", 1) == rails.read_bytes()


def test_errors_name_what_is_wrong(api: Api, tmp_path: Path) -> None:
    key = api.new_key()
    junk = tmp_path / "strings.xyz"
    junk.write_bytes(b"hello")
    bad = upload(api, key, junk, "es")
    assert bad.status_code == 422 and bad.json()["field"] == "format"
    broken = tmp_path / "broken.po"
    broken.write_bytes(b'msgid "a"\nmsgstr "b\n\nmsgid "c"\n')
    response = upload(api, key, broken, "es")
    assert response.status_code == 422
    assert "line" in response.json()["error"]
    no_targets = upload(api, key, PO, "")
    assert no_targets.status_code == 422 and no_targets.json()["field"] == "targetLocales"
    same = upload(api, key, PO, "en")
    assert same.status_code == 422
    not_multipart = api.client.post(
        "/jobs/localization/files", headers={"X-API-Key": key}, content=b"{}"
    )
    assert not_multipart.status_code == 422


def test_download_waits_for_completion_and_hides_other_orgs(
    database_url: str, settings_factory: Callable[..., Settings]
) -> None:
    with running_api(settings_factory(database_url), run_workers=False) as api:
        key, other = api.new_key(), api.new_key()
        created = upload(api, key, PO, "es").json()
        job_id = created["jobs"][0]["id"]
        assert download(api, key, job_id).status_code == 409
        assert download(api, other, job_id).status_code == 404
        assert api.get(other, f"/jobs/localization/{job_id}").status_code == 404


def test_idempotent_replay_keeps_one_copy_of_the_file(api: Api) -> None:
    key = api.new_key()
    first = upload(api, key, PO, "es", idempotencyKey="po-v1")
    again = upload(api, key, PO, "es", idempotencyKey="po-v1")
    assert (first.status_code, again.status_code) == (202, 200)
    assert first.json()["groupId"] == again.json()["groupId"]
    api.wait_group(key, first.json()["groupId"])
    sources = [p for p in blob_files(api) if "/src/" in p.as_posix()]
    assert len(sources) == 1


def test_upload_over_the_limit_is_413(
    database_url: str, settings_factory: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = settings_factory(database_url, max_upload_bytes=64 * 1024)
    big = tmp_path / "big.po"
    big.write_bytes(b'msgid "x"\nmsgstr ""\n\n' * 20_000)
    with running_api(settings) as api:
        response = upload(api, api.new_key(), big, "es")
        assert response.status_code == 413


def test_errors_use_this_surfaces_field_names(api: Api) -> None:
    key = api.new_key()
    bad_target = upload(api, key, PO, "es,xx-notalocale")
    assert bad_target.status_code == 422
    assert bad_target.json()["field"] == "targetLocales[1]"
    assert "targetLocales[1]" in bad_target.json()["error"]
    bad_callback = upload(api, key, PO, "es", callbackUrl="http://example.com/hook")
    assert bad_callback.status_code == 400
    assert bad_callback.json()["field"] == "callbackUrl"
