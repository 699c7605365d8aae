"""The one URL form every stage joins on, registrable domains and property names."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).parent))

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gsc_backlinks import urls
from gsc_backlinks.errors import UsageError
from gsc_backlinks.urls import (
    Property,
    canonical_url,
    host_of,
    is_web_url,
    parse_property,
    registrable_domain,
)

HYPOTHESIS = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


def normalize_url_array(values):
    """Canonical URLs, hosts and registrable domains, as the export reader computes them."""
    canon, hosts_ = urls.canonical_url_array(values)
    return canon, hosts_, urls.domains_of(hosts_)

# --- canonical_url: the table ---------------------------------------------------------

CANONICAL_CASES = [
    # raw spaces and raw Unicode, as Search Console writes them
    ("https://www.example.com/Sydney/Flooring Supply", "https://www.example.com/Sydney/Flooring%20Supply"),
    (
        "https://qiita.example/iphoneのjavascript処理速度/",
        "https://qiita.example/iphone%E3%81%AEjavascript%E5%87%A6%E7%90%86%E9%80%9F%E5%BA%A6/",
    ),
    ("https://example.com/café?q=crème brûlée", "https://example.com/caf%C3%A9?q=cr%C3%A8me%20br%C3%BBl%C3%A9e"),
    # scheme and host lower-case, path case kept
    ("HTTPS://WWW.Example.COM/Path/Page", "https://www.example.com/Path/Page"),
    # default ports dropped, other ports kept
    ("http://example.com:80/a", "http://example.com/a"),
    ("https://example.com:443/a", "https://example.com/a"),
    ("https://example.com:8443/a", "https://example.com:8443/a"),
    ("http://example.com:443/a", "http://example.com:443/a"),
    # fragment dropped, query kept as written
    ("https://example.com/a#section-2", "https://example.com/a"),
    ("https://example.com/a?b=2&a=1#top", "https://example.com/a?b=2&a=1"),
    ("https://example.com/a?", "https://example.com/a"),
    # empty path
    ("https://example.com", "https://example.com/"),
    ("https://example.com?x=1", "https://example.com/?x=1"),
    # dot segments
    ("https://example.com/a/./b/../c", "https://example.com/a/c"),
    ("https://example.com/a/b/..", "https://example.com/a/"),
    ("https://example.com/../../x", "https://example.com/x"),
    ("https://example.com/a/%2E%2E/b", "https://example.com/b"),
    # escapes of unreserved characters decoded, others upper-cased
    ("https://example.com/%7euser/", "https://example.com/~user/"),
    ("https://example.com/%41%2d%5F", "https://example.com/A-_"),
    ("https://example.com/caf%c3%a9", "https://example.com/caf%C3%A9"),
    ("https://example.com/a%2fb", "https://example.com/a%2Fb"),
    ("https://example.com/100%", "https://example.com/100%25"),
    # internationalized host to punycode, trailing dot removed
    ("https://bücher.example/", "https://xn--bcher-kva.example/"),
    ("https://BÜCHER.example/katalog", "https://xn--bcher-kva.example/katalog"),
    ("https://www.example.com./", "https://www.example.com/"),
    # surrounding whitespace (including a BOM and a no-break space) stripped
    ("  https://example.com/a \t\r\n", "https://example.com/a"),
    ("\ufeff\u00a0https://example.com/a\u00a0", "https://example.com/a"),
    # not web URLs: kept as stripped text
    ("javascript:alert(1)", "javascript:alert(1)"),
    ("  mailto:someone@example.com ", "mailto:someone@example.com"),
    ("not a url", "not a url"),
    ("", ""),
]


@pytest.mark.parametrize(("raw", "expected"), CANONICAL_CASES)
def test_canonical_url_table(raw, expected):
    assert canonical_url(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), CANONICAL_CASES)
def test_canonical_url_table_is_a_fixed_point(raw, expected):
    assert canonical_url(expected) == expected


def test_javascript_link_is_text_without_a_host():
    value = canonical_url("javascript:alert(1)")
    assert value == "javascript:alert(1)"
    assert host_of(value) is None
    assert not is_web_url(value)
    assert registrable_domain(host_of(value)) is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("example.com/page", "https://example.com/page"),
        ("Example.com", "https://example.com/"),
        ("//example.com/a b", "https://example.com/a%20b"),
        ("http://example.com/page", "http://example.com/page"),  # an explicit scheme wins
    ],
)
def test_default_scheme_for_typed_urls(typed, expected):
    assert canonical_url(typed, default_scheme="https") == expected


def test_without_default_scheme_a_bare_host_is_text():
    assert canonical_url("example.com/page") == "example.com/page"
    assert host_of(canonical_url("example.com/page")) is None


def test_host_of_canonical_urls():
    assert host_of("https://www.example.com/a?b") == "www.example.com"
    assert host_of("https://user@www.example.com:8443/") == "www.example.com"
    assert host_of("http://[::1]:8080/") == "[::1]"
    assert host_of(None) is None
    assert host_of("") is None


def test_canonical_url_never_raises_on_superscript_port():
    assert canonical_url("http://example.com:²/") == "http://example.com:²/"


def test_canonical_url_idempotent_on_fullwidth_punctuation_in_unicode_host():
    once = canonical_url("http://bücher？q.example/")
    assert canonical_url(once) == once


def test_text_with_an_invalid_host_has_no_host():
    value = canonical_url("http://exa mple.com/page")
    assert value == "http://exa mple.com/page"  # kept as text ...
    assert host_of(value) is None  # ... so it must have no host


# --- canonical_url: properties ----------------------------------------------------------

_host_label = st.text(alphabet="abcxyzABCXYZ0189-äöüßéñ日本語", min_size=1, max_size=8)
hosts = st.lists(_host_label, min_size=1, max_size=4).map(".".join) | st.sampled_from(
    ["www.example.com", "EXAMPLE.co.uk", "bücher.de", "127.0.0.1", "[::1]", "localhost", "example.com."]
)
schemes = st.sampled_from(["http", "https", "HTTP", "Https"])
ports = st.none() | st.sampled_from([80, 443, 8080]) | st.integers(min_value=0, max_value=99999)
_path_piece = st.text(max_size=10) | st.sampled_from([".", "..", "%7e", "%c3%a9", "%2F", "a b", "%", "~x", "ü"])
paths = st.lists(_path_piece, max_size=5).map(lambda parts: "/" + "/".join(parts)) | st.just("")
queries = st.none() | st.text(max_size=15)
fragments = st.none() | st.text(max_size=6)
padding = st.sampled_from(["", " ", "\t", "\n", " \r\n", "\u00a0"])


@st.composite
def url_like(draw):
    scheme, host, port = draw(schemes), draw(hosts), draw(ports)
    text = f"{scheme}://{host}" + (f":{port}" if port is not None else "") + draw(paths)
    query, fragment = draw(queries), draw(fragments)
    if query is not None:
        text += "?" + query
    if fragment is not None:
        text += "#" + fragment
    return draw(padding) + text + draw(padding)


@HYPOTHESIS
@given(st.text())
def test_canonical_url_never_raises_and_is_idempotent_on_any_text(text):
    once = canonical_url(text)
    assert isinstance(once, str)
    assert canonical_url(once) == once


@HYPOTHESIS
@given(st.text(), st.sampled_from(["http", "https"]))
def test_canonical_url_with_default_scheme_is_idempotent(text, scheme):
    once = canonical_url(text, default_scheme=scheme)
    assert canonical_url(once, default_scheme=scheme) == once


@HYPOTHESIS
@given(url_like())
def test_canonical_url_idempotent_on_url_like_strings(text):
    once = canonical_url(text)
    assert canonical_url(once) == once


@HYPOTHESIS
@given(url_like())
def test_canonical_web_urls_have_a_clean_form(text):
    canon = canonical_url(text)
    if not host_of(canon):
        return
    assert canon.startswith(("http://", "https://"))
    assert "#" not in canon
    assert not re.search(r"\s", canon)  # spaces and other whitespace are escaped
    assert canon.isascii()  # raw Unicode is escaped, hosts are punycode
    assert not re.search(r"%[0-9A-F]?[a-f]", canon)  # escapes use upper-case hex
    path = canon.split("://", 1)[1]
    path = path[path.find("/"):] if "/" in path else ""
    assert path.startswith("/")
    assert "/./" not in path.split("?")[0] and "/../" not in path.split("?")[0]


url_values = st.lists(
    st.none() | st.text(max_size=30) | url_like() | st.sampled_from(["javascript:alert(1)", ""]),
    max_size=20,
)


def assert_agrees_with_the_python_rule(values, normalized):
    canon, hosts_, domains = normalized
    expected_canon = [canonical_url(v or "") for v in values]
    expected_hosts = [host_of(c) for c in expected_canon]
    assert canon.to_pylist() == expected_canon
    assert hosts_.to_pylist() == expected_hosts
    assert domains.to_pylist() == [registrable_domain(h) for h in expected_hosts]


@HYPOTHESIS
@given(url_values)
def test_normalize_url_array_agrees_with_the_python_rule(values):
    assert_agrees_with_the_python_rule(values, normalize_url_array(pa.array(values, pa.string())))


@HYPOTHESIS
@given(st.lists(url_values, max_size=5))
def test_normalize_url_array_works_on_the_readers_chunks_in_threads(parts):
    # A CSV export arrives as a chunked array; small pieces make every chunk a thread's job.
    values = [v for part in parts for v in part]
    chunked = pa.chunked_array([pa.array(part, pa.string()) for part in parts], pa.string())
    with mock.patch.object(urls, "_CHUNK", 3):
        assert_agrees_with_the_python_rule(values, normalize_url_array(chunked))


NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")  # the Python rule: each run of non-ASCII through _fix_escape


@HYPOTHESIS
@given(st.lists(st.text(max_size=20), max_size=10), st.integers(0, 3))
def test_non_ascii_is_percent_encoded_byte_by_byte_as_the_python_rule(values, skip):
    # A slice of a bigger array, as the reader's chunks are: its buffers start elsewhere.
    values = [v.encode("utf-8", "replace").decode("utf-8") for v in values]  # Arrow holds valid UTF-8
    array = pa.array(["x" * 7] * skip + values, pa.string()).slice(skip)
    got = urls._percent_encode_non_ascii(array).to_pylist()
    assert got == [NON_ASCII_RUN.sub(urls._fix_escape, v) for v in values]


def test_normalize_url_array_examples():
    values = [
        "https://www.example.com/",  # already canonical: fast path
        "https://blog.foo.co.uk/a b",
        "HTTPS://Example.com/./x",
        None,
        "javascript:alert(1)",
        "https://bücher.de/",
    ]
    canon, hosts_, domains = normalize_url_array(pa.array(values, pa.string()))
    assert canon.to_pylist() == [
        "https://www.example.com/",
        "https://blog.foo.co.uk/a%20b",
        "https://example.com/x",
        "",
        "javascript:alert(1)",
        "https://xn--bcher-kva.de/",
    ]
    assert hosts_.to_pylist() == ["www.example.com", "blog.foo.co.uk", "example.com", None, None, "xn--bcher-kva.de"]
    assert domains.to_pylist() == ["example.com", "foo.co.uk", "example.com", None, None, "xn--bcher-kva.de"]


# --- registrable_domain -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("m.example.co.uk", "example.co.uk"),
        ("www.example.com", "example.com"),
        ("example.com", "example.com"),
        ("a.b.c.example.com", "example.com"),
        ("WWW.Example.COM.", "example.com"),
        ("example.com.au", "example.com.au"),  # the public suffix is kept: not example.com
        ("example.com.de", "com.de"),  # com.de is in the list's private section: com.de is the site
        ("blog.foo.co.uk", "foo.co.uk"),
        ("192.168.0.1", "192.168.0.1"),
        ("[2001:db8::1]", "[2001:db8::1]"),
        ("localhost", "localhost"),
        ("co.uk", "co.uk"),
        ("com", "com"),
        # Search Console's grouping: the ICANN part of the list only (a real drill-down lists
        # `blogspot.com,1`), so blogs, GitHub Pages and cloud hosts are one site each.
        ("alice.blogspot.com", "blogspot.com"),
        ("www.alice.blogspot.co.uk", "blogspot.co.uk"),
        ("bob.github.io", "github.io"),
        ("x.y.s3.amazonaws.com", "amazonaws.com"),
        ("blogspot.com", "blogspot.com"),
        (None, None),
        ("", None),
    ],
)
def test_registrable_domain(host, expected):
    assert registrable_domain(host) == expected


def _hosts_around_every_psl_rule() -> list[str]:
    """Hosts at, below and above every rule of the bundled list, plus odd ones."""
    hosts = {"192.168.0.1", "1.2.3.4.example", "[::1]", "localhost", "a..b", ".a.com", "a.com.",
             "EXAMPLE.com", "x.1", "x.1a", "1.com", "a.b.c.d.e.f.g.h.i.j.k", "foo.unknowntld", ""}
    from publicsuffixlist import PublicSuffixList

    for rule in PublicSuffixList()._publicsuffix:  # private rules too: hosts under them must group by ICANN
        base = rule.lstrip("!").removeprefix("*.")
        if not base.isascii():
            continue  # the list holds each IDN rule in punycode too
        labels = base.split(".")
        for i in range(len(labels)):
            tail = ".".join(labels[i:])
            hosts.update((tail, "a." + tail, "www.a." + tail, "c.b.a." + tail))
    return sorted(hosts)


def test_vectorized_registrable_domains_agree_with_the_list_on_every_rule():
    hosts = _hosts_around_every_psl_rule()
    assert len(hosts) > 40_000
    got = urls.registrable_domains(pa.array(hosts, pa.string())).to_pylist()
    wrong = [(h, g, registrable_domain(h)) for h, g in zip(hosts, got) if g != registrable_domain(h)]
    assert wrong == []


def test_registrable_domain_is_the_lists_privatesuffix_on_every_rule():
    from publicsuffixlist import PublicSuffixList

    psl = PublicSuffixList(only_icann=True)
    # Names only: IP addresses are their own domain, and outer dots are stripped first (tested above).
    hosts = [h for h in _hosts_around_every_psl_rule() if h and h.strip(".") == h and not h[-1].isdigit()]
    assert len(hosts) > 40_000
    wrong = [(h, registrable_domain(h)) for h in hosts if registrable_domain(h) != (psl.privatesuffix(h) or h)]
    assert wrong == []
    assert registrable_domain("a..b") == "a..b"


def test_vectorized_registrable_domains_keep_nulls_and_order():
    got = urls.registrable_domains(pa.array(["www.example.co.uk", None, "10.0.0.1", "a.b.github.io"]))
    assert got.to_pylist() == ["example.co.uk", None, "10.0.0.1", "github.io"]


# --- Search Console properties ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "site", "domain"),
    [
        ("sc-domain:example.com", "sc-domain:example.com", "example.com"),
        ("SC-Domain:Example.COM", "sc-domain:example.com", "example.com"),
        ("  sc-domain: example.com.  ", "sc-domain:example.com", "example.com"),
        ("sc-domain:bücher.de", "sc-domain:xn--bcher-kva.de", "xn--bcher-kva.de"),
    ],
)
def test_parse_domain_property(text, site, domain):
    prop = parse_property(text)
    assert prop.site == site
    assert prop.domain == domain
    assert prop.is_domain
    assert prop.prefix is None
    assert str(prop) == site


@pytest.mark.parametrize(
    ("text", "site"),
    [
        ("https://www.example.com/", "https://www.example.com/"),
        ("https://www.example.com", "https://www.example.com/"),
        ("HTTPS://WWW.Example.com", "https://www.example.com/"),
        ("http://example.com:80", "http://example.com/"),
        ("https://www.example.com/blog", "https://www.example.com/blog/"),
        ("https://www.example.com/blog/", "https://www.example.com/blog/"),
    ],
)
def test_parse_url_prefix_property(text, site):
    prop = parse_property(text)
    assert prop.site == site
    assert prop.prefix == site
    assert not prop.is_domain


@pytest.mark.parametrize("bare", ["example.com", " example.com "])
def test_bare_domain_is_refused_with_both_suggestions(bare):
    with pytest.raises(UsageError) as info:
        parse_property(bare)
    message = str(info.value)
    assert "sc-domain:example.com" in message
    assert "https://example.com/" in message


def test_bare_www_host_suggests_its_domain_and_its_prefix():
    with pytest.raises(UsageError) as info:
        parse_property("www.example.co.uk")
    message = str(info.value)
    assert "sc-domain:example.co.uk" in message
    assert "https://www.example.co.uk/" in message


@pytest.mark.parametrize(
    "text",
    ["", "   ", "sc-domain:", "sc-domain:localhost", "sc-domain:example.com/blog", "https://", "https://x.com/?q=1",
     "ftp://example.com/", "not a property"],
)
def test_bad_property_names_raise_usage_error(text):
    with pytest.raises(UsageError):
        parse_property(text)


def test_url_prefix_property_contains():
    prop = parse_property("https://www.example.com/")
    assert prop.contains("https://www.example.com/")
    assert prop.contains("https://www.example.com/a/b?c=d")
    assert not prop.contains("http://www.example.com/")  # another protocol is another property
    assert not prop.contains("https://example.com/")
    assert not prop.contains("https://www.example.com.evil.com/")
    assert not prop.contains(None)
    assert not prop.contains("")
    assert not prop.contains("javascript:alert(1)")


def test_url_prefix_property_with_a_folder_contains_its_root_without_slash():
    prop = parse_property("https://www.example.com/blog/")
    assert prop.contains("https://www.example.com/blog")
    assert prop.contains("https://www.example.com/blog/post")
    assert not prop.contains("https://www.example.com/")
    assert not prop.contains("https://www.example.com/blogger")


def test_domain_property_contains_every_subdomain_and_protocol():
    prop = parse_property("sc-domain:example.com")
    assert prop.contains("https://example.com/")
    assert prop.contains("http://www.example.com/a")
    assert prop.contains("https://m.shop.example.com/")
    assert not prop.contains("https://notexample.com/")
    assert not prop.contains("https://example.com.evil.org/")
    assert not prop.contains("javascript:alert(1)")


def test_file_slug_is_how_search_console_names_export_files():
    assert parse_property("https://www.example.com/").file_slug == "https___www.example.com_"
    assert parse_property("http://example.com/shop/").file_slug == "http___example.com_shop_"
    assert parse_property("sc-domain:spotto.be").file_slug == "spotto.be"


def test_property_is_a_value():
    assert parse_property("https://www.example.com") == Property(
        site="https://www.example.com/", prefix="https://www.example.com/"
    )


def test_display_url_reads_back_unicode():
    canon = canonical_url("https://bücher.example/iphoneのjs/a b")
    assert urls.display_url(canon) == "https://bücher.example/iphoneのjs/a b"


def test_the_list_is_read_into_the_same_rules_as_publicsuffixlist_reads_it():
    from publicsuffixlist import PublicSuffixList

    rules, maxlabel = urls.public_suffix_rules()
    psl = PublicSuffixList(only_icann=True)
    assert rules == psl._publicsuffix
    assert maxlabel == psl._maxlabel
    assert "co.uk" in rules and "*.ck" in rules and "!www.ck" in rules
    assert "blogspot.com" not in rules and "github.io" not in rules  # the private section is left out
