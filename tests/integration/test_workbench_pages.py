"""The workbench pages over HTTP on a real server (SQLite, the pseudo engine pre-translating):
sign-in, CSRF on every change, logout, other translators' jobs, escaping of HTML."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from dragoman.core import translators
from dragoman.core.assets.glossary import TermInput, add_term
from dragoman.core.assets.tm import TranslationMemory, new_entry, pair_of
from dragoman.core.assets.tm_index import for_database
from dragoman.core.assets.tm_index.base import Origin
from dragoman.core.orgs import get_or_create_org
from dragoman.settings import Settings
from tests.apptools import Api, running_api

XSS = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'
DATA = {"title": "The house is big.", "greeting": "Hello {name}, you have new messages."}


@pytest.fixture
def api(sqlite_url: str, settings_factory: Callable[..., Settings]) -> Iterator[Api]:
    with running_api(settings_factory(sqlite_url)) as run:
        yield run


def _customer(api: Api, org: str) -> tuple[str, str]:
    key = api.new_key(org)
    body = {"name": "people", "provider": "human", "options": {"tier": "standard"}}
    made = api.client.post("/engines", json=body, headers={"X-API-Key": key})
    assert made.status_code == 201, made.text
    return key, made.json()["id"]


def _translator(api: Api, org: str, name: str = "Ana") -> str:
    with api.services.db.write() as conn:
        org_id = get_or_create_org(conn, org).id
        return translators.create_translator(conn, org_id, name, "en-es")[1]


def _job(api: Api, key: str, engine: str, tkey: str, data: dict[str, str] = DATA) -> str:
    body = {"sourceLocale": "en", "targetLocales": ["es"], "data": data, "engineId": engine}
    sent = api.post(key, body)
    assert sent.status_code == 202, sent.text
    job_id = str(sent.json()["jobs"][0]["id"])
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        listed = api.client.get("/translator/v1/jobs", headers={"X-API-Key": tkey}).json()
        if any(item["id"] == job_id for item in listed["items"]):
            return job_id
        time.sleep(0.05)
    raise AssertionError("the job never became available")


def _browser(api: Api) -> httpx.Client:
    """A client of its own (its own cookie jar), like a second browser."""
    return httpx.Client(base_url=str(api.client.base_url), timeout=30)


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert found, page[:500]
    return found.group(1)


def _sign_in(client: httpx.Client, tkey: str) -> str:
    """Sign in; returns the session's CSRF token."""
    form = client.get("/workbench/login")
    assert form.status_code == 200
    signed = client.post("/workbench/login", data={"key": tkey, "csrf": _csrf(form.text)})
    assert signed.status_code == 303 and signed.headers["location"] == "/workbench/jobs"
    jobs = client.get("/workbench/jobs")
    assert jobs.status_code == 200, jobs.text
    return _csrf(jobs.text)


def _segments(api: Api, tkey: str, job_id: str) -> dict[str, Any]:
    got = api.client.get(f"/translator/v1/jobs/{job_id}", headers={"X-API-Key": tkey})
    return {s["key"].rsplit(".", 1)[-1]: s for s in got.json()["segments"]}


def test_sign_in_with_a_bad_key_or_without_csrf_is_refused(api: Api) -> None:
    tkey = _translator(api, "acme")
    with _browser(api) as browser:
        assert browser.get("/workbench/jobs").headers["location"] == "/workbench/login"
        form = browser.get("/workbench/login")
        cookie = form.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "path=/workbench" in cookie
        assert "secure" not in cookie
        assert tkey not in form.headers["set-cookie"]
        csrf = _csrf(form.text)
        bad = browser.post("/workbench/login", data={"key": "dtr_not-a-key", "csrf": csrf})
        assert bad.status_code == 401 and "not valid" in bad.text
        assert browser.get("/workbench/jobs").status_code == 303
        assert browser.post("/workbench/login", data={"key": tkey}).status_code == 403
        wrong = browser.post("/workbench/login", data={"key": tkey, "csrf": csrf + "x"})
        assert wrong.status_code == 403 and "CSRF" in wrong.text
        assert browser.get("/workbench/jobs").status_code == 303
        signed = browser.post("/workbench/login", data={"key": tkey, "csrf": csrf})
        assert signed.status_code == 303
        assert tkey not in signed.headers["set-cookie"]  # the key travels sealed
        page = browser.get("/workbench/jobs")
        assert page.status_code == 200 and "Ana" in page.text
        assert _csrf(page.text) != csrf  # a new session, a new token
        assert "script-src 'self'" in page.headers["content-security-policy"]
        later = browser.get("/workbench/jobs", params={"offset": 100})
        assert later.status_code == 200 and 'href="/workbench/jobs?offset=0">Earlier' in later.text
        negative = browser.get("/workbench/jobs", params={"offset": -1})
        assert negative.status_code == 422 and "offset" in negative.text
    # Behind a TLS proxy (uvicorn trusts X-Forwarded-Proto from 127.0.0.1) the cookie is Secure.
    with _browser(api) as browser:
        https = browser.get("/workbench/login", headers={"X-Forwarded-Proto": "https"})
        assert "secure" in https.headers["set-cookie"].lower()


