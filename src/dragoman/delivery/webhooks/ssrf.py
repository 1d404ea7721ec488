"""The SSRF guard: a callback URL may reach public addresses only (plus operator-allowed ranges).

Checked when a URL is accepted and again before every attempt; the sender then connects to
the very address that was checked, so a DNS answer that changes in between (rebinding) is
never followed.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from dragoman.errors import CallbackURLError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Not public, whatever `is_global` says in a given Python version (belt and braces).
BLOCKED: tuple[IPNetwork, ...] = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
        "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15",
        "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
        "::/128", "::1/128", "::/96", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
    )
)  # fmt: skip
NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NUMERIC_LABEL = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class NetworkPolicy:
    """Which addresses a callback may reach: public ones, plus the operator's `allow` ranges."""

    allow: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_cidrs(cls, cidrs: Iterable[str]) -> NetworkPolicy:
        return cls(tuple(ipaddress.ip_network(c, strict=False) for c in cidrs))

    def blocked_reason(self, address: IPAddress) -> str | None:
        """Why `address` may not be reached, or None when it may."""
        inner = embedded_ipv4(address)
        for candidate in (address, inner):
            if candidate is not None and any(candidate in net for net in self.allow):
                return None
        for candidate in (address, inner):
            if candidate is None:
                continue
            if any(candidate in net for net in BLOCKED) or not candidate.is_global:
                return f"{candidate} is not a public address"
            if candidate.is_multicast:
                return f"{candidate} is a multicast address"
        return None


@dataclass(frozen=True, slots=True)
class Target:
    """Where a checked callback URL goes: its host name and port, and the address to use."""

    host: str
    port: int
    address: IPAddress


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address inside an IPv4-mapped, 6to4, Teredo or NAT64 IPv6 address."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def check_url(url: str, policy: NetworkPolicy, field: str = "callbackUrl") -> tuple[str, int]:
    """Syntax and literal-address checks (no DNS): returns the host and port."""
    try:
        parts = urlsplit(url)
        port = parts.port or 443
    except ValueError as exc:
        raise CallbackURLError(f"{field} is not a valid URL: {exc}", field=field) from exc
    if parts.scheme.lower() != "https" or not parts.hostname:
        raise CallbackURLError(f"{field} must be an absolute https:// URL", field=field)
    host = parts.hostname
    literal = _ip_literal(host)
    if literal is None and all(_NUMERIC_LABEL.match(label) for label in host.split(".")):
        # 2130706433, 0177.0.0.1, 0x7f.1: resolvers read these as IPs; we accept no such forms.
        raise CallbackURLError(
            f"{field} host {host!r} is a non-standard form of an IP address", field=field
        )
    if literal is not None:
        reason = policy.blocked_reason(literal)
        if reason is not None:
            raise CallbackURLError(f"{field} must reach a public address: {reason}", field=field)
    return host, port


def resolve(url: str, policy: NetworkPolicy, field: str = "callbackUrl") -> Target:
    """Check `url`, resolve its host and check every address (blocking: run in a thread)."""
    host, port = check_url(url, policy, field)
    literal = _ip_literal(host)
    if literal is not None:
        return Target(host, port, literal)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise CallbackURLError(f"{field} host {host!r} does not resolve", field=field) from exc
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if not addresses:
        raise CallbackURLError(f"{field} host {host!r} does not resolve", field=field)
    for address in addresses:
        reason = policy.blocked_reason(address)
        if reason is not None:
            raise CallbackURLError(
                f"{field} must reach only public addresses: {host} resolves to {address} "
                f"({reason})",
                field=field,
            )
    return Target(host, port, addresses[0])


async def resolve_async(url: str, policy: NetworkPolicy) -> Target:
    """`resolve` on a thread, so that a slow DNS server never blocks the event loop."""
    return await asyncio.to_thread(resolve, url, policy)


def _ip_literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
