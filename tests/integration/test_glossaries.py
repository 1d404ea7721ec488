"""Glossaries end to end: the CLI against the database (CSV and TBX round trips), the native
API (CRUD, import/export, isolation between organizations) and a real Apertium job that keeps
do-not-translate terms and places required target terms."""

from __future__ import annotations

import csv
import io
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from dragoman.cli import app as cli_app
from dragoman.core import orgs
from dragoman.settings import Settings
from dragoman.store.db import Database
from tests.apptools import Api, running_api

CSV_TEXT = (
    "\ufeffsource_term,target_term,case_sensitive,do_not_translate,part_of_speech,note\r\n"
    'file,archivo,false,false,noun,"a document, on disk"\r\n'
    "Dragoman,,true,true,properNoun,our product\r\n"
    "file manager,gestor de archivos,,,noun,\r\n"
)
TBX_TEXT = """<?xml version="1.0" encoding="UTF-8"?>
<martif type="TBX-Basic" xml:lang="en">
  <martifHeader><fileDesc><sourceDesc><p>test</p></sourceDesc></fileDesc></martifHeader>
  <text><body>
    <termEntry id="t1">
      <descrip type="definition">to keep data</descrip>
      <langSet xml:lang="en"><tig><term>save</term>
        <termNote type="partOfSpeech">verb</termNote></tig></langSet>
      <langSet xml:lang="es"><tig><term>guardar</term></tig></langSet>
    </termEntry>
    <termEntry id="t2">
      <langSet xml:lang="en-US"><tig><term>Apple</term>
        <termNote type="x-doNotTranslate">true</termNote>
        <termNote type="x-caseSensitive">true</termNote></tig></langSet>
    </termEntry>
    <termEntry id="t3">
      <langSet xml:lang="en"><tig><term>folder</term></tig></langSet>
      <langSet xml:lang="fr"><tig><term>dossier</term></tig></langSet>
    </termEntry>
  </body></text>
</martif>
"""


@pytest.fixture
def cli(sqlite_url: str, tmp_path: Path) -> Callable[..., str]:
    """Runs `dragoman ...` in-process against the test database; returns its stdout."""
    db = Database(sqlite_url)
    with db.write() as conn:
        for name in ("acme", "other"):
            orgs.get_or_create_org(conn, name)
    db.dispose()
    env = {"DRAGOMAN_DATABASE_URL": sqlite_url, "DRAGOMAN_DATA_DIR": str(tmp_path)}

    def run(*args: str, code: int = 0) -> str:
        result = CliRunner().invoke(cli_app, list(args), env=env)
        assert result.exit_code == code, (result.output, result.exception)
        return result.output

    return run


def test_cli_imports_csv_and_tbx_and_exports_round_trip(cli: Callable[..., str], tmp_path: Path):
    source = tmp_path / "terms.csv"
    source.write_text(CSV_TEXT, encoding="utf-8")
    assert "3 new terms, 0 updated" in cli("glossary", "import", str(source), "--org", "acme",
                                           "--pair", "en-es")  # fmt: skip
    tbx = tmp_path / "terms.tbx"
    tbx.write_text(TBX_TEXT, encoding="utf-8")
    out = cli("glossary", "import", str(tbx), "--org", "acme", "--pair", "en-es")
    assert "2 new terms, 0 updated, 1 entries without a es term skipped" in out

    listing = cli("glossary", "list", "--org", "acme", "--pair", "en-es")
    assert "Apple\tApple  [do not translate, case sensitive]" in listing
    assert "Dragoman\tDragoman  [do not translate, case sensitive]" in listing
    assert "file\tarchivo\n" in listing and "save\tguardar\n" in listing

    exported = tmp_path / "out.csv"
    cli("glossary", "export", str(exported), "--org", "acme", "--pair", "en-es")
    rows = list(csv.DictReader(io.StringIO(exported.read_text(encoding="utf-8"))))
    by_source = {r["source_term"]: r for r in rows}
    assert list(by_source) == sorted(by_source)
    assert by_source["file"] == {
        "source_term": "file", "target_term": "archivo", "case_sensitive": "false",
        "do_not_translate": "false", "part_of_speech": "noun", "note": "a document, on disk",
    }  # fmt: skip
    assert by_source["save"]["note"] == "to keep data"
    assert by_source["save"]["part_of_speech"] == "verb"

    # CSV and TBX exports read back into another organization give the same glossary.
    exported_tbx = tmp_path / "out.tbx"
    cli("glossary", "export", str(exported_tbx), "--org", "acme", "--pair", "en-es")
    assert etree.fromstring(exported_tbx.read_bytes()).tag == "martif"
    cli("glossary", "import", str(exported_tbx), "--org", "other", "--pair", "en-es")
    again = tmp_path / "again.csv"
    cli("glossary", "export", str(again), "--org", "other", "--pair", "en-es")
    assert again.read_bytes() == exported.read_bytes()

    # A second import updates rather than duplicates.
    assert "0 new terms, 5 updated" in cli("glossary", "import", str(exported), "--org", "acme",
                                           "--pair", "en-es")  # fmt: skip


