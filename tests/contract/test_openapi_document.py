"""The OpenAPI document against the server, in the cases issue 9 item 7 found (the full
schemathesis run is tests/acceptance/test_schemathesis.py): each test here failed before."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from dragoman.settings import Settings
from tests.apptools import Api, running_api


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Any
) -> Iterator[tuple[Api, str]]:
    import shutil

    folder = tmp_path_factory.mktemp("openapi")
    shutil.copy(sqlite_template, folder / "dragoman.db")
    settings = Settings(
        data_dir=folder,
        database_url=f"sqlite:///{folder / 'dragoman.db'}",
        default_engine_provider="pseudo",
    )
    with running_api(settings, run_workers=False) as api:
        yield api, api.new_key()


@pytest.fixture(scope="module")
def document(served: tuple[Api, str]) -> dict[str, Any]:
    body: dict[str, Any] = served[0].client.get("/openapi.json").json()
    return body


def _query(document: dict[str, Any], path: str, name: str) -> dict[str, Any]:
    parameters = document["paths"][path]["get"]["parameters"]
    schema: dict[str, Any] = next(p for p in parameters if p["name"] == name)["schema"]
    return schema


def test_list_parameters_state_what_the_server_refuses(document: dict[str, Any]) -> None:
    assert _query(document, "/jobs/localization", "status")["enum"] == [
        "completed", "failed", "processing", "queued"
    ]  # fmt: skip
    limit = _query(document, "/jobs/localization", "limit")
    assert (limit["minimum"], limit["maximum"]) == (1, 100)


def test_bodies_state_their_constraints(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    request = schemas["LocalizationRequest"]["properties"]
    assert request["sourceLocale"]["minLength"] == 1
    assert request["targetLocales"]["minItems"] == 1
    assert request["callbackUrl"]["pattern"].startswith("^[Hh][Tt][Tt][Pp][Ss]://")
    assert schemas["EngineRequest"]["properties"]["provider"]["enum"] == [
        "apertium", "human", "identity", "pseudo"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("path", "method", "statuses", "error_model"),
    [
        ("/jobs/localization", "post", {"200", "202", "400", "401", "404", "413", "422", "429"},
         "ErrorBody"),
        ("/jobs/localization/groups/{groupId}", "get", {"200", "401", "404", "422", "429"},
         "ErrorBody"),
        ("/organization/settings", "put", {"200", "400", "401", "413", "422", "429"},
         "ErrorBody"),
        ("/v2/i18n/jobs", "post", {"201", "400", "401", "403", "404", "413", "422", "429"},
         "DetailBody"),
        ("/v2/i18n/jobs", "get", {"200", "401", "403", "404", "422", "429"}, "DetailBody"),
    ],
)  # fmt: skip
def test_error_statuses_are_documented_with_the_surface_error_body(
    document: dict[str, Any], path: str, method: str, statuses: set[str], error_model: str
) -> None:
    responses = document["paths"][path][method]["responses"]
    assert set(responses) == statuses
    for status in statuses - {"200", "201", "202"}:
        schema = responses[status]["content"]["application/json"]["schema"]
        assert schema == {"$ref": f"#/components/schemas/{error_model}"}
    assert "Retry-After" in responses["429"]["headers"]


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/jobs/localization", "GET, HEAD, POST"),
        ("/jobs/localization/files", "POST"),  # not the GET of /jobs/localization/{jobId}
        ("/v2/i18n/jobs/ljg_x", "DELETE, GET, HEAD"),
        ("/organization/settings", "GET, HEAD, PUT"),
    ],
)
def test_a_405_allows_every_documented_method(
    served: tuple[Api, str], path: str, allowed: str
) -> None:
    response = served[0].client.request("OPTIONS", path)
    assert response.status_code == 405
    assert response.headers["allow"] == allowed


def test_a_callback_url_with_an_unbalanced_bracket_is_a_400(served: tuple[Api, str]) -> None:
    api, key = served
    body = {"defaultCallbackUrl": "https://07]z"}
    response = api.client.put("/organization/settings", json=body, headers={"X-API-Key": key})
    assert response.status_code == 400
    assert response.json()["field"] == "defaultCallbackUrl"
    submit = {"sourceLocale": "en", "targetLocales": ["de"], "data": {"a": "b"},
              "callbackUrl": "https://[a"}  # fmt: skip
    assert api.post(key, submit).status_code == 400


def test_a_translateplus_page_past_64_bits_is_a_404(served: tuple[Api, str]) -> None:
    api, key = served
    response = api.client.get("/v2/i18n/jobs", params={"page": 10**22}, headers={"X-API-KEY": key})
    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page."}


def test_is_default_must_be_a_boolean(served: tuple[Api, str]) -> None:
    api, key = served
    body = {"name": "e", "provider": "pseudo", "isDefault": 0}
    response = api.client.post("/engines", json=body, headers={"X-API-Key": key})
    assert response.status_code == 422
    assert response.json()["field"] == "isDefault"
