"""`POST /jobs/estimate` and `/jobs/estimate/files` on a real server (SQLite and PostgreSQL):
bands from the organization's TM (filled through the TM library), never another's, the
organization's rate card, and 4xx naming the field at fault."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from dragoman.core import orgs
from dragoman.core.assets.tm import TranslationMemory, new_entry, pair_of
from dragoman.core.assets.tm_index import for_database
from dragoman.core.assets.tm_index.base import Origin
from dragoman.core.rate_cards import set_rate_card
from dragoman.settings import Settings
from tests.apptools import Api, running_api

DATA = {
    "menu": {"save": "Save the file", "open": "Open the file"},
    "toolbar": {"save": "Save the file"},
    "intro": "Welcome to the application, dear user",
    "again": "Welcome to the application, dear user",
    "count": 12,
}
MARKDOWN = b"# Save the file\n\nWelcome to the application, dear user. *Open* the file.\n"


@pytest.fixture
def api(database_url: str, settings_factory: Callable[..., Settings]) -> Iterator[Api]:
    with running_api(settings_factory(database_url), run_workers=False) as running:
        yield running


def org_with_key(api: Api, name: str) -> tuple[str, str]:
    with api.services.db.write() as conn:
        org = orgs.get_or_create_org(conn, name)
        return org.id, orgs.create_key(conn, org.id)


def fill_tm(api: Api, org_id: str) -> None:
    tm = TranslationMemory(for_database(api.services.db))
    tm.add(
        org_id,
        pair_of("en", "es"),
        [
            new_entry(
                "Save the file", "Guarda el archivo", origin=Origin.HUMAN, key="data.menu.save"
            ),
            new_entry("Open the file", "Abre el archivo", origin=Origin.IMPORT),
        ],
    )


def estimate(api: Api, key: str, body: dict[str, Any]) -> Any:
    return api.client.post("/jobs/estimate", json=body, headers={"X-API-Key": key})


def bands(target: dict[str, Any]) -> dict[str, int]:
    return {band: c["segments"] for band, c in target["bands"].items() if c["segments"]}


def test_json_estimate_uses_the_orgs_tm_and_rate_card(api: Api) -> None:
    org_id, key = org_with_key(api, "acme")
    fill_tm(api, org_id)
    with api.services.db.write() as conn:
        set_rate_card(
            conn, org_id, service_level="standard", source_locale="en", target_locale="es",
            currency="USD", rate_per_word="0.20", minimum_charge="1", vat_rate="0.2",
            discount="0.1",
        )  # fmt: skip
    response = estimate(
        api, key, {"sourceLocale": "en", "targetLocales": ["es", "fr"], "data": DATA}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["format"] == "structured" and body["serviceLevel"] == "standard"
    es, fr = body["targets"]
    assert es["targetLocale"] == "es"
    assert bands(es) == {"IN_CONTEXT_EXACT": 1, "EXACT": 2, "NO_MATCH": 1, "REPETITION": 1}
    assert es["total"] == {"segments": 5, "words": 21, "characters": 97, "whiteSpaces": 16}
    assert es["machine"]["words"] == 6 and es["machine"]["available"] is True
    # 6 + 6 x 0.25 + 3 x 0.1 + 6 x 0.25 = 9.3 weighted words at 0.20: 1.86
    assert es["price"] == {
        "currencyCode": "USD",
        "totalWoVatWoDiscount": 1.86,
        "totalWoVatWDiscount": 1.67,
        "totalWVatWoDiscount": 2.23,
        "totalWVatWDiscount": 2.0,
    }
    assert es["rateCard"]["default"] is False
    assert bands(fr) == {"NO_MATCH": 3, "REPETITION": 2}  # no fr TM, the default card
    assert fr["rateCard"]["default"] is True and fr["price"]["currencyCode"] == "EUR"


def test_another_orgs_tm_and_cards_are_not_used(api: Api) -> None:
    acme, _ = org_with_key(api, "acme")
    fill_tm(api, acme)
    with api.services.db.write() as conn:
        set_rate_card(
            conn, acme, service_level="*", source_locale="*", target_locale="*",
            currency="GBP", rate_per_word="1",
        )  # fmt: skip
    _, other = org_with_key(api, "other")
    response = estimate(api, other, {"sourceLocale": "en", "targetLocales": ["es"], "data": DATA})
    assert response.status_code == 200, response.text
    (es,) = response.json()["targets"]
    assert bands(es) == {"NO_MATCH": 3, "REPETITION": 2}
    assert es["price"]["currencyCode"] == "EUR"


def test_file_estimate_for_a_document_and_a_resource_file(api: Api) -> None:
    org_id, key = org_with_key(api, "acme")
    fill_tm(api, org_id)
    response = api.client.post(
        "/jobs/estimate/files",
        headers={"X-API-Key": key},
        files={"file": ("guide.md", MARKDOWN)},
        data={"sourceLocale": "auto", "targetLocales": "es", "serviceLevel": "premium"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["format"] == "markdown" and body["filename"] == "guide.md"
    assert body["sourceLocale"] == "en" and body["serviceLevel"] == "premium"
    (es,) = body["targets"]
    # The heading is a 100% match; the paragraph's two sentences: new, and "Open the file."
    assert es["bands"]["EXACT"]["segments"] == 1
    assert es["total"]["segments"] == 3
    assert es["total"]["words"] == 12  # emphasis markers are not words

    po = b'msgid ""\nmsgstr ""\n"Language: es\\n"\n\nmsgid "Open the file"\nmsgstr ""\n'
    response = api.client.post(
        "/jobs/estimate/files",
        headers={"X-API-Key": key},
        files={"file": ("messages.po", po)},
        data={"sourceLocale": "en", "targetLocales": "es"},
    )
    assert response.status_code == 200, response.text
    assert bands(response.json()["targets"][0]) == {"EXACT": 1}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"targetLocales": ["es"], "data": DATA}, "sourceLocale"),
        ({"sourceLocale": "en", "data": DATA}, "targetLocales"),
        ({"sourceLocale": "en", "targetLocales": ["en"], "data": DATA}, "targetLocales[0]"),
        ({"sourceLocale": "en", "targetLocales": ["xx-!!"], "data": DATA}, "targetLocales[0]"),
        ({"sourceLocale": "nope!", "targetLocales": ["es"], "data": DATA}, "sourceLocale"),
        ({"sourceLocale": "en", "targetLocales": ["es"], "data": [1]}, "data"),
        ({"sourceLocale": "en", "targetLocales": ["es"], "data": DATA, "serviceLevel": " "},
         "serviceLevel"),
    ],
)  # fmt: skip
def test_bad_json_input_is_a_422_naming_the_field(
    api: Api, body: dict[str, Any], field: str
) -> None:
    _, key = org_with_key(api, "acme")
    response = estimate(api, key, body)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field


def test_unknown_engine_is_404_and_no_key_401(api: Api) -> None:
    _, key = org_with_key(api, "acme")
    body = {"sourceLocale": "en", "targetLocales": ["es"], "data": DATA, "engineId": "eng_x"}
    assert estimate(api, key, body).status_code == 404
    assert api.client.post("/jobs/estimate", json=body).status_code == 401


@pytest.mark.parametrize(
    ("name", "content", "fields", "field"),
    [
        ("a.json", b"{}", {"sourceLocale": "en"}, "targetLocales"),
        ("a.exe", b"MZ", {"sourceLocale": "en", "targetLocales": "es"}, "format"),
        ("a.json", b"{not json", {"sourceLocale": "en", "targetLocales": "es"}, None),
        ("a.json", b'{"n": 1}', {"sourceLocale": "en", "targetLocales": "es"}, "file"),
        ("a.json", b'{"a": "Hi"}', {"sourceLocale": "en", "targetLocales": "es,en"},
         "targetLocales[1]"),
    ],
)  # fmt: skip
def test_bad_uploads_are_4xx(
    api: Api, name: str, content: bytes, fields: dict[str, str], field: str | None
) -> None:
    _, key = org_with_key(api, "acme")
    response = api.client.post(
        "/jobs/estimate/files",
        headers={"X-API-Key": key},
        files={"file": (name, content)},
        data=fields,
    )
    assert 400 <= response.status_code < 500, response.text
    if field is not None:
        assert response.json()["field"] == field
    missing = api.client.post(
        "/jobs/estimate/files", headers={"X-API-Key": key}, data={"sourceLocale": "en"}
    )
    assert missing.status_code == 422


def test_a_target_listed_twice_is_a_422(api: Api) -> None:
    _, key = org_with_key(api, "acme")
    body = {"sourceLocale": "en", "targetLocales": ["fr", "FR"], "data": DATA}
    response = estimate(api, key, body)
    assert response.status_code == 422
    assert response.json()["field"] == "targetLocales[1]"