def test_cli_refuses_bad_files_with_the_line_at_fault(cli: Callable[..., str], tmp_path: Path):
    bad = tmp_path / "bad.csv"
    bad.write_text("source,target,do_not_translate\nfile,archivo,maybe\n", encoding="utf-8")
    out = cli("glossary", "import", str(bad), "--org", "acme", "--pair", "en-es", code=2)
    assert "do_not_translate must be true or false" in out and "line 2" in out
    empty = tmp_path / "empty.csv"
    empty.write_text("source,target\nfile,\n", encoding="utf-8")
    out = cli("glossary", "import", str(empty), "--org", "acme", "--pair", "en-es", code=2)
    assert "target_term of 'file' is empty" in out
    hostile = tmp_path / "x.tbx"
    hostile.write_text(
        '<?xml version="1.0"?><!DOCTYPE martif [<!ENTITY a "aaaa">]><martif>&a;</martif>'
    )
    out = cli("glossary", "import", str(hostile), "--org", "acme", "--pair", "en-es", code=2)
    assert "DTD" in out
    assert "no organization called 'nobody'" in cli(
        "glossary", "list", "--org", "nobody", "--pair", "en-es", code=2
    )


@pytest.fixture
def api(database_url: str, settings_factory: Callable[..., Settings]) -> Iterator[Api]:
    """SQLite, and PostgreSQL when reachable."""
    with running_api(settings_factory(database_url), run_workers=False) as running:
        yield running


def test_api_crud_import_export_and_isolation(api: Api) -> None:
    key, stranger = api.new_key("glossary-a"), api.new_key("glossary-b")
    headers = {"X-API-Key": key}
    made = api.client.post(
        "/glossaries/en-es/terms",
        json={"sourceTerm": "file", "targetTerm": "archivo", "partOfSpeech": "noun"},
        headers=headers,
    )
    assert made.status_code == 201, made.text
    term = made.json()
    assert term["sourceTerm"] == "file" and term["targetLocale"] == "es"
    again = api.client.post(
        "/glossaries/en-es/terms", json={"sourceTerm": "file", "targetTerm": "x"}, headers=headers
    )
    assert again.status_code == 409 and again.json()["field"] == "sourceTerm"
    missing = api.client.post("/glossaries/en-es/terms", json={"sourceTerm": "x"}, headers=headers)
    assert missing.status_code == 422 and missing.json()["field"] == "targetTerm"
    bad_pair = api.client.get("/glossaries/english-nowhere/terms", headers=headers)
    assert bad_pair.status_code == 422 and bad_pair.json()["field"] == "pair"

    upload = api.client.post(
        "/glossaries/en-es/import",
        files={"file": ("terms.tbx", TBX_TEXT.encode(), "application/xml")},
        headers=headers,
    )
    assert upload.json() == {"created": 2, "updated": 0, "skipped": 1}
    page = api.client.get("/glossaries/en-es/terms", params={"limit": 2}, headers=headers).json()
    assert page["total"] == 3 and [t["sourceTerm"] for t in page["items"]] == ["Apple", "file"]
    rest = api.client.get(
        "/glossaries/en-es/terms", params={"limit": 2, "offset": 2}, headers=headers
    ).json()
    assert [t["sourceTerm"] for t in rest["items"]] == ["save"]

    exported = api.client.get("/glossaries/en-es/export", params={"format": "csv"}, headers=headers)
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.text.splitlines()[1:] == [
        "Apple,Apple,true,true,,",
        "file,archivo,false,false,noun,",
        "save,guardar,false,false,verb,to keep data",
    ]
    tbx = api.client.get("/glossaries/en-es/export", params={"format": "tbx"}, headers=headers)
    assert b"<term>guardar</term>" in tbx.content

    # Another organization sees nothing and cannot delete: 404, and the term stays.
    theirs = {"X-API-Key": stranger}
    assert api.client.get("/glossaries/en-es/terms", headers=theirs).json()["total"] == 0
    gone = api.client.delete(f"/glossaries/en-es/terms/{term['id']}", headers=theirs)
    assert gone.status_code == 404
    assert (
        api.client.delete(f"/glossaries/en-fr/terms/{term['id']}", headers=headers).status_code
        == 404
    )
    assert (
        api.client.delete(f"/glossaries/en-es/terms/{term['id']}", headers=headers).status_code
        == 204
    )
    left = api.client.get("/glossaries/en-es/terms", headers=headers).json()
    assert [t["sourceTerm"] for t in left["items"]] == ["Apple", "save"]
    assert api.client.get("/glossaries/en-es/terms").status_code == 401


