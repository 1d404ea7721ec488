"""The native translation-memory API end to end on a live server, SQLite and PostgreSQL:
TMX upload then exact and fuzzy search, PO and XLIFF import, export equal to the CLI's,
deletion, isolation between organizations, bad files and the upload limit."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dragoman.cli import app as cli_app
from dragoman.core import orgs
from dragoman.core.assets import tmx
from dragoman.core.assets.tm import new_entry
from dragoman.core.assets.tm_index.base import Origin, Pair
from dragoman.core.assets.tm_service import TmService
from dragoman.settings import Settings
from dragoman.store.db import Database
from tests.apptools import Api, running_api

TMX = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE tmx SYSTEM "tmx14.dtd">
<tmx version="1.4"><header srclang="en-US" creationtool="t" segtype="sentence"
 o-tmf="t" adminlang="en" datatype="plaintext"/><body>
<tu creationdate="20240101T100000Z"><tuv xml:lang="en-US"><seg>Close the window</seg></tuv>
<tuv xml:lang="es-ES"><seg>Cierre la ventana</seg></tuv></tu>
<tu creationdate="20240102T100000Z"><tuv xml:lang="en-US"><seg>Save the file</seg></tuv>
<tuv xml:lang="es-ES"><seg>Guarde el archivo</seg></tuv></tu>
<tu creationdate="20240103T100000Z"><tuv xml:lang="en-US"><seg>Open <ph x="1">{name}</ph></seg>
</tuv><tuv xml:lang="es-ES"><seg>Abrir <ph x="1">{name}</ph></seg></tuv></tu>
<tu><tuv xml:lang="en-US"><seg>Close the window</seg></tuv>
<tuv xml:lang="es-ES"><seg>Cierre la ventana</seg></tuv></tu>
</body></tmx>
"""
PO = """msgid ""
msgstr ""
"Language: es\\n"
"Content-Type: text/plain; charset=UTF-8\\n"

msgid "Print the page"
msgstr "Imprima la página"

msgid "Untranslated"
msgstr ""
"""
XLIFF = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
<file source-language="en" target-language="fr" datatype="plaintext" original="ui">
<body><trans-unit id="greeting"><source>Good morning</source><target>Bonjour</target>
</trans-unit></body></file></xliff>
"""
MAX_REQUEST = 64 * 1024
MAX_UPLOAD = 1024 * 1024


@pytest.fixture
def api(database_url: str, settings_factory: Callable[..., Settings]) -> Iterator[Api]:
    """SQLite, and PostgreSQL when reachable; requests are small, uploads may be larger."""
    settings = settings_factory(
        database_url, max_request_bytes=MAX_REQUEST, max_upload_bytes=MAX_UPLOAD
    )
    with running_api(settings, run_workers=False) as running:
        yield running


def _upload(api: Api, key: str, name: str, text: str | bytes, **fields: str) -> Any:
    data = text.encode() if isinstance(text, str) else text
    return api.client.post(
        "/tm/import", files={"file": (name, data)}, data=fields, headers={"X-API-Key": key}
    )


def _entries(api: Api, key: str, **params: Any) -> dict[str, Any]:
    answer = api.client.get("/tm/entries", params=params, headers={"X-API-Key": key})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_tmx_upload_then_exact_and_fuzzy_search(api: Api) -> None:
    key = api.new_key()
    done = _upload(api, key, "memory.tmx", TMX)
    assert done.status_code == 200, done.text
    assert done.json() == {
        "read": 4, "added": 3, "skipped": 1,  # the repeated unit adds nothing
        "pairs": [{"sourceLocale": "en-US", "targetLocale": "es-ES", "added": 3}],
    }  # fmt: skip

    listing = _entries(api, key, pair="en-US:es-ES")
    assert listing["total"] == 3 and listing["limit"] == 100 and listing["offset"] == 0
    newest_first = ["Open {name}", "Save the file", "Close the window"]
    assert [e["source"] for e in listing["items"]] == newest_first
    first = listing["items"][0]
    assert first["target"] == "Abrir {name}" and first["origin"] == "import"
    assert first["createdAt"] == "2024-01-03T10:00:00.000Z" and first["lastUsedAt"] is None
    assert "score" not in first and first["key"] is None
    page = _entries(api, key, pair="en-US:es-ES", limit=1, offset=1)
    assert page["total"] == 3 and [e["source"] for e in page["items"]] == ["Save the file"]
    assert _entries(api, key, pair="en-fr")["total"] == 0

    exact = _entries(api, key, q="Close the window")["items"]
    assert (exact[0]["source"], exact[0]["score"]) == ("Close the window", 100)
    placeholder = _entries(api, key, pair="en-US:es-ES", q="Open {file}")["items"]
    assert (placeholder[0]["source"], placeholder[0]["score"]) == ("Open {name}", 99)

    fuzzy = _entries(api, key, pair="en-US:es-ES", q="Close the windows now")
    assert fuzzy["total"] >= 1
    best = fuzzy["items"][0]
    assert best["source"] == "Close the window" and 50 <= best["score"] < 100
    assert all(e["source"] != "Save the file" for e in fuzzy["items"])
    # A word found in a target only: there, with a low score.
    contained = _entries(api, key, q="archivo")["items"]
    assert [e["target"] for e in contained] == ["Guarde el archivo"]
    assert contained[0]["score"] < 50
    assert _entries(api, key, q="nothing like this at all")["total"] == 0


def test_po_needs_a_pair_and_xliff_names_its_own(api: Api) -> None:
    key = api.new_key()
    missing = _upload(api, key, "es.po", PO)
    assert missing.status_code == 422 and missing.json()["field"] == "pair"
    done = _upload(api, key, "es.po", PO, pair="en-es")
    assert done.status_code == 200, done.text
    assert done.json() == {
        "read": 2, "added": 1, "skipped": 1,
        "pairs": [{"sourceLocale": "en", "targetLocale": "es", "added": 1}],
    }  # fmt: skip
    entry = _entries(api, key, pair="en-es")["items"][0]
    assert (entry["source"], entry["target"]) == ("Print the page", "Imprima la página")
    assert entry["key"] == "Print the page"  # the unit's id is its context key

    done = _upload(api, key, "ui.xliff", XLIFF)
    assert done.status_code == 200, done.text
    assert done.json()["pairs"] == [{"sourceLocale": "en", "targetLocale": "fr", "added": 1}]
    assert _entries(api, key, q="Good morning")["items"][0]["target"] == "Bonjour"
    # a TMX with `pair` keeps the variants of those two languages, under its tags
    done = _upload(api, key, "memory.tmx", TMX, pair="en-es")
    assert done.json()["pairs"] == [{"sourceLocale": "en", "targetLocale": "es", "added": 3}]
    assert _entries(api, key, pair="en-es")["total"] == 4


def test_export_equals_the_cli_export_and_round_trips(
    api: Api, database_url: str, tmp_path: Path
) -> None:
    org = f"tm-export-{tmp_path.name}"
    key = api.new_key(org)
    assert _upload(api, key, "memory.tmx", TMX, pair="en-es").status_code == 200
    assert _upload(api, key, "es.po", PO, pair="en-es").status_code == 200
    exported = api.client.get("/tm/export", params={"pair": "en-es"}, headers={"X-API-Key": key})
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-type"].startswith("application/x-tmx+xml")
    assert 'filename="tm-en-es.tmx"' in exported.headers["content-disposition"]

    out = tmp_path / "cli.tmx"
    env = {"DRAGOMAN_DATABASE_URL": database_url, "DRAGOMAN_DATA_DIR": str(tmp_path)}
    args = ["tm", "export", str(out), "--org", org, "--pair", "en-es"]
    result = CliRunner().invoke(cli_app, args, env=env)
    assert result.exit_code == 0, result.output
    assert exported.content == out.read_bytes()
    units = list(tmx.read(str(out)))
    assert sorted(u.variants["es"] for u in units) == [
        "Abrir {name}", "Cierre la ventana", "Guarde el archivo", "Imprima la página",
    ]  # fmt: skip

    # The export imports into another organization whole, and exports back the same.
    other = api.new_key()
    again = _upload(api, other, "back.tmx", exported.content)
    assert again.json()["added"] == 4
    second = api.client.get("/tm/export", params={"pair": "en-es"}, headers={"X-API-Key": other})
    assert [(u.variants, u.props) for u in tmx.read(str(out))] == [
        (u.variants, u.props) for u in _units(tmp_path / "second.tmx", second.content)
    ]
    empty = api.client.get("/tm/export", params={"pair": "de-fr"}, headers={"X-API-Key": key})
    assert empty.status_code == 200 and list(_units(tmp_path / "empty.tmx", empty.content)) == []


def _units(path: Path, data: bytes) -> list[tmx.TmxUnit]:
    path.write_bytes(data)
    return list(tmx.read(str(path)))


def test_delete_and_isolation_between_organizations(api: Api) -> None:
    mine, theirs = api.new_key(), api.new_key()
    assert _upload(api, mine, "memory.tmx", TMX).status_code == 200
    entry = _entries(api, mine, q="Save the file")["items"][0]
    assert entry["source"] == "Save the file"

    # Invisible to another organization, in listing and search; its delete is a 404.
    assert _entries(api, theirs)["total"] == 0
    assert _entries(api, theirs, q="Save the file")["items"] == []
    gone = api.client.delete(f"/tm/entries/{entry['id']}", headers={"X-API-Key": theirs})
    assert gone.status_code == 404 and gone.json()["statusCode"] == 404
    assert _entries(api, mine)["total"] == 3

    deleted = api.client.delete(f"/tm/entries/{entry['id']}", headers={"X-API-Key": mine})
    assert deleted.status_code == 204
    assert _entries(api, mine)["total"] == 2
    assert all(e["id"] != entry["id"] for e in _entries(api, mine, q="Save the file")["items"])
    again = api.client.delete(f"/tm/entries/{entry['id']}", headers={"X-API-Key": mine})
    assert again.status_code == 404
    assert api.client.get("/tm/entries").status_code == 401


def test_bad_files_and_requests_are_4xx_naming_the_problem(api: Api) -> None:
    key = api.new_key()
    broken = _upload(api, key, "bad.tmx", "<tmx version='1.4'>\n<body>\n<tu></body></tmx>")
    assert broken.status_code == 422 and broken.json()["field"] == "file"
    assert "not well-formed TMX" in broken.json()["error"] and "(line 3)" in broken.json()["error"]
    entities = _upload(
        api, key, "bomb.tmx",
        '<?xml version="1.0"?><!DOCTYPE tmx [<!ENTITY a "aaaaaaaaaa">]>'
        '<tmx version="1.4"><header srclang="en"/><body><tu><tuv xml:lang="en"><seg>&a;</seg>'
        '</tuv><tuv xml:lang="es"><seg>b</seg></tuv></tu></body></tmx>',
    )  # fmt: skip
    assert entities.status_code == 422 and "entities" in entities.json()["error"]
    assert entities.json()["field"] == "file"
    not_tmx = _upload(api, key, "x.tmx", "<html><body/></html>")
    assert not_tmx.status_code == 422 and "<tmx>" in not_tmx.json()["error"]
    no_srclang = _upload(api, key, "x.tmx", '<tmx version="1.4"><body><tu/></body></tmx>')
    assert no_srclang.status_code == 422 and "srclang" in no_srclang.json()["error"]
    monolingual = _upload(api, key, "strings.json", '{"a": "b"}', pair="en-es")
    assert monolingual.status_code == 422 and monolingual.json()["field"] == "file"
    unknown = _upload(api, key, "notes.xyz", "hello", pair="en-es")
    assert unknown.status_code == 422 and unknown.json()["field"] == "file"
    bad_pair = _upload(api, key, "es.po", PO, pair="en-zz-nowhere-really")
    assert bad_pair.status_code == 422 and bad_pair.json()["field"] == "pair"
    no_file = api.client.post(
        "/tm/import", files={"other": ("a.tmx", b"x")}, headers={"X-API-Key": key}
    )
    assert no_file.status_code == 422 and no_file.json()["field"] == "file"
    assert _entries(api, key)["total"] == 0  # nothing of the refused files was stored

    headers = {"X-API-Key": key}
    assert api.client.get("/tm/export", headers=headers).json()["field"] == "pair"
    listing = api.client.get("/tm/entries", params={"pair": "english-nowhere"}, headers=headers)
    assert listing.status_code == 422 and listing.json()["field"] == "pair"
    nul = api.client.get("/tm/entries", params={"q": "a\x00b"}, headers=headers)
    assert nul.status_code == 422 and nul.json()["field"] == "q"
    assert api.client.delete("/tm/entries/0", headers=headers).status_code == 422


def test_uploads_up_to_the_upload_limit(api: Api) -> None:
    """An import may be larger than other requests (the upload limit applies), not larger."""
    key = api.new_key()
    units = "".join(
        f'<tu><tuv xml:lang="en"><seg>Sentence number {i} of the big file</seg></tuv>'
        f'<tuv xml:lang="es"><seg>Frase número {i} del archivo grande</seg></tuv></tu>\n'
        for i in range(2000)
    )
    big = f'<tmx version="1.4"><header srclang="en"/><body>\n{units}</body></tmx>'
    assert MAX_REQUEST < len(big.encode()) < MAX_UPLOAD
    done = _upload(api, key, "big.tmx", big)
    assert done.status_code == 200, done.text
    assert done.json()["added"] == 2000
    found = _entries(api, key, pair="en-es", q="Sentence number 1234 of the big file")
    assert found["items"][0]["target"] == "Frase número 1234 del archivo grande"
    assert found["items"][0]["score"] == 100
    huge = _upload(api, key, "huge.tmx", big * 5)
    assert huge.status_code == 413


def test_an_export_left_unread_stops_its_writer(sqlite_url: str, tmp_path: Path) -> None:
    """A client that goes away mid-download: closing the chunks ends the exporting thread."""
    db = Database(sqlite_url)
    try:
        with db.write() as conn:
            org_id = orgs.get_or_create_org(conn, "exporter").id
        service = TmService(Settings(data_dir=tmp_path, database_url=sqlite_url), db)
        pair = Pair("en", "es")
        entries = (new_entry(f"Line {i}", f"Línea {i}", origin=Origin.IMPORT) for i in range(8000))
        assert service.memory().add(org_id, pair, entries) == 8000
        chunks = service.export_chunks(org_id, pair)
        assert next(chunks).startswith(b'<?xml version="1.0"')
        assert _exporting()  # blocked: it holds more chunks than the pipe takes
        chunks.close()
        deadline = time.monotonic() + 5
        while _exporting() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _exporting()
        whole = b"".join(service.export_chunks(org_id, pair))
        assert whole.count(b"</tu>") == 8000 and whole.endswith(b"</tmx>\n")
    finally:
        db.dispose()


def _exporting() -> bool:
    return any(t.name == "dragoman-tm-export" for t in threading.enumerate())