def test_every_change_needs_the_csrf_token(api: Api) -> None:
    key, engine = _customer(api, "acme")
    tkey = _translator(api, "acme")
    job_id = _job(api, key, engine, tkey)
    with _browser(api) as browser:
        csrf = _sign_in(browser, tkey)
        base = f"/workbench/jobs/{job_id}"
        assert browser.post(f"{base}/take").status_code == 403
        assert browser.post(f"{base}/take", data={"csrf": "nope"}).status_code == 403
        assert _segments(api, tkey, job_id)  # still available to look at
        took = browser.post(f"{base}/take", data={"csrf": csrf})
        assert took.status_code == 303 and took.headers["location"] == base
        title = _segments(api, tkey, job_id)["greeting"]["id"]
        body = {"target": "Hola, tienes mensajes."}
        missing = browser.put(f"{base}/segments/{title}", json=body)
        assert missing.status_code == 403 and missing.json()["field"] == "csrf"
        wrong = browser.put(f"{base}/segments/{title}", json=body, headers={"X-CSRF-Token": "x"})
        assert wrong.status_code == 403
        assert _segments(api, tkey, job_id)["greeting"]["state"] != "human"
        saved = browser.put(f"{base}/segments/{title}", json=body, headers={"X-CSRF-Token": csrf})
        assert saved.status_code == 200
        assert [w["code"] for w in saved.json()["qa"]] == ["placeholder_missing"]
        assert browser.post(f"{base}/deliver").status_code == 403
        assert browser.post(f"{base}/comments", data={"body": "hi"}).status_code == 403
        # Deliver is refused while a placeholder is missing: the editor lists why.
        refused = browser.post(f"{base}/deliver", data={"csrf": csrf})
        assert refused.status_code == 422 and "placeholder {name} is missing" in refused.text
        fixed = {"target": "Hola {name}, tienes mensajes."}
        put = browser.put(f"{base}/segments/{title}", json=fixed, headers={"X-CSRF-Token": csrf})
        assert put.json()["qa"] == []
        done = browser.post(f"{base}/deliver", data={"csrf": csrf})
        assert done.status_code == 303 and "delivered=" in done.headers["location"]
        review = api.get(key, f"/jobs/localization/{job_id}/review").json()
        assert review["stage"] == "reviewable"


def test_logout_clears_the_session_and_a_forged_cookie_is_no_session(api: Api) -> None:
    tkey = _translator(api, "acme")
    with _browser(api) as browser:
        csrf = _sign_in(browser, tkey)
        assert browser.post("/workbench/logout").status_code == 403  # no token, no logout
        assert browser.get("/workbench/jobs").status_code == 200
        out = browser.post("/workbench/logout", data={"csrf": csrf})
        assert out.status_code == 303 and out.headers["location"] == "/workbench/login"
        assert "max-age=0" in out.headers["set-cookie"].lower()
        assert not browser.cookies.get("dragoman_workbench", path="/workbench")
        assert browser.get("/workbench/jobs").headers["location"] == "/workbench/login"
    with _browser(api) as browser:
        _sign_in(browser, tkey)
        value = browser.cookies["dragoman_workbench"]
        forged = value[:-3] + ("AAA" if value[-3:] != "AAA" else "BBB")
        browser.cookies.set("dragoman_workbench", forged, path="/workbench")
        assert browser.get("/workbench/jobs").headers["location"] == "/workbench/login"


def test_a_revoked_key_ends_its_sessions(api: Api) -> None:
    tkey = _translator(api, "acme")
    with _browser(api) as browser:
        _sign_in(browser, tkey)
        with api.services.db.write() as conn:
            org_id = get_or_create_org(conn, "acme").id
            translators.revoke_translator(conn, org_id, tkey[:8])
        time.sleep(1.1)  # the translator cache holds a verified key for a second
        assert browser.get("/workbench/jobs").headers["location"] == "/workbench/login"


