"""The checker's address guard: which addresses it refuses, and the testing allowance."""

from __future__ import annotations

import asyncio
import ipaddress
import socket

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gsc_backlinks.checker import CheckSettings, CheckSettingsError
from gsc_backlinks.checker.safety import Allowance, Guard, Refused, parse_allowance, refusal, url_refusal

PRIVATE_V4 = [
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
    "224.0.0.0/4", "240.0.0.0/4",
]
PRIVATE_V6 = ["::1/128", "::/128", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8", "2001:db8::/32", "64:ff9b:1::/48"]


def _in(network: str):
    net = ipaddress.ip_network(network)
    return st.integers(0, net.num_addresses - 1).map(lambda i: net.network_address + i)


any_private_v4 = st.one_of([_in(n) for n in PRIVATE_V4])
any_private_v6 = st.one_of([_in(n) for n in PRIVATE_V6])


@given(any_private_v4)
def test_every_private_ipv4_range_is_refused(ip):
    assert refusal(ip) is not None
    assert refusal(str(ip)) is not None


@given(any_private_v6)
def test_every_private_ipv6_range_is_refused(ip):
    assert refusal(ip) is not None


@given(any_private_v4)
def test_ipv6_forms_of_private_ipv4_are_refused(ip):
    v4 = int(ip)
    mapped = ipaddress.IPv6Address((0xFFFF << 32) | v4)  # ::ffff:a.b.c.d
    sixtofour = ipaddress.IPv6Address((0x2002 << 112) | (v4 << 80))  # 2002:aabb:ccdd::
    nat64 = ipaddress.IPv6Address((0x64FF9B << 96) | v4)  # 64:ff9b::a.b.c.d
    for form in (mapped, sixtofour, nat64):
        assert refusal(form) is not None, form
    assert "IPv6 form" in refusal(mapped)


public_v4 = st.integers(int(ipaddress.IPv4Address("1.0.0.0")), int(ipaddress.IPv4Address("9.255.255.255"))).map(
    ipaddress.IPv4Address
) | st.integers(int(ipaddress.IPv4Address("11.0.0.0")), int(ipaddress.IPv4Address("99.255.255.255"))).map(
    ipaddress.IPv4Address
)


@given(public_v4)
@settings(max_examples=200)
def test_public_addresses_pass_also_in_ipv6_form(ip):
    assert refusal(ip) is None
    assert refusal(ipaddress.IPv6Address((0xFFFF << 32) | int(ip))) is None


@pytest.mark.parametrize("address, words", [
    ("169.254.169.254", "link-local"), ("127.0.0.1", "loopback"), ("10.1.2.3", "private"),
    ("100.64.1.1", "carrier-grade NAT"), ("::ffff:127.0.0.1", "loopback address, in IPv6 form"),
    ("fd12::1", "unique-local"), ("fe80::1", "link-local"), ("224.0.0.1", "multicast"),
    ("198.18.0.1", "benchmarking"), ("0.0.0.0", "unspecified"), ("::", "unspecified"),
])
def test_refusal_says_what_the_address_is(address, words):
    assert words in refusal(address)


def test_public_addresses_pass():
    for address in ("8.8.8.8", "93.184.216.34", "2606:4700:4700::1111", "2a00:1450:4001:82a::200e"):
        assert refusal(address) is None


@pytest.mark.parametrize("url, words", [
    ("http://user:secret@blog.example/", "user name or password"),
    ("https://user@blog.example/", "user name or password"),
    ("ftp://blog.example/file", "not an http(s) URL"),
    ("file:///etc/passwd", "not an http(s) URL"),
    ("http:///nohost", "no host"),
    ("http://blog.example:0/", "port 0"),
])
def test_urls_refused_before_any_lookup(url, words):
    assert words in url_refusal(url)


def test_allowance_needs_the_testing_switch():
    with pytest.raises(CheckSettingsError, match="needs GSC_BACKLINKS_CHECK_TESTING=1"):
        parse_allowance(None, "*.test=127.0.0.1")
    with pytest.raises(CheckSettingsError, match="must be 1 or unset"):
        parse_allowance("yes", "*.test=127.0.0.1")
    with pytest.raises(CheckSettingsError, match="is not like"):
        parse_allowance("1", "*.test")
    assert parse_allowance(None, None) == Allowance()
    assert parse_allowance("1", "*.test=127.0.0.1, a.example=::1").hosts == (("*.test", "127.0.0.1"), ("a.example", "::1"))


def _vet(guard: Guard, host: str):
    async def go():
        return await guard.vet(host)
    return asyncio.run(go())


def test_allowance_maps_names_to_loopback_only():
    guard = Guard(Allowance((("*.test", "127.0.0.1"), ("*.corp.example", "10.1.2.3"))))
    assert _vet(guard, "blog.test").addresses == ((socket.AF_INET, "127.0.0.1"),)
    with pytest.raises(Refused, match="10.1.2.3, a private address"):
        _vet(guard, "intranet.corp.example")
    # An IP literal is never covered by the allowance.
    with pytest.raises(Refused, match="loopback"):
        _vet(guard, "127.0.0.1")


def test_names_resolving_to_private_addresses_are_refused(monkeypatch):
    answers = {
        "intranet.example": [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", 80))],
        "metadata.example": [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", 80))],
        "mapped.example": [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("::ffff:192.168.1.1", 80, 0, 0))],
        "mixed.example": [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 80)),
                          (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 80))],
        "public.example": [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 80))],
    }
    calls = []

    def fake_getaddrinfo(host, port, *args, **kwargs):
        calls.append(host)
        if host in answers:
            return answers[host]
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    guard = Guard(Allowance())
    for host, words in [("intranet.example", "10.0.0.5, a private address"),
                        ("metadata.example", "169.254.169.254, a link-local address"),
                        ("mapped.example", "a private address, in IPv6 form"),
                        ("mixed.example", "127.0.0.1, a loopback address")]:
        with pytest.raises(Refused, match=words):
            _vet(guard, host)
    assert _vet(guard, "public.example").addresses == ((socket.AF_INET, "93.184.216.34"),)
    # The verdict is kept for the run: a second ask does not look the name up again (no rebinding).
    answers["public.example"] = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.9.9.9", 80))]
    assert _vet(guard, "public.example").addresses == ((socket.AF_INET, "93.184.216.34"),)
    assert calls.count("public.example") == 1


