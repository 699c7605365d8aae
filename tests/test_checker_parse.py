"""The checker's HTML side: charsets, link facts, placement, context and which links are to the site."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gsc_backlinks.checker.parse import SiteMatcher, decode, parse_page, robots_says
from gsc_backlinks.urls import parse_property

DOMAIN = SiteMatcher(parse_property("sc-domain:fernhill.test"))
PREFIX = SiteMatcher(parse_property("https://www.fernhill.test/shop/"))


def links_of(html: str | bytes, site=DOMAIN, url="https://blog.example/post", charset="utf-8"):
    body = html.encode("utf-8") if isinstance(html, str) else html
    return parse_page(body, url=url, header_charset=charset, site=site).links


@pytest.mark.parametrize("body, header, text, codec", [
    (codecs.BOM_UTF8 + "é".encode(), "windows-1251", "é", "utf-8"),  # a BOM beats the header
    (codecs.BOM_UTF16_LE + "é".encode("utf-16-le"), None, "é", "utf-16-le"),
    ('<meta charset="windows-1251">Ж'.encode("cp1251"), None, '<meta charset="windows-1251">Ж', "cp1251"),
    ("Ж".encode("cp1251"), "koi8-r", "Ж".encode("cp1251").decode("koi8-r"), "koi8-r"),  # the header wins
    ("ü".encode("latin-1"), "iso-8859-1", "ü", "cp1252"),  # as browsers: latin-1 means windows-1252
    ("日本".encode("cp932"), "Shift_JIS", "日本", "cp932"),
])
def test_decode_picks_the_charset_as_browsers_do(body, header, text, codec):
    got, name = decode(body, header)
    assert name == codec
    if text:
        assert got == text


def test_unknown_charset_label_falls_back_to_detection():
    text, name = decode("Компост своими руками и без лишних затрат".encode("cp1251") * 3, "x-unknown-charset")
    assert "Компост" in text and name == "cp1251"


@pytest.mark.parametrize("value, which, says", [
    ("noindex", "noindex", True), ("NOINDEX, follow", "noindex", True), ("none", "nofollow", True),
    ("index, follow", "noindex", False), ("googlebot: noindex", "noindex", True),
    ("bingbot: noindex", "noindex", False), ("otherbot: noindex, googlebot: nofollow", "nofollow", True),
    ("unavailable_after: 25 Jun 2030 15:00:00 PST", "noindex", False), ("gsc-backlinks: noindex", "noindex", True),
])
def test_robots_directives(value, which, says):
    assert robots_says(value, which) is says


def test_url_prefix_property_counts_other_spellings_of_its_host_only_under_its_path():
    html = "".join(f'<a href="{u}">x</a>' for u in (
        "https://www.fernhill.test/shop/pots", "http://fernhill.test/shop/seeds", "HTTP://WWW.FERNHILL.TEST/shop/",
        "https://www.fernhill.test/blog/", "https://shop.fernhill.test/shop/x", "https://www.fernhill.test/shop",
    ))
    assert [link.target_url for link in links_of(html, site=PREFIX)] == [
        "https://www.fernhill.test/shop/pots", "http://fernhill.test/shop/seeds", "http://www.fernhill.test/shop/",
        "https://www.fernhill.test/shop",
    ]


def test_domain_property_counts_every_subdomain_but_not_lookalikes():
    html = "".join(f'<a href="{u}">x</a>' for u in (
        "https://fernhill.test/", "https://a.b.fernhill.test/x", "https://notfernhill.test/",
        "https://fernhill.test.evil.example/", "//cdn.fernhill.test/img",
    ))
    assert [link.target_url for link in links_of(html)] == [
        "https://fernhill.test/", "https://a.b.fernhill.test/x", "https://cdn.fernhill.test/img"]


def test_context_is_about_a_hundred_characters_cut_at_words():
    words = " ".join(f"word{i}" for i in range(60))
    (link,) = links_of(f'<p>{words} <a href="https://fernhill.test/">anchor</a> {words}</p>')
    assert 70 <= len(link.context_before) <= 100 and link.context_before.endswith("word59")
    assert link.context_before.split()[0].startswith("word")  # no half word at the cut
    assert 70 <= len(link.context_after) <= 100 and link.context_after.startswith("word0")


def test_context_leaves_out_scripts_and_stays_in_its_paragraph():
    (link,) = links_of('<p>Other paragraph.</p><div><p>Before <script>var secret = 1;</script>'
                       '<a href="https://fernhill.test/">x</a><style>.a{}</style> after.</p></div>')
    assert link.context_before == "Before"
    assert link.context_after == "after."


@pytest.mark.parametrize("wrapper, placement", [
    ('<div id="sidebar">{}</div>', "aside"), ('<div class="site-footer">{}</div>', "footer"),
    ('<ul class="menu">{}</ul>', "navigation"), ('<div role="navigation">{}</div>', "navigation"),
    ('<article><header>{}</header></article>', "content"), ('<main><footer>{}</footer></main>', "content"),
    ('<main><nav>{}</nav></main>', "navigation"), ('<div class="entry-content">{}</div>', "content"),
    ('<div class="navigator headerless">{}</div>', "content"), ('<div class="main-navigation">{}</div>', "navigation"),
])
def test_placement(wrapper, placement):
    (link,) = links_of(wrapper.format('<a href="https://fernhill.test/">x</a>'))
    assert link.placement == placement


def test_hostile_anchor_text_is_kept_as_text_without_control_characters():
    (link,) = links_of('<a href="https://fernhill.test/">\x1b[31mred\x07 &lt;script&gt;alert(1)&lt;/script&gt;</a>')
    assert link.anchor_text == "[31mred <script>alert(1)</script>"
    assert "\x1b" not in link.anchor_text and "\x07" not in link.anchor_text


def test_image_link_with_text_is_a_text_link_and_without_alt_is_empty():
    first, second = links_of('<a href="https://fernhill.test/a"><img src="x.png" alt="logo"> Fernhill</a>'
                             '<a href="https://fernhill.test/b"><img src="x.png"></a>')
    assert (first.anchor_text, first.image) == ("Fernhill", False)
    assert (second.anchor_text, second.image) == ("", True)


def test_whitespace_and_entities_in_hrefs():
    (link,) = links_of('<a href="  https://fernhill.test/a%20\tb?utm_campaign=x&amp;q=1#frag  ">x</a>')
    assert link.target_url == "https://fernhill.test/a%20b?q=1"


def test_own_pages_skip_links_and_main_text():
    facts = parse_page(b'<head><link rel="Canonical" href="/c"><meta name="robots" content="noindex"></head>'
                       b'<a href="https://fernhill.test/">x</a>', url="https://fernhill.test/p", header_charset=None,
                       site=DOMAIN, own=True)
    assert facts.links == () and facts.main_text is None
    assert facts.canonical == "https://fernhill.test/c" and facts.meta_robots == "noindex"


def test_main_text_is_capped():
    paragraphs = "".join(f"<p>{'compost heap layers ' * 40} number {i}.</p>" for i in range(100))
    link = '<p>See <a href="https://fernhill.test/compost">our compost guide</a>.</p>'
    facts = parse_page(f"<html><body><article>{link}{paragraphs}</article></body></html>".encode(),
                       url="https://blog.example/", header_charset=None, site=DOMAIN, max_main_text=2000)
    assert facts.main_text and 1800 <= len(facts.main_text) <= 2000
    assert facts.main_text.startswith("See our compost guide.")


def test_main_text_only_of_pages_that_link():
    """The main text serves the relevance of a page's links: a page without one keeps none."""
    article = f"<article><p>{'compost heap layers ' * 40}</p>{{}}</article>"
    without = parse_page(article.format('<a href="https://elsewhere.example/">x</a>').encode(),
                         url="https://blog.example/", header_charset=None, site=DOMAIN)
    assert without.links == () and without.main_text is None
    linking = parse_page(article.format('<a href="https://fernhill.test/">x</a>').encode(),
                         url="https://blog.example/", header_charset=None, site=DOMAIN)
    assert linking.main_text and linking.main_text.startswith("compost heap layers")
    # A link gap page (check --competitors) links to a competitor: what it is about is wanted all the same.
    gap = parse_page(article.format('<a href="https://elsewhere.example/">x</a>').encode(),
                     url="https://blog.example/", header_charset=None, site=DOMAIN, keep_text=True)
    assert gap.links == () and gap.main_text and gap.main_text.startswith("compost heap layers")


def test_thousands_of_links_on_a_page():
    html = "".join(f'<a href="https://other{i}.example/">o</a><a href="https://fernhill.test/{i}">f{i}</a>'
                   for i in range(3000))
    links = links_of(f"<ul><li>{html}</li></ul>")
    assert len(links) == 3000 and links[-1].target_url == "https://fernhill.test/2999"


@given(st.binary(max_size=3000), st.sampled_from([None, "utf-8", "shift_jis", "bogus", "utf-16"]))
@settings(max_examples=150, deadline=None)
def test_any_bytes_parse_without_error(body, charset):
    facts = parse_page(body, url="https://blog.example/x", header_charset=charset, site=DOMAIN)
    assert isinstance(facts.links, tuple)


@given(st.text(max_size=200))
@settings(max_examples=150, deadline=None)
def test_any_href_is_handled(href):
    from html import escape

    links = links_of(f'<a href="{escape(href)}">x</a><a href="https://fernhill.test/ok">ok</a>')
    assert links[-1].target_url == "https://fernhill.test/ok"
    for link in links:
        assert link.target_url.startswith(("http://", "https://"))