def test_another_translators_job_is_not_found(api: Api) -> None:
    key, engine = _customer(api, "acme")
    alice, bob = _translator(api, "acme", "Alice"), _translator(api, "acme", "Bob")
    stranger = _translator(api, "umbrella", "Eve")
    job_id = _job(api, key, engine, alice)
    segment = _segments(api, alice, job_id)["title"]["id"]
    with _browser(api) as a, _browser(api) as b, _browser(api) as e:
        a_csrf, b_csrf, e_csrf = _sign_in(a, alice), _sign_in(b, bob), _sign_in(e, stranger)
        assert e.get(f"/workbench/jobs/{job_id}").status_code == 404  # another organization
        assert a.post(f"/workbench/jobs/{job_id}/take", data={"csrf": a_csrf}).status_code == 303
        page = b.get(f"/workbench/jobs/{job_id}")
        assert page.status_code == 404 and "not found" in page.text
        put = b.put(
            f"/workbench/jobs/{job_id}/segments/{segment}",
            json={"target": "x"},
            headers={"X-CSRF-Token": b_csrf},
        )
        assert put.status_code == 404 and put.json()["field"] == "jobId"
        late = b.post(f"/workbench/jobs/{job_id}/take", data={"csrf": b_csrf})
        assert late.status_code == 409 and "in_progress" in late.text
        foreign = e.post(f"/workbench/jobs/{job_id}/deliver", data={"csrf": e_csrf})
        assert foreign.status_code == 404
        assert job_id not in b.get("/workbench/jobs").text
        assert job_id in a.get("/workbench/jobs").text


def test_html_in_segments_and_comments_is_shown_as_text(api: Api) -> None:
    key, engine = _customer(api, "acme")
    tkey = _translator(api, "acme")
    job_id = _job(api, key, engine, tkey, {"evil": XSS, "title": "Save the file"})
    said = api.client.post(
        f"/jobs/localization/{job_id}/comments", json={"body": XSS}, headers={"X-API-Key": key}
    )
    assert said.status_code == 201, said.text
    with _browser(api) as browser:
        csrf = _sign_in(browser, tkey)
        listed = browser.get("/workbench/jobs").text
        assert "<script>window" not in listed and html.escape("<script>window") in listed
        browser.post(f"/workbench/jobs/{job_id}/take", data={"csrf": csrf})
        evil = _segments(api, tkey, job_id)["evil"]["id"]
        browser.put(
            f"/workbench/jobs/{job_id}/segments/{evil}",
            json={"target": XSS + " <b>x</b>"},
            headers={"X-CSRF-Token": csrf},
        )
        browser.post(f"/workbench/jobs/{job_id}/comments", data={"body": XSS, "csrf": csrf})
        page = browser.get(f"/workbench/jobs/{job_id}").text
    assert "<script>window" not in page and "<img src=x" not in page and "<b>x" not in page
    escaped = XSS.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;")
    assert page.count(escaped) >= 2  # the customer's comment and the translator's
    # Placeholders and tags are chips whose text and data-ph attribute are escaped too.
    assert 'data-ph="&lt;img src=x onerror=&#34;window.__xss=2&#34;&gt;"' in page
    assert '<span class="chip" contenteditable="false" data-ph="&lt;script&gt;">' in page
    # The only scripts the page loads are the workbench's own.
    assert re.findall(r"<script[^>]*>", page) == [
        f'<script src="/workbench/static/workbench.js?v={_version()}" defer>'
    ]


def _version() -> str:
    from dragoman import __version__

    return __version__


def test_static_files_are_served(api: Api) -> None:
    script = api.client.get("/workbench/static/workbench.js")
    assert script.status_code == 200 and "X-CSRF-Token" in script.text
    assert "javascript" in script.headers["content-type"]
    assert api.client.get("/workbench/static/workbench.css").status_code == 200
    assert api.client.get("/workbench/static/../pages.py").status_code == 404


def test_the_editor_shows_tm_matches_glossary_terms_chips_and_progress(api: Api) -> None:
    key, engine = _customer(api, "acme")
    tkey = _translator(api, "acme")
    with api.services.db.write() as conn:
        org_id = get_or_create_org(conn, "acme").id
        add_term(conn, org_id, pair_of("en", "es"), TermInput("house", "casa"))
        add_term(conn, org_id, pair_of("en", "es"), TermInput("Hello", do_not_translate=True))
    memory = TranslationMemory(for_database(api.services.db))
    memory.add(
        org_id,
        pair_of("en", "es"),
        [new_entry("The house is very big.", "La casa es muy grande.", origin=Origin.HUMAN)],
    )
    job_id = _job(api, key, engine, tkey)
    with _browser(api) as browser:
        csrf = _sign_in(browser, tkey)
        preview = browser.get(f"/workbench/jobs/{job_id}").text
        assert 'contenteditable="true"' not in preview and "Take this job" in preview
        browser.post(f"/workbench/jobs/{job_id}/take", data={"csrf": csrf})
        page = browser.get(f"/workbench/jobs/{job_id}").text
    assert '<mark class="term" title="→ casa">house</mark>' in page
    assert '<mark class="term" title="do not translate">Hello</mark>' in page
    assert re.search(
        r'<span class="score">\d\d%</span> <span class="tm-target">La casa es muy', page
    )
    assert 'data-text="La casa es muy grande."' in page  # the match's "Use" button
    assert 'data-placeholders="[&#34;{name}&#34;]"' in page
    assert '<button type="button" class="chip insert" data-ph="{name}"' in page
    assert 'contenteditable="true"' in page and 'id="deliver"' in page
    assert '<progress id="progress" max="2" value="0">' in page