def test_localhost_is_refused_without_the_allowance():
    guard = Guard(Allowance())
    with pytest.raises(Refused, match="loopback"):
        _vet(guard, "localhost")


def test_pinned_resolver_answers_with_the_vetted_address_only(monkeypatch):
    from gsc_backlinks.checker.safety import pinned_resolver

    guard = Guard(Allowance((("*.test", "127.0.0.1"),)))
    resolver = pinned_resolver(guard)

    async def go():
        await guard.vet("shop.test")
        # If anything asked the system resolver now, it would get another answer.
        monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: pytest.fail("a second lookup"))
        return await resolver.resolve("shop.test", 8080, socket.AF_UNSPEC)

    assert [(r["host"], r["port"]) for r in asyncio.run(go())] == [("127.0.0.1", 8080)]


def test_settings_are_checked():
    with pytest.raises(CheckSettingsError, match="concurrency must be more than 0"):
        CheckSettings(concurrency=0)
    with pytest.raises(CheckSettingsError, match="per-host-delay must not be negative"):
        CheckSettings(per_host_delay=-1)
    with pytest.raises(CheckSettingsError, match="one line"):
        CheckSettings(user_agent="bad\r\nX-Injected: 1")
    assert CheckSettings().user_agent.startswith("gsc-backlinks/")
    assert CheckSettings().robots_token == "gsc-backlinks"
