"""The Lingo24 API over HTTP on 127.0.0.1: OAuth2 grants (client credentials, authorization
code through the page, refresh rotation and reuse), the project lifecycle on both path
styles in JSON and XML, illegal moves, deletes, 204 before analysis, pagination, other
organizations' ids (real server, real workers, the pseudo engine; SQLite and PostgreSQL)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from lxml import etree

from dragoman.core import oauth, orgs
from dragoman.settings import Settings
from tests.apptools import Api, running_api

PO = (
    b'msgid ""\nmsgstr ""\n"Language: en\\n"\n\nmsgid "Hello world"\nmsgstr ""\n\n'
    b'msgid "Save the file"\nmsgstr ""\n\nmsgid "Hello world"\nmsgctxt "again"\nmsgstr ""\n'
)
REDIRECT = "https://app.example/callback"


@pytest.fixture
def api(database_url: str, settings_factory: Callable[..., Settings]) -> Iterator[Api]:
    with running_api(settings_factory(database_url)) as running:
        yield running


def client(api: Api, org: str) -> tuple[str, str, str]:
    """(client id, secret, an API key) of a new organization."""
    with api.services.db.write() as conn:
        organization = orgs.get_or_create_org(conn, org)
        cid, secret = oauth.create_client(conn, organization.id, redirect_uris=[REDIRECT])
        key = orgs.create_key(conn, organization.id)
    return cid, secret, key


def tokens(api: Api, cid: str, secret: str, **fields: str) -> httpx.Response:
    return api.client.post(
        "/oauth2/access", params={"client_id": cid, "client_secret": secret, **fields}
    )


def bearer(api: Api, org: str | None = None) -> dict[str, str]:
    cid, secret, _ = client(api, org or f"l24-{time.perf_counter_ns()}")
    got = tokens(api, cid, secret, grant_type="client_credentials")
    assert got.status_code == 200, got.text
    return {"Authorization": f"Bearer {got.json()['access_token']}"}


def test_authorization_code_refresh_rotation_and_reuse(api: Api) -> None:
    cid, secret, key = client(api, "l24-oauth")
    page = api.client.get(
        "/oauth2/authorize",
        params={"response_type": "code", "client_id": cid, "redirect_uri": REDIRECT, "state": "s1"},
    )
    assert page.status_code == 200 and page.headers["x-frame-options"] == "DENY"
    csrf = re.search(r"name='csrf' value='([^']+)'", page.text)
    assert csrf is not None
    form = {"client_id": cid, "redirect_uri": REDIRECT, "state": "s1", "decision": "approve",
            "api_key": key, "csrf": csrf.group(1)}  # fmt: skip
    forged = api.client.post("/oauth2/authorize", data={**form, "csrf": "x"})
    assert forged.status_code == 400
    wrong = api.client.get(
        "/oauth2/authorize", params={"client_id": cid, "redirect_uri": REDIRECT + "x"}
    )
    assert wrong.status_code == 400  # never redirected to an unregistered URI
    approved = api.client.post("/oauth2/authorize", data=form, follow_redirects=False)
    assert approved.status_code == 302
    query = parse_qs(urlsplit(approved.headers["location"]).query)
    assert query["state"] == ["s1"]
    code = query["code"][0]
    first = tokens(api, cid, secret, grant_type="authorization_code", code=code,
                   redirect_uri=REDIRECT)  # fmt: skip
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] > 0 and body["refresh_token"]
    again = tokens(api, cid, secret, grant_type="authorization_code", code=code)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    # The code's reuse revoked what it issued.
    assert (
        api.client.get(
            "/project", headers={"Authorization": "Bearer " + body["access_token"]}
        ).status_code
        == 401
    )
    fresh = tokens(api, cid, secret, grant_type="client_credentials").json()
    rotated = tokens(api, cid, secret, grant_type="refresh_token",
                     refresh_token=fresh["refresh_token"]).json()  # fmt: skip
    assert rotated["refresh_token"] != fresh["refresh_token"]
    auth = {"Authorization": "Bearer " + rotated["access_token"]}
    assert api.client.get("/project", headers=auth).status_code == 200
    reused = tokens(api, cid, secret, grant_type="refresh_token",
                    refresh_token=fresh["refresh_token"])  # fmt: skip
    assert reused.status_code == 400
    assert api.client.get("/project", headers=auth).status_code == 401  # family revoked
    bad = tokens(api, cid, "dgs_wrong", grant_type="client_credentials")
    assert bad.status_code == 401


def test_expired_token_is_401(database_url: str, settings_factory: Callable[..., Settings]) -> None:
    with running_api(settings_factory(database_url, oauth_token_seconds=1)) as api:
        auth = bearer(api)
        assert api.client.get("/locale", headers=auth).status_code == 200
        time.sleep(1.2)
        got = api.client.get("/locale", headers=auth)
        assert got.status_code == 401 and "expired" in got.json()["message"]


def wait_job(api: Api, auth: dict[str, str], path: str, status: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while True:
        job: dict[str, Any] = api.client.get(path, headers=auth).json()
        if job["jobStatus"] == status:
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.1)


@pytest.mark.parametrize("prefix", ["", "/docs/v1"])
def test_lifecycle_both_path_styles(api: Api, prefix: str) -> None:
    auth = bearer(api)
    p = {
        "": ("/project", "/file", "/job"),
        "/docs/v1": ("/docs/v1/projects", "/docs/v1/files", "/docs/v1/jobs"),
    }[prefix]
    project = api.client.post(p[0], json={"name": "Site", "domainId": 1}, headers=auth).json()
    assert project["projectStatus"] == "CREATED" and isinstance(project["created"], int)
    file = api.client.post(p[1], json={"name": "app.po", "type": "SOURCE"}, headers=auth).json()
    assert file["type"] == "SOURCE"
    early = api.client.post(p[2], headers=auth, json={
        "projectId": project["id"], "sourceFileId": file["id"], "sourceLocale": "en",
        "targetLocale": "es", "serviceLevel": "MT"})  # fmt: skip
    assert early.status_code == 400 and "content" in early.json()["message"]
    put = api.client.put(f"{p[1]}/{file['id']}/content", content=PO, headers=auth)
    assert put.status_code == 200, put.text
    services = api.client.get("/service", headers=auth).json()
    made = api.client.post(p[2], headers=auth, json={
        "projectId": project["id"], "sourceFileId": file["id"], "sourceLocaleId": 1,
        "targetLocaleId": 2, "serviceId": services[0]["id"]})  # fmt: skip
    assert made.status_code == 200, made.text
    job = made.json()
    assert job["projectId"] == project["id"] and job["targetFileId"] is None
    quoted = wait_job(api, auth, f"{p[2]}/{job['id']}", "QUOTED")
    metrics = api.client.get(f"{p[2]}/{job['id']}/metrics", headers=auth).json()["values"]
    assert metrics["TOTAL"]["SEGMENTS"] == 3 and metrics["REPETITION"]["SEGMENTS"] == 1
    assert metrics["TOTAL"]["WORDS"] == 7
    price = api.client.get(f"{p[2]}/{job['id']}/price", headers=auth).json()
    assert price["currencyCode"] == "EUR" and price["totalWoVatWDiscount"] > 0
    illegal = api.client.put(f"{p[0]}/{project['id']}", json={"projectStatus": "FINISHED"},
                             headers=auth)  # fmt: skip
    assert illegal.status_code == 400 and "FINISHED" in illegal.json()["message"]
    saved = api.client.put(f"{p[0]}/{project['id']}", json={"projectStatus": "QUOTED"},
                           headers=auth).json()  # fmt: skip
    assert saved["projectStatus"] == "QUOTED"
    refused = api.client.post(p[2], headers=auth, json={
        "projectId": project["id"], "sourceFileId": file["id"], "sourceLocale": "en",
        "targetLocale": "ca", "serviceLevel": "MT"})  # fmt: skip
    assert refused.status_code == 400 and "QUOTED" in refused.json()["message"]
    started = api.client.put(f"{p[0]}/{project['id']}", json={"projectStatus": "IN_PROGRESS"},
                             headers=auth).json()  # fmt: skip
    assert started["projectStatus"] == "IN_PROGRESS"
    done = wait_job(api, auth, f"{p[2]}/{job['id']}", "TRANSLATED")
    assert quoted["sourceFileId"] == done["sourceFileId"] and done["targetFileId"]
    target = api.client.get(f"{p[1]}/{done['targetFileId']}", headers=auth).json()
    assert target["type"] == "TARGET" and target["name"].endswith(".po")
    content = api.client.get(f"{p[1]}/{done['targetFileId']}/content", headers=auth)
    assert content.status_code == 200 and b"msgstr" in content.content
    assert content.content != PO
    finished = api.client.get(f"{p[0]}/{project['id']}", headers=auth).json()
    assert finished["projectStatus"] == "FINISHED"
    deleted = api.client.delete(f"{p[0]}/{project['id']}", headers=auth)
    assert deleted.status_code == 400


def _project_with_job(api: Api, auth: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    project = api.client.post("/project", json={"name": "P"}, headers=auth).json()
    file = api.client.post("/file", json={"name": "app.po"}, headers=auth).json()
    api.client.put(f"/file/{file['id']}/content", content=PO, headers=auth)
    job = api.client.post("/job", headers=auth, json={
        "projectId": project["id"], "sourceFileId": file["id"], "sourceLocale": "en",
        "targetLocale": "es", "serviceLevel": "MT"}).json()  # fmt: skip
    return project, job


def test_xml_deletes_others_and_pagination(api: Api) -> None:
    auth = bearer(api)
    xml = {**auth, "Accept": "application/xml", "Content-Type": "application/xml"}
    made = api.client.post("/project", content=b"<project><name>Xml</name></project>", headers=xml)
    assert made.status_code == 200 and made.headers["content-type"] == "application/xml"
    root = etree.fromstring(made.content)
    assert root.tag == "project" and root.findtext("name") == "Xml"
    assert root.findtext("projectStatus") == "CREATED"
    evil = b'<!DOCTYPE p [<!ENTITY x "y">]><project><name>&x;</name></project>'
    assert api.client.post("/project", content=evil, headers=xml).status_code == 400
    project, job = _project_with_job(api, auth)
    other = bearer(api)
    assert api.client.get(f"/project/{project['id']}", headers=other).status_code == 404
    assert api.client.get(f"/job/{job['id']}", headers=other).status_code == 404
    listed = api.client.get("/locale", params={"limit": 5, "offset": 2}, headers=auth).json()
    assert [loc["id"] for loc in listed] == [3, 4, 5, 6, 7]
    assert len(api.client.get("/locale", headers=auth).json()) == 10
    assert len(api.client.get("/locale", params={"limit": 0}, headers=auth).json()) > 10
    page = api.client.get("/docs/v1/locales", params={"page": 1, "size": 4}, headers=auth).json()
    assert page["page"]["number"] == 1 and page["page"]["totalElements"] > 10
    assert [c["id"] for c in page["content"]] == [5, 6, 7, 8]
    assert any(link["rel"] == "next" for link in page["links"])
    wait_job(api, auth, f"/job/{job['id']}", "QUOTED")
    assert api.client.delete(f"/job/{job['id']}", headers=auth).status_code == 200
    assert api.client.get(f"/job/{job['id']}", headers=auth).status_code == 404
    assert api.client.delete(f"/project/{project['id']}", headers=auth).status_code == 200
    assert api.client.get(f"/project/{project['id']}", headers=auth).status_code == 404


def test_metrics_and_price_204_before_analysis(
    database_url: str, settings_factory: Callable[..., Settings]
) -> None:
    with running_api(settings_factory(database_url), run_workers=False) as api:  # nothing analyses
        auth = bearer(api)
        _, job = _project_with_job(api, auth)
        assert job["jobStatus"] == "NEW"
        assert api.client.get(f"/job/{job['id']}/metrics", headers=auth).status_code == 204
        assert api.client.get(f"/job/{job['id']}/price", headers=auth).status_code == 204
