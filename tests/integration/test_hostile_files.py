"""Hostile and broken uploads: each is a 4xx in under a second naming the problem, memory
stays bounded, and other jobs are unaffected (real server on 127.0.0.1, real SQLite)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import psutil
import pytest

from dragoman.settings import Settings
from tests.apptools import Api, running_api

LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + "]>\n"
)
ALIASES = (
    "a: &a ["
    + ",".join(["x"] * 10)
    + "]\n"
    + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 10) + "]\n"
        for i in range(8)
    )
)

CASES: dict[str, tuple[str, bytes, str]] = {
    # name: (filename, content, a word the error must contain)
    "yaml alias bomb": ("en.yml", ALIASES.encode(), "alias"),
    "xml entity expansion (android)": (
        "strings.xml",
        (LAUGHS + '<resources><string name="a">&lol9;</string></resources>\n').encode(),
        "entit",
    ),
    "xml entity expansion (xliff)": (
        "messages.xlf",
        (
            LAUGHS + '<xliff version="1.2"><file source-language="en"><body>'
            '<trans-unit id="1"><source>&lol9;</source></trans-unit></body></file></xliff>\n'
        ).encode(),
        "entit",
    ),
    "external entity": (
        "strings.xml",
        b'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        b'<resources><string name="a">&x;</string></resources>\n',
        "entit",
    ),
    "dtd fetch": (
        "messages.xlf",
        b'<?xml version="1.0"?>\n<!DOCTYPE xliff SYSTEM "http://127.0.0.1:9/x.dtd">\n'
        b'<xliff version="1.2"><file source-language="en"><body/></file></xliff>\n',
        "dtd",
    ),
    "deeply nested json": ("en.json", b'{"a":' * 100_000 + b'"x"' + b"}" * 100_000, "deep"),
    "millions of keys": (
        "en.json",
        b"{" + b",".join(b'"k%d":"v"' % i for i in range(1_500_000)) + b"}",
        "limit",
    ),
    "invalid encoding": ("en.yml", b"en:\n  hello: \xff\xfe caf\xe9\n", "utf"),
    "binary junk": ("messages.po", bytes(range(256)) * 64, "binary"),
    "extension and content disagree": (
        "en.json",
        b'<?xml version="1.0"?>\n<resources><string name="a">Hi</string></resources>\n',
        "json",
    ),
}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, sqlite_template: object) -> Iterator[Api]:
    import shutil

    tmp = tmp_path_factory.mktemp("hostile")
    shutil.copy(str(sqlite_template), tmp / "dragoman.db")
    settings = Settings(
        data_dir=tmp,
        database_url=f"sqlite:///{tmp / 'dragoman.db'}",
        default_engine_provider="pseudo",
        max_upload_bytes=20 * 1024 * 1024,
    )
    with running_api(settings) as running:
        yield running


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_upload_is_refused_fast_and_bounded(api: Api, case: str) -> None:
    filename, content, word = CASES[case]
    key = api.new_key()
    process = psutil.Process()
    before = process.memory_info().rss
    healthy = api.post(key, {"sourceLocale": "en", "targetLocales": ["es"], "data": {"t": "Hi"}})
    assert healthy.status_code == 202
    start = time.perf_counter()
    response = api.client.post(
        "/jobs/localization/files",
        headers={"X-API-Key": key},
        files={"file": (filename, content)},
        data={"sourceLocale": "en", "targetLocales": "es"},
    )
    elapsed = time.perf_counter() - start
    assert 400 <= response.status_code < 500, response.text
    message = response.json()["error"]
    assert word in message.lower(), message
    assert elapsed < 1.0, f"{case}: {elapsed:.2f} s"
    grown = process.memory_info().rss - before
    assert grown < 256 * 1024 * 1024, f"{case}: RSS grew {grown / 2**20:.0f} MB"
    group = api.wait_group(key, healthy.json()["groupId"], timeout=10)
    assert group["status"] == "completed"
    assert api.client.get("/healthz").status_code == 200


def test_a_line_number_is_named_where_there_is_one(api: Api) -> None:
    key = api.new_key()
    response = api.client.post(
        "/jobs/localization/files",
        headers={"X-API-Key": key},
        files={"file": ("en.yml", b"en:\n  a: ok\n  b: [unclosed\n  c: fine\n")},
        data={"sourceLocale": "en", "targetLocales": "es"},
    )
    assert response.status_code == 422
    assert "line" in response.json()["error"]
