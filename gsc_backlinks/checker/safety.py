"""Where the checker may connect: only public addresses, looked up once and pinned.

Linking URLs are written by strangers.  Fetching them blindly would let one
point the checker at the user's own network (a router's admin page, a cloud
metadata service at 169.254.169.254, localhost), so every host is resolved
here, every address it resolves to is classified, and a host with any
non-public address is refused before anything is sent.  The connection then
goes to the very address that was checked (:class:`PinnedResolver`): no
second lookup, so DNS rebinding cannot swap in another one.

The loopback stand-ins of the tests are reached only through the testing
allowance: ``GSC_BACKLINKS_CHECK_TESTING=1`` together with
``GSC_BACKLINKS_CHECK_HOSTS="*.test=127.0.0.1,other.example=127.0.0.2"``.
It maps host names to *loopback* addresses and nothing else: an IP literal,
a name outside the map or a mapped address that is not loopback is still
refused.
"""

from __future__ import annotations

import asyncio
import fnmatch
import ipaddress
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from .model import CheckSettingsError

TESTING_ENV = "GSC_BACKLINKS_CHECK_TESTING"
HOSTS_ENV = "GSC_BACKLINKS_CHECK_HOSTS"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# (network, what it is): refused, with that name in the reason.
_REFUSED_V4 = [
    ("0.0.0.0/8", "an unspecified ('this network') address"),
    ("10.0.0.0/8", "a private address"),
    ("100.64.0.0/10", "a carrier-grade NAT address"),
    ("127.0.0.0/8", "a loopback address"),
    ("169.254.0.0/16", "a link-local address (cloud metadata lives here)"),
    ("172.16.0.0/12", "a private address"),
    ("192.0.0.0/24", "an IETF protocol address"),
    ("192.0.2.0/24", "a documentation address"),
    ("192.88.99.0/24", "a 6to4 relay address"),
    ("192.168.0.0/16", "a private address"),
    ("198.18.0.0/15", "a benchmarking address"),
    ("198.51.100.0/24", "a documentation address"),
    ("203.0.113.0/24", "a documentation address"),
    ("224.0.0.0/4", "a multicast address"),
    ("240.0.0.0/4", "a reserved address"),
    ("255.255.255.255/32", "the broadcast address"),
]
_REFUSED_V6 = [
    ("::/128", "an unspecified address"),
    ("::1/128", "a loopback address"),
    ("::/96", "an IPv4-compatible (deprecated) address"),
    ("64:ff9b:1::/48", "a local-use NAT64 address"),
    ("100::/64", "a discard-only address"),
    ("2001::/23", "an IETF protocol address"),
    ("2001:db8::/32", "a documentation address"),
    ("3fff::/20", "a documentation address"),
    ("5f00::/16", "a segment-routing address"),
    ("fc00::/7", "a unique-local (private) address"),
    ("fe80::/10", "a link-local address"),
    ("fec0::/10", "a site-local address"),
    ("ff00::/8", "a multicast address"),
]
_V4_NETS = [(ipaddress.ip_network(n), why) for n, why in _REFUSED_V4]
_V6_NETS = [(ipaddress.ip_network(n), why) for n, why in _REFUSED_V6]
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_TEREDO = ipaddress.ip_network("2001::/32")


def refusal(address: str | IPAddress) -> str | None:
    """Why the checker must not connect to ``address``, or None when it is a public address.

    IPv6 forms that carry an IPv4 address (IPv4-mapped ``::ffff:a.b.c.d``,
    6to4 ``2002::/16``, NAT64 ``64:ff9b::/96``, Teredo) are judged by the
    IPv4 address they carry, as well as by their own range.
    """
    try:
        ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    except ValueError:
        return "not an IP address"
    if ip.version == 6:
        if ip.scope_id:  # fe80::1%eth0
            return "a link-local address"
        carried = ip.ipv4_mapped or ip.sixtofour
        if carried is None and ip in _NAT64:
            carried = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if carried is None and ip in _TEREDO and ip.teredo:
            carried = ip.teredo[1]
        if carried is not None:
            inner = refusal(carried)
            return f"{inner}, in IPv6 form" if inner else None
        for net, why in _V6_NETS:
            if ip in net:
                return why
    else:
        for net, why in _V4_NETS:
            if ip in net:
                return why
    if not ip.is_global:  # whatever the standard library knows that the tables above miss
        return "not a public address"
    return None


