"""The SDK's two clients send the same requests and read answers the same way (httpx's
MockTransport stands in for the server: no server logic is faked, only bytes on the wire)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from dragoman.client import AsyncClient, Client, DragomanAPIError

PAGES = {
    None: {"items": [{"id": "ljb_1"}, {"id": "ljb_2"}], "nextCursor": "c1"},
    "c1": {"items": [{"id": "ljb_3"}], "nextCursor": None},
}


def handler(seen: list[httpx.Request]) -> Any:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.headers.get("X-API-Key") != "dgm_k":
            return httpx.Response(
                401, json={"error": "the API key is not valid", "statusCode": 401}
            )
        if request.url.path == "/jobs/localization" and request.method == "POST":
            return httpx.Response(
                202, json={"groupId": "ljg_1", "echo": json.loads(request.content)}
            )
        if request.url.path == "/jobs/localization":
            return httpx.Response(200, json=PAGES[request.url.params.get("cursor")])
        if request.url.path == "/engines":
            return httpx.Response(200, json={"items": [{"id": "eng_1"}]})
        return httpx.Response(404, json={"error": "not found", "statusCode": 404})

    return answer


def test_sync_client_builds_requests_and_pages() -> None:
    seen: list[httpx.Request] = []
    with Client(
        "http://dragoman.test/", "dgm_k", transport=httpx.MockTransport(handler(seen))
    ) as c:
        created = c.submit({"a": "Hi"}, source="en", targets=["es"], idempotency_key="k1")
        assert created["echo"] == {
            "sourceLocale": "en",
            "targetLocales": ["es"],
            "data": {"a": "Hi"},
            "idempotencyKey": "k1",
        }
        assert [j["id"] for j in c.jobs(status="completed", page_size=2)] == [
            "ljb_1",
            "ljb_2",
            "ljb_3",
        ]
        assert c.engines() == [{"id": "eng_1"}]
        with pytest.raises(DragomanAPIError) as error:
            c.job("ljb_missing")
    assert error.value.status == 404 and "not found" in str(error.value)
    assert seen[1].url.params["status"] == "completed" and seen[1].url.params["limit"] == "2"
    assert seen[2].url.params["cursor"] == "c1"


async def test_async_client_matches_the_sync_one() -> None:
    seen: list[httpx.Request] = []
    transport = httpx.MockTransport(handler(seen))
    async with AsyncClient("http://dragoman.test", "dgm_k", transport=transport) as c:
        created = await c.submit({"a": "Hi"}, source="en", targets=["es"], engine_id="eng_1")
        assert created["echo"]["engineId"] == "eng_1"
        assert [j["id"] async for j in c.jobs(page_size=2)] == ["ljb_1", "ljb_2", "ljb_3"]
    async with AsyncClient("http://dragoman.test", "wrong", transport=transport) as bad:
        with pytest.raises(DragomanAPIError) as error:
            await bad.group("ljg_1")
    assert error.value.status == 401
