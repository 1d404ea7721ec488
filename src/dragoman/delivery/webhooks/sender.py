"""One webhook attempt over HTTPS: checked address, pinned connection, no redirects, timed."""

from __future__ import annotations

import asyncio
import ssl
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx

from dragoman.delivery.webhooks import ssrf
from dragoman.delivery.webhooks.schedule import parse_retry_after
from dragoman.errors import CallbackURLError

MAX_CLIENTS = 64  # one connection pool per host name (see `_client`)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one attempt came to."""

    ok: bool
    status_code: int | None = None
    error: str | None = None
    retry_after: float | None = None
    gone: bool = False  # 410: the receiver asks us to stop sending to this URL
    permanent: bool = False  # no point retrying (the URL reaches a forbidden address)


def ssl_context(ca_bundle: Path | None) -> ssl.SSLContext:
    """The default trust store (certifi) plus the operator's extra CA bundle, if any."""
    import certifi

    context = ssl.create_default_context(cafile=certifi.where())
    if ca_bundle is not None:
        context.load_verify_locations(cafile=str(ca_bundle))
    return context


class WebhookSender:
    """Sends signed bodies; never follows redirects, never trusts the environment's proxies."""

    def __init__(
        self,
        policy: ssrf.NetworkPolicy,
        timeout: float,
        ca_bundle: Path | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.policy = policy
        self.timeout = timeout
        self._ssl = ssl_context(ca_bundle)
        self._transport = transport
        self._clients: OrderedDict[str, httpx.AsyncClient] = OrderedDict()

    def _client(self, host: str) -> httpx.AsyncClient:
        # Pools are keyed by the IP we connect to; one pool per host name keeps a connection
        # whose TLS session proved host A from carrying a request for host B on the same IP.
        client = self._clients.pop(host, None)
        if client is None:
            client = httpx.AsyncClient(
                verify=self._ssl,
                follow_redirects=False,
                trust_env=False,
                timeout=httpx.Timeout(self.timeout),
                transport=self._transport,
            )
            while len(self._clients) >= MAX_CLIENTS:
                _, old = self._clients.popitem(last=False)
                asyncio.get_running_loop().create_task(old.aclose())
        self._clients[host] = client
        return client

    async def send(
        self,
        url: str,
        headers: dict[str, str],
        body: bytes,
        now: datetime,
        method: str = "POST",
    ) -> Outcome:
        """Send `body` to `url` once (POST, or the profile's method), within the timeout,
        and classify the answer."""
        try:
            target = await ssrf.resolve_async(url, self.policy)
        except CallbackURLError as exc:
            transient = isinstance(exc.__cause__, OSError)
            return Outcome(False, error=exc.message, permanent=not transient)
        request = self._request(url, target, headers, body, method)
        try:
            async with asyncio.timeout(self.timeout):
                response = await self._client(target.host).send(request, stream=True)
                await response.aclose()
        except TimeoutError:
            return Outcome(False, error=f"no answer within {self.timeout:g}s")
        except httpx.HTTPError as exc:
            return Outcome(False, error=f"{type(exc).__name__}: {exc}"[:500])
        code = response.status_code
        if 200 <= code < 300:
            return Outcome(True, code)
        error = f"HTTP {code}"
        if 300 <= code < 400:
            error += " (redirects are not followed)"
        retry_after = parse_retry_after(response.headers.get("retry-after"), now)
        return Outcome(False, code, error, retry_after, gone=code == 410)

    def _request(
        self,
        url: str,
        target: ssrf.Target,
        headers: dict[str, str],
        body: bytes,
        method: str = "POST",
    ) -> httpx.Request:
        # Connect to the checked address; Host header and TLS SNI/certificate stay the name's.
        original = httpx.URL(url)
        pinned = original.copy_with(host=str(target.address))
        request = httpx.Request(
            method,
            pinned,
            content=body,
            headers={
                **headers,
                "host": original.netloc.decode("ascii"),
                "user-agent": "Dragoman-Webhooks/1",
            },
            extensions={"sni_hostname": target.host},
        )
        return request

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()