@dataclass(frozen=True)
class Allowance:
    """The testing allowance: host name patterns mapped to loopback addresses."""

    hosts: tuple[tuple[str, str], ...] = ()

    def address_for(self, host: str) -> str | None:
        for pattern, address in self.hosts:
            if fnmatch.fnmatchcase(host, pattern):
                return address
        return None


def parse_allowance(testing: str | None, hosts: str | None) -> Allowance:
    """The allowance from the two environment values; raise CheckSettingsError on a wrong one."""
    if not testing or testing.strip() in ("", "0"):
        if hosts and hosts.strip():
            raise CheckSettingsError(
                f"{HOSTS_ENV} is for tests only and needs {TESTING_ENV}=1; unset it for real checks"
            )
        return Allowance()
    if testing.strip() != "1":
        raise CheckSettingsError(f"{TESTING_ENV} must be 1 or unset (it lets tests reach loopback stand-ins)")
    pairs: list[tuple[str, str]] = []
    for item in (hosts or "").split(","):
        if not item.strip():
            continue
        pattern, sep, address = item.partition("=")
        pattern, address = pattern.strip().lower(), address.strip()
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            ip = None
        if not sep or not pattern or ip is None:
            raise CheckSettingsError(
                f"{HOSTS_ENV}: '{item.strip()}' is not like '*.test=127.0.0.1' (host pattern = loopback address)"
            )
        pairs.append((pattern, address))
    return Allowance(tuple(pairs))


def allowance_from(settings_hosts: tuple[tuple[str, str], ...] | None, environ: Mapping[str, str] | None = None) -> Allowance:
    """The allowance of a run: the settings' own, else the environment's."""
    if settings_hosts is not None:
        return Allowance(tuple((p.lower(), a) for p, a in settings_hosts))
    env = os.environ if environ is None else environ
    return parse_allowance(env.get(TESTING_ENV), env.get(HOSTS_ENV))


class Refused(Exception):
    """A URL the checker will not request; the message says why, for the page's reason."""


class LookupFailed(Exception):
    """A host name that does not resolve."""


def url_refusal(url: str, parts=None) -> str | None:
    """Why a URL is refused before any lookup (scheme, credentials, no host), or None.

    ``parts``: the URL's urlsplit(), when the caller has it already.
    """
    try:
        parts = parts or urlsplit(url)
        port = parts.port
    except ValueError:
        return "is not a valid URL"
    if parts.scheme not in ("http", "https"):
        return f"is not an http(s) URL ({parts.scheme or 'no'} scheme)"
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        return "has a user name or password in it"
    if not parts.hostname:
        return "has no host"
    if port == 0:
        return "asks for port 0"
    return None


@dataclass(frozen=True)
class Vetted:
    """A host's addresses that passed, as aiohttp's resolver results want them."""

    host: str
    addresses: tuple[tuple[int, str], ...]  #: (socket family, address)