MODES = Path("/usr/share/apertium/modes")


@pytest.fixture
def apertium_api(sqlite_url: str, settings_factory: Callable[..., Settings]) -> Iterator[Api]:
    if shutil.which("apertium") is None or not (MODES / "eng-spa.mode").exists():
        if os.environ.get("CI"):
            pytest.fail("Apertium with eng-spa is required under CI (scripts/setup installs it)")
        pytest.skip("Apertium or its eng-spa pair is not installed")
    with running_api(settings_factory(sqlite_url, default_engine_provider="apertium")) as running:
        yield running


@pytest.mark.apertium
def test_apertium_job_keeps_and_places_glossary_terms(apertium_api: Api) -> None:
    api = apertium_api
    key = api.new_key()
    headers = {"X-API-Key": key}
    data = {
        "open": "Open the file in Windows with Dragoman on your Apple Mac.",
        "title": "File",
        "name": "file.txt",
        "plain": "Open the folder in Windows.",
    }
    # Without a glossary Apertium says "lima" for file and "Ventanas" for Windows.
    before = _translate(api, key, data)
    assert "Ventanas" in before["plain"] and "archivo" not in before["open"].lower()
    for term in (
        {"sourceTerm": "file", "targetTerm": "archivo"},
        {"sourceTerm": "Windows", "caseSensitive": True, "doNotTranslate": True},
        {"sourceTerm": "Dragoman", "doNotTranslate": True},
        {"sourceTerm": "Apple", "caseSensitive": True, "doNotTranslate": True},
    ):
        made = api.client.post("/glossaries/en-es/terms", json=term, headers=headers)
        assert made.status_code == 201, made.text
    job = _job(api, key, data)
    out = job["outputData"]
    assert "archivo" in out["open"] and "lima" not in out["open"]
    assert "Windows" in out["open"] and "Dragoman" in out["open"] and "Apple" in out["open"]
    assert out["title"] == "Archivo"
    assert "Windows" in out["plain"]
    # "file.txt" is not prose, so it is not translated: QA says the required term is missing.
    assert out["name"] == "file.txt"
    assert [(i["path"], i["term"]) for i in job["qaIssues"]] == [("data.name", "file")]


def _job(api: Api, key: str, data: dict[str, str]) -> dict[str, object]:
    created = api.post(key, {"sourceLocale": "en", "targetLocales": ["es"], "data": data}).json()
    group = api.wait_group(key, created["groupId"], timeout=60)
    assert group["status"] == "completed", group
    job: dict[str, object] = api.get(key, f"/jobs/localization/{group['jobs'][0]['id']}").json()
    return job


def _translate(api: Api, key: str, data: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = _job(api, key, data)["outputData"]  # type: ignore[assignment]
    return out
