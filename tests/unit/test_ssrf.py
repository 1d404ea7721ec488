"""The SSRF guard: every vector is refused, allow-listed ranges open, the checked IP is used."""

from __future__ import annotations

import httpx
import pytest

from dragoman.delivery.webhooks import ssrf
from dragoman.delivery.webhooks.sender import WebhookSender
from dragoman.errors import CallbackURLError
from dragoman.timefmt import utcnow

VECTORS = [
    "https://127.0.0.1/hook", "https://127.1.2.3/", "https://localhost/hook",
    "https://[::1]/hook", "https://10.0.0.5/", "https://172.16.3.4/", "https://192.168.1.1/",
    "https://169.254.169.254/latest/meta-data/", "https://100.64.0.1/", "https://0.0.0.0/",
    "https://[::ffff:127.0.0.1]/", "https://[::ffff:169.254.169.254]/", "https://[fe80::1]/",
    "https://[fd00::1]/", "https://[64:ff9b::7f00:1]/", "https://[2002:a9fe:a9fe::]/",
    "https://2130706433/", "https://0177.0.0.1/", "https://0x7f000001/", "https://0x7f.1/",
    "https://017700000001/", "https://224.0.0.1/",
]  # fmt: skip


@pytest.mark.parametrize("url", VECTORS)
def test_vectors_are_refused(url: str) -> None:
    with pytest.raises(CallbackURLError):
        ssrf.resolve(url, ssrf.NetworkPolicy())


@pytest.mark.parametrize("url", ["http://8.8.8.8/hook", "ftp://8.8.8.8/", "https:///x", "hook"])
def test_only_absolute_https_urls(url: str) -> None:
    with pytest.raises(CallbackURLError, match="https://"):
        ssrf.check_url(url, ssrf.NetworkPolicy())


def test_public_address_and_allow_list() -> None:
    assert str(ssrf.resolve("https://8.8.8.8/x", ssrf.NetworkPolicy()).address) == "8.8.8.8"
    policy = ssrf.NetworkPolicy.from_cidrs(["127.0.0.0/8"])
    assert str(ssrf.resolve("https://localhost:8443/x", policy).address).startswith("127.")
    with pytest.raises(CallbackURLError):
        ssrf.resolve("https://10.0.0.1/", policy)  # only the ranges named open


async def test_sender_connects_to_the_checked_address_with_the_name_kept() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    policy = ssrf.NetworkPolicy.from_cidrs(["127.0.0.0/8", "::1/128"])
    sender = WebhookSender(policy, 5.0, transport=httpx.MockTransport(handler))
    outcome = await sender.send("https://localhost:9443/hook?x=1", {"webhook-id": "evt_1"},
                                b"{}", utcnow())  # fmt: skip
    await sender.aclose()
    assert outcome.ok
    request = seen[0]
    assert request.url.host in ("127.0.0.1", "::1")  # connected to the address checked
    assert request.headers["host"] == "localhost:9443"
    assert request.extensions["sni_hostname"] == "localhost"  # TLS name stays the host's
    assert request.url.path == "/hook" and request.url.query == b"x=1"


async def test_sender_refuses_a_blocked_address_without_connecting() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("must not connect")

    sender = WebhookSender(ssrf.NetworkPolicy(), 5.0, transport=httpx.MockTransport(handler))
    outcome = await sender.send("https://localhost/hook", {}, b"{}", utcnow())
    await sender.aclose()
    assert not outcome.ok and outcome.permanent and "not a public address" in (outcome.error or "")