class Guard:
    """Resolves each host once per run, refuses non-public addresses, remembers the verdict."""

    def __init__(self, allowance: Allowance):
        self.allowance = allowance
        self._verdicts: dict[str, Vetted | Refused | LookupFailed] = {}
        self._pending: dict[str, asyncio.Future] = {}
        self.lookups = 0  #: name lookups done (one per host per run)

    async def vet(self, host: str) -> Vetted:
        """The host's vetted addresses; raise Refused or LookupFailed."""
        host = host.lower().rstrip(".")
        verdict = self._verdicts.get(host)
        if verdict is None:
            waiting = self._pending.get(host)
            if waiting is None:
                waiting = self._pending[host] = asyncio.get_running_loop().create_future()
                try:
                    verdict = await self._lookup(host)
                except Exception as exc:  # a lookup that failed some other way: the host is unreachable
                    verdict = LookupFailed(f"cannot look up {host}: {exc}")
                self._verdicts[host] = verdict
                del self._pending[host]
                waiting.set_result(verdict)
            else:
                verdict = await asyncio.shield(waiting)
        if isinstance(verdict, Exception):
            raise verdict
        assert verdict is not None
        return verdict

    def busy(self, host: str) -> bool:
        """True while the host is being looked up."""
        return host.lower().rstrip(".") in self._pending

    def forget(self, host: str) -> None:
        """Drop a host's verdict (its pages are done): it is looked up again if it comes back."""
        self._verdicts.pop(host.lower().rstrip("."), None)

    def pinned(self, host: str) -> Vetted | None:
        """The vetted addresses of a host already looked up, else None."""
        verdict = self._verdicts.get(host.lower().rstrip("."))
        return verdict if isinstance(verdict, Vetted) else None

    async def _lookup(self, host: str) -> Vetted | Refused | LookupFailed:
        literal = host[1:-1] if host.startswith("[") and host.endswith("]") else host
        try:
            ip = ipaddress.ip_address(literal)
        except ValueError:
            ip = None
        if ip is not None:
            why = refusal(ip)
            if why:
                return Refused(f"its address {ip} is {why}")
            family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
            return Vetted(host, ((family, str(ip)),))
        mapped = self.allowance.address_for(host)
        if mapped is not None:
            self.lookups += 1
            ip = ipaddress.ip_address(mapped)
            if not ip.is_loopback:
                # The allowance exists for loopback stand-ins only; anything else is judged as usual.
                why = refusal(ip) or "outside the testing allowance (loopback only)"
                return Refused(f"{host} resolves to {ip}, {why}")
            family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
            return Vetted(host, ((family, str(ip)),))
        self.lookups += 1
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, 80, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            return LookupFailed(f"cannot resolve {host} ({getattr(exc, 'strerror', None) or exc})")
        addresses: list[tuple[int, str]] = []
        for family, _, _, _, sockaddr in infos:
            address = str(sockaddr[0])
            if family == socket.AF_INET6 and len(sockaddr) > 3 and sockaddr[3]:
                return Refused(f"{host} resolves to {address}, a link-local address")
            why = refusal(address)
            if why:
                # One bad address is enough: a name that points into a private network is no public page.
                return Refused(f"{host} resolves to {address}, {why}")
            if (int(family), address) not in addresses:
                addresses.append((int(family), address))
        if not addresses:
            return LookupFailed(f"cannot resolve {host} (no addresses)")
        return Vetted(host, tuple(addresses))


def pinned_resolver(guard: Guard):
    """An aiohttp resolver that answers only with the addresses the guard vetted."""
    from aiohttp.abc import AbstractResolver

    class PinnedResolver(AbstractResolver):
        async def resolve(self, host: str, port: int = 0, family: int = socket.AF_INET):
            vetted = guard.pinned(host)
            if vetted is None:  # never asked to vet: do it now, the same way
                try:
                    vetted = await guard.vet(host)
                except (Refused, LookupFailed) as exc:
                    raise OSError(str(exc)) from exc
            return [
                {"hostname": host, "host": address, "port": port, "family": fam, "proto": 0,
                 "flags": socket.AI_NUMERICHOST | socket.AI_NUMERICSERV}
                for fam, address in vetted.addresses
                if family in (socket.AF_UNSPEC, 0) or fam == family
            ]

        async def close(self) -> None:
            return None

    return PinnedResolver()
