"""Where notify may send HTTP requests whose URL an administrator types in (group robots,
``PUT /v1/robots/{code}``) or configures (the 12345 callback): only to allowed hosts,
never to notify's own network by accident or on purpose (server-side request forgery,
issue 16, finding 10).

An entry of ``NOTIFY_OUTBOUND_HOSTS`` is a host name (``qyapi.weixin.qq.com``), a
wildcard for its subdomains (``*.city.example``), or an IP address or network
(``127.0.0.1``, ``10.20.0.0/16``). A URL passes when its host is a listed name, or an
IP literal within a listed network. At send time its name is resolved again, and every
address it resolves to must be public (not loopback, private, link-local, reserved,
multicast or unspecified) unless it lies within a listed network: so an allowed name
that points inside is refused too (the client resolves the name once more to connect:
a name whose answers change within that instant is not caught; list names you trust).
Redirects are never followed (``_http.post``).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

import httpx

from notify.channels.base import PermanentSendError

#: The official hosts of WeCom's and DingTalk's group robot webhooks.
ROBOT_HOSTS = ("qyapi.weixin.qq.com", "oapi.dingtalk.com")

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class DestinationRefused(PermanentSendError):
    """The URL's host is not allowed: the request was not sent."""


def _ip(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return None


class OutboundHosts:
    def __init__(self, entries: Iterable[str]) -> None:
        self.names: set[str] = set()
        self.suffixes: list[str] = []
        self.networks: list[IPNetwork] = []
        for raw in entries:
            entry = raw.strip().lower().rstrip(".")
            if not entry:
                continue
            if entry.startswith("*."):
                self.suffixes.append(entry[1:])  # ".city.example"
                continue
            try:
                self.networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            except ValueError:
                self.names.add(entry)

    def _in_networks(self, address: IPAddress) -> bool:
        return any(address in network for network in self.networks)

    def host_allowed(self, host: str) -> bool:
        """Whether a host (a name or an IP literal) is on the list."""
        host = host.lower().rstrip(".")
        address = _ip(host)
        if address is not None:
            return self._in_networks(address)
        return host in self.names or any(host.endswith(s) for s in self.suffixes)

    def refusal(self, url: str) -> str | None:
        """Why `url` may not be called (a fixed text naming its host), or None."""
        try:
            parts = urlsplit(url)
            host = parts.hostname
        except ValueError:
            return "the URL cannot be read"
        if parts.scheme not in ("http", "https"):
            return "only http and https URLs are allowed"
        if not host:
            return "the URL has no host"
        if not self.host_allowed(host):
            return f"host {host} is not in NOTIFY_OUTBOUND_HOSTS"
        return None

    def address_allowed(self, address: IPAddress) -> bool:
        return address.is_global or self._in_networks(address)

    async def check(self, url: str) -> None:
        """Raises :class:`DestinationRefused` unless `url` is allowed and its host
        resolves only to allowed addresses."""
        reason = self.refusal(url)
        if reason is not None:
            raise DestinationRefused(f"destination refused: {reason}")
        parts = urlsplit(url)
        host = parts.hostname or ""
        literal = _ip(host)
        if literal is not None:
            return  # a listed network: allowed by refusal() above
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
        except OSError:
            return  # unresolvable: the client's own connect fails, retryably
        for info in infos:
            address = _ip(str(info[4][0]))
            if address is not None and not self.address_allowed(address):
                raise DestinationRefused(
                    f"destination refused: host {host} resolves to a non-public address"
                )


class GuardedTransport(httpx.AsyncBaseTransport):
    """An HTTP transport that checks every request's URL with :class:`OutboundHosts`
    before it connects."""

    def __init__(self, hosts: OutboundHosts, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self.hosts = hosts
        self.inner = inner or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await self.hosts.check(str(request.url))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()
