"""The link checker against loopback linking sites: what a user sees per page and per link."""

from __future__ import annotations

import asyncio
import gzip
import time

import pytest
from linksites import LinkSites

from gsc_backlinks.checker import STATUSES, CheckSettings, CheckSettingsError, check_pages, run_checks
from gsc_backlinks.urls import parse_property

SITE = parse_property("sc-domain:fernhill.test")
UA = "gsc-backlinks/"
FAST = dict(per_host_delay=0.0, connect_timeout=2.0, response_timeout=2.0)


def doc(body: str, head: str = "", lang: str = "en") -> str:
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>A page</title>{head}</head>'
            f'<body>{body}</body></html>')


@pytest.fixture(autouse=True)
def allowance(monkeypatch):
    """The testing allowance: every *.test name goes to the loopback stand-in."""
    monkeypatch.setenv("GSC_BACKLINKS_CHECK_TESTING", "1")
    monkeypatch.setenv("GSC_BACKLINKS_CHECK_HOSTS", "*.test=127.0.0.1")


@pytest.fixture(scope="module")
def sites():
    with LinkSites() as server:
        yield server


def check(urls, *, own=False, site=SITE, **options):
    """Run the checker; {url asked: PageCheck}."""
    results = []
    settings = CheckSettings(**{**FAST, **options})
    summary = run_checks(list(urls), site=site, settings=settings, on_result=results.append, own=own)
    assert summary.pages == len(results)
    return {r.url: r for r in results}


def one(sites, host, path, **options):
    return check([sites.url(host, path)], **options)[sites.url(host, path)]


# --- links and their facts -------------------------------------------------------------


def test_live_page_with_every_kind_of_link(sites):
    sites.page("kinds.test", "/post", doc(
        '<header><a href="https://www.fernhill.test/">Fernhill</a></header>'
        '<nav><ul><li><a href="https://www.fernhill.test/shop/">Shop</a></li></ul></nav>'
        '<main><article><h1>Compost</h1>'
        '<p>We tried many heaps this spring. The best advice came from '
        '<a href="https://www.fernhill.test/compost/?utm_source=blog&amp;utm_medium=ref&amp;page=2#step-3">'
        'the\n  Fernhill   compost guide</a>'
        ', which explains layering green and brown material.</p>'
        '<p><a REL="NoFollow UGC" href="https://fernhill.test/forum">a forum thread</a> and '
        '<a rel="sponsored" href="https://shop.fernhill.test/sale">the sale</a></p>'
        '<p><a href="https://www.fernhill.test/roses"><img src="r.jpg" alt="Climbing roses at Fernhill"></a></p>'
        '<p><a href="https://www.example.org/">someone else</a> <a href="javascript:location=\'https://www.fernhill.test/js\'">js</a>'
        ' <a href="data:text/html,https://www.fernhill.test/data">data</a> <a href="mailto:info@fernhill.test">mail</a></p>'
        '</article></main>'
        '<aside><a href="https://www.fernhill.test/newsletter">Newsletter</a></aside>'
        '<footer><a href="https://www.fernhill.test/about">About Fernhill</a></footer>'
    ))
    page = one(sites, "kinds.test", "/post")
    assert page.status == "live"
    assert page.http_status == 200 and page.title == "A page" and page.lang == "en"
    links = {link.target_url: link for link in page.links}
    assert set(links) == {
        "https://www.fernhill.test/", "https://www.fernhill.test/shop/", "https://www.fernhill.test/compost/?page=2",
        "https://fernhill.test/forum", "https://shop.fernhill.test/sale", "https://www.fernhill.test/roses",
        "https://www.fernhill.test/newsletter", "https://www.fernhill.test/about",
    }
    guide = links["https://www.fernhill.test/compost/?page=2"]
    assert guide.anchor_text == "the Fernhill compost guide"
    assert guide.placement == "content" and not (guide.nofollow or guide.ugc or guide.sponsored or guide.image)
    assert guide.context_before == "We tried many heaps this spring. The best advice came from"
    assert guide.context_after == ", which explains layering green and brown material."
    assert guide.linking_url == sites.url("kinds.test", "/post")
    forum = links["https://fernhill.test/forum"]
    assert (forum.nofollow, forum.ugc, forum.sponsored) == (True, True, False)
    assert links["https://shop.fernhill.test/sale"].sponsored
    roses = links["https://www.fernhill.test/roses"]
    assert roses.image and roses.anchor_text == "Climbing roses at Fernhill"
    assert links["https://www.fernhill.test/"].placement == "header"
    assert links["https://www.fernhill.test/shop/"].placement == "navigation"
    assert links["https://www.fernhill.test/newsletter"].placement == "aside"
    assert links["https://www.fernhill.test/about"].placement == "footer"
    assert page.main_text and "layering green and brown material" in page.main_text
    assert "Newsletter" not in page.main_text  # boilerplate removed
    assert page.size > 0 and page.elapsed >= 0
    assert page.checked_at.tzinfo is not None


def test_relative_links_and_base_href(sites):
    sites.page("base.test", "/a/b/post", doc('<p>See <a href="../../compost/heap?x=1#top">the heap</a> and '
                                             '<a href="/local">a local page</a>.</p>',
                                             head='<base href="https://www.fernhill.test/guides/deep/">'))
    sites.page("nobase.test", "/post", doc('<p><a href="/compost">relative, so on nobase.test</a></p>'))
    pages = check([sites.url("base.test", "/a/b/post"), sites.url("nobase.test", "/post")])
    based = pages[sites.url("base.test", "/a/b/post")]
    assert [link.target_url for link in based.links] == ["https://www.fernhill.test/compost/heap?x=1",
                                                          "https://www.fernhill.test/local"]
    assert based.status == "live"
    assert pages[sites.url("nobase.test", "/post")].status == "link_missing"


def test_links_inside_noscript_area_and_svg_count(sites):
    sites.page("special.test", "/p", doc(
        '<noscript><a href="https://www.fernhill.test/noscript">without scripts</a></noscript>'
        '<img src="map.png" usemap="#m"><map name="m"><area shape="rect" coords="0,0,10,10" '
        'href="https://www.fernhill.test/area" alt="Garden map"></map>'
        '<svg width="10" height="10"><a xlink:href="https://www.fernhill.test/svg-old"><text>old svg</text></a>'
        '<a href="https://www.fernhill.test/svg-new"><text>new svg</text></a></svg>'
        '<script>document.write(\'<a href="https://www.fernhill.test/js">js</a>\')</script>'
    ))
    page = one(sites, "special.test", "/p")
    links = {link.target_url: link for link in page.links}
    assert set(links) == {"https://www.fernhill.test/noscript", "https://www.fernhill.test/area",
                          "https://www.fernhill.test/svg-old", "https://www.fernhill.test/svg-new"}
    assert links["https://www.fernhill.test/area"].image and links["https://www.fernhill.test/area"].anchor_text == "Garden map"
    assert links["https://www.fernhill.test/svg-old"].anchor_text == "old svg"
    assert links["https://www.fernhill.test/noscript"].anchor_text == "without scripts"


def test_only_script_and_data_hrefs_mean_the_link_is_missing(sites):
    sites.page("js.test", "/p", doc('<a href="javascript:void(\'https://www.fernhill.test/\')">go</a> '
                                    '<a href=" JavaScript:alert(1)">x</a> <a href="data:,www.fernhill.test">d</a>'))
    page = one(sites, "js.test", "/p")
    assert page.status == "link_missing" and page.links == ()
    assert page.reason == "answers but no longer links to the site"


def test_malformed_html_still_gives_its_links(sites):
    sites.page("broken.test", "/p", '<html><body><div><p>Unclosed <b>bold <a href=https://www.fernhill.test/x '
                                    'rel=nofollow>bare attributes<p>next para <table><tr><td>'
                                    '<a href="https://www.fernhill.test/y">in a cell')
    page = one(sites, "broken.test", "/p")
    assert {(link.target_url, link.nofollow) for link in page.links} == {
        ("https://www.fernhill.test/x", True), ("https://www.fernhill.test/y", False)}
    assert page.status == "live"


def test_meta_robots_nofollow_makes_every_link_nofollow(sites):
    sites.page("metanf.test", "/p", doc('<p><a href="https://www.fernhill.test/">home</a></p>',
                                        head='<meta name="robots" content="index, NOFOLLOW">'))
    page = one(sites, "metanf.test", "/p")
    assert page.status == "live_nofollow"
    assert page.reason == "links to the site, but the page says nofollow"
    assert page.meta_robots == "index, NOFOLLOW"
    assert page.links[0].nofollow


def test_all_links_nofollow_or_ugc(sites):
    sites.page("allnf.test", "/p", doc('<a rel="ugc" href="https://www.fernhill.test/a">a</a>'
                                       '<a rel="nofollow noopener" href="https://www.fernhill.test/b">b</a>'))
    page = one(sites, "allnf.test", "/p")
    assert page.status == "live_nofollow"
    assert page.reason == "links to the site, but every link to the site is nofollow/ugc"


def test_noindex_by_meta_or_header_keeps_the_links(sites):
    sites.page("noindex.test", "/meta", doc('<a href="https://www.fernhill.test/">home</a>',
                                            head='<meta name="googlebot" content="noindex">'))
    sites.page("noindex.test", "/header", doc('<a href="https://www.fernhill.test/">home</a>'),
               headers={"X-Robots-Tag": "googlebot: noindex, nofollow"})
    sites.page("noindex.test", "/otherbot", doc('<a href="https://www.fernhill.test/">home</a>'),
               headers={"X-Robots-Tag": "otherbot: noindex"})
    pages = check([sites.url("noindex.test", p) for p in ("/meta", "/header", "/otherbot")])
    meta = pages[sites.url("noindex.test", "/meta")]
    assert meta.status == "noindex" and len(meta.links) == 1
    assert meta.reason == "links to the site, but asks not to be indexed (meta robots)"
    header = pages[sites.url("noindex.test", "/header")]
    assert header.status == "noindex" and header.x_robots_tag == "googlebot: noindex, nofollow"
    assert "X-Robots-Tag" in header.reason and header.links[0].nofollow
    assert pages[sites.url("noindex.test", "/otherbot")].status == "live"


def test_canonical_elsewhere(sites):
    sites.page("canon.test", "/copy", doc('<a href="https://www.fernhill.test/">home</a>',
                                          head='<link rel="canonical" href="/original">'))
    sites.page("canon.test", "/self", doc('<a href="https://www.fernhill.test/">home</a>',
                                          head=f'<link rel="canonical" href="https://canon.test:{sites.port}/self/">'))
    pages = check([sites.url("canon.test", "/copy"), sites.url("canon.test", "/self")])
    copy = pages[sites.url("canon.test", "/copy")]
    assert copy.status == "canonical_elsewhere"
    assert copy.canonical == sites.url("canon.test", "/original")
    assert copy.reason == f"links to the site, but names {sites.url('canon.test', '/original')} as its canonical page"
    assert pages[sites.url("canon.test", "/self")].status == "live"  # http/https and a slash: the same page


# --- redirects and answers ------------------------------------------------------------------


def test_redirect_chain_to_a_page_that_links(sites):
    sites.redirect("moved.test", "/old", "/older", 301)
    sites.redirect("moved.test", "/older", sites.url("new.test", "/post"), 308)
    sites.page("new.test", "/post", doc('<p>Now at <a href="https://www.fernhill.test/compost">compost</a>.</p>'))
    page = one(sites, "moved.test", "/old")
    assert page.status == "redirected"
    assert page.final_url == sites.url("new.test", "/post")
    assert page.hops == ((sites.url("moved.test", "/old"), 301), (sites.url("moved.test", "/older"), 308),
                         (sites.url("new.test", "/post"), 200))
    assert page.reason == f"301 to {sites.url('new.test', '/post')}, which links to the site (1 link)"
    assert page.links[0].target_url == "https://www.fernhill.test/compost"
    assert page.links[0].linking_url == sites.url("moved.test", "/old")
    # robots.txt of both hosts was asked, as for any request.
    assert sites.requests_to("new.test", "/robots.txt")


def test_redirect_to_the_home_page_without_a_link(sites):
    sites.redirect("gone.test", "/article", "/", 301)
    sites.page("gone.test", "/", doc("<p>Welcome to our blog.</p>"))
    page = one(sites, "gone.test", "/article")
    assert page.status == "redirected" and page.redirect_to_home
    assert page.reason == f"301 to the home page {sites.url('gone.test', '/')}, which does not link to the site"
    assert page.links == ()


def test_http_to_https_style_redirect_is_the_same_page(sites):
    sites.redirect("slash.test", "/post", "/post/", 301)
    sites.page("slash.test", "/post/", doc('<a href="https://www.fernhill.test/">home</a>'))
    page = one(sites, "slash.test", "/post")
    assert page.status == "live" and page.final_url == sites.url("slash.test", "/post/")


def test_redirect_loop_and_too_many_redirects(sites):
    sites.redirect("loop.test", "/a", "/b")
    sites.redirect("loop.test", "/b", "/a")
    for i in range(8):
        sites.redirect("chain.test", f"/{i}", f"/{i + 1}", 302)
    pages = check([sites.url("loop.test", "/a"), sites.url("chain.test", "/0")])
    loop = pages[sites.url("loop.test", "/a")]
    assert loop.status == "server_error" and "redirects in a loop" in loop.reason
    chain = pages[sites.url("chain.test", "/0")]
    assert chain.status == "server_error" and "redirects more than 5 times" in chain.reason
    assert len(sites.requests_to("chain.test")) == 1 + 6  # robots.txt, then the first six hops only


@pytest.mark.parametrize("code, status", [(404, "not_found"), (410, "not_found"), (500, "server_error"),
                                          (403, "server_error")])
def test_error_answers(sites, code, status):
    sites.page("errors.test", f"/{code}", "<h1>error</h1>", status=code)
    page = one(sites, "errors.test", f"/{code}")
    assert page.status == status and page.http_status == code
    assert page.reason.startswith(f"answered {code}")


def test_redirect_to_a_missing_page_is_not_found(sites):
    sites.redirect("errors.test", "/moved-away", "/nothing-here")
    page = one(sites, "errors.test", "/moved-away")
    assert page.status == "not_found"
    assert page.reason == f"301 to {sites.url('errors.test', '/nothing-here')}, which answered 404"


def test_pdf_is_not_html(sites):
    sites.page("files.test", "/paper.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n%%EOF",
               content_type="application/pdf")
    page = one(sites, "files.test", "/paper.pdf")
    assert page.status == "not_html" and page.reason == "is application/pdf, not HTML"
    assert page.links == () and page.size == 0  # the body is not even read


def test_twenty_megabyte_page_stops_at_the_cap(sites):
    from aiohttp import web

    async def huge(request):
        resp = web.StreamResponse(headers={"Content-Type": "text/html"})
        await resp.prepare(request)
        chunk = b"<p>" + b"x" * (1 << 20) + b"</p>"
        try:
            for _ in range(20):
                await resp.write(chunk)
        except (ConnectionError, RuntimeError):
            pass
        return resp

    sites.route("big.test", "/huge", huge)
    page = one(sites, "big.test", "/huge", max_bytes=5 * 1024 * 1024)
    assert page.status == "too_large"
    assert "more than the 5 MB read at most" in page.reason
    assert 5 * 1024 * 1024 < page.size <= 5 * 1024 * 1024 + 65536


def test_declared_length_over_the_cap_is_not_read(sites):
    sites.page("big.test", "/declared", b"<p>" + b"y" * 300_000 + b"</p>")
    page = one(sites, "big.test", "/declared", max_bytes=100_000)
    assert page.status == "too_large" and page.size == 0
    assert "300,007 bytes" in page.reason


def test_gzip_bomb_stops_at_the_decompressed_cap(sites):
    bomb = gzip.compress(b"<html><body>" + b"\0" * (60 * 1024 * 1024), 9)
    assert len(bomb) < 100_000
    sites.page("bomb.test", "/bomb", bomb, headers={"Content-Encoding": "gzip"})
    sites.gzip_page("bomb.test", "/fine", doc('<a href="https://www.fernhill.test/">home</a>').encode())
    pages = check([sites.url("bomb.test", "/bomb"), sites.url("bomb.test", "/fine")], max_decompressed=10 * 1024 * 1024)
    bombed = pages[sites.url("bomb.test", "/bomb")]
    assert bombed.status == "too_large" and "unpacks to more than 10 MB" in bombed.reason
    assert pages[sites.url("bomb.test", "/fine")].status == "live"


@pytest.mark.parametrize("charset_in, codec, anchor", [
    ("header", "shift_jis", "堆肥の作り方"),
    ("meta", "windows-1251", "Компост своими руками"),
    ("http-equiv", "gb18030", "堆肥制作指南"),
])
def test_pages_in_other_charsets_give_their_real_anchor_text(sites, charset_in, codec, anchor):
    head = {"header": "", "meta": f'<meta charset="{codec}">',
            "http-equiv": f'<meta http-equiv="Content-Type" content="text/html; charset={codec}">'}[charset_in]
    html = (f'<html><head>{head}<title>{anchor}</title></head><body><p>前 / до <a href="https://www.fernhill.test/">'
            f'{anchor}</a></p></body></html>') if codec != "windows-1251" else (
        f'<html><head>{head}<title>{anchor}</title></head><body><p>Смотрите <a href="https://www.fernhill.test/">'
        f'{anchor}</a></p></body></html>')
    content_type = f"text/html; charset={codec}" if charset_in == "header" else "text/html"
    sites.page("charset.test", f"/{codec}", html.encode(codec), content_type=content_type)
    page = one(sites, "charset.test", f"/{codec}")
    assert page.status == "live"
    assert page.links[0].anchor_text == anchor
    assert page.title == anchor


# --- politeness ----------------------------------------------------------------------------------


def test_user_agent_and_no_cookies(sites):
    sites.page("ua.test", "/a", doc('<a href="https://www.fernhill.test/">x</a>'), headers={"Set-Cookie": "sid=secret; Path=/"})
    sites.page("ua.test", "/b", doc('<a href="https://www.fernhill.test/">x</a>'))
    check([sites.url("ua.test", "/a"), sites.url("ua.test", "/b")])
    hits = sites.requests_to("ua.test")
    assert {h.user_agent for h in hits} == {"gsc-backlinks/0.1.0 (+https://github.com/gsc-backlinks/gsc-backlinks)"}
    assert not any("Cookie" in h.headers for h in hits)
    assert [h.path for h in hits][0] == "/robots.txt"


def test_custom_user_agent_is_matched_in_robots(sites):
    sites.robots("bot.test", "User-agent: fernbot\nDisallow: /\n\nUser-agent: *\nAllow: /\n")
    sites.page("bot.test", "/p", doc('<a href="https://www.fernhill.test/">x</a>'))
    page = one(sites, "bot.test", "/p", user_agent="FernBot/2.0 (+https://fern.example/bot)")
    assert page.status == "blocked_by_robots"
    assert [h.path for h in sites.requests_to("bot.test")] == ["/robots.txt"]
    assert sites.requests_to("bot.test")[0].user_agent == "FernBot/2.0 (+https://fern.example/bot)"


def test_robots_disallow_means_never_requested(sites):
    sites.robots("robots.test", "User-agent: *\nDisallow: /private/\n\nUser-agent: gsc-backlinks\nDisallow: /mine/\n")
    for path in ("/private/p", "/mine/p", "/open/p"):
        sites.page("robots.test", path, doc('<a href="https://www.fernhill.test/">x</a>'))
    pages = check([sites.url("robots.test", p) for p in ("/private/p", "/mine/p", "/open/p")])
    # Our own group applies (it is more specific than *), so /private/ is allowed to us and /mine/ is not.
    assert pages[sites.url("robots.test", "/mine/p")].status == "blocked_by_robots"
    assert pages[sites.url("robots.test", "/mine/p")].reason == "robots.txt disallows it"
    assert pages[sites.url("robots.test", "/open/p")].status == "live"
    assert "/mine/p" not in [h.path for h in sites.requests_to("robots.test")]
    assert [h.path for h in sites.requests_to("robots.test")].count("/robots.txt") == 1


def test_robots_answering_500_disallows_and_404_allows(sites):
    sites.robots("r500.test", "oops", status=500)
    sites.page("r500.test", "/p", doc('<a href="https://www.fernhill.test/">x</a>'))
    sites.page("r404.test", "/p", doc('<a href="https://www.fernhill.test/">x</a>'))  # no robots.txt: 404
    pages = check([sites.url("r500.test", "/p"), sites.url("r404.test", "/p")])
    blocked = pages[sites.url("r500.test", "/p")]
    assert blocked.status == "blocked_by_robots"
    assert blocked.reason == "robots.txt answered 500, so the whole site counts as disallowed (RFC 9309)"
    assert [h.path for h in sites.requests_to("r500.test")] == ["/robots.txt"]
    assert pages[sites.url("r404.test", "/p")].status == "live"


def test_crawl_delay_spaces_requests_on_the_server(sites):
    sites.robots("slow-please.test", "User-agent: *\nCrawl-delay: 2\n")
    for i in range(2):
        sites.page("slow-please.test", f"/{i}", doc('<a href="https://www.fernhill.test/">x</a>'))
    pages = check([sites.url("slow-please.test", f"/{i}") for i in range(2)], per_host_delay=0.1)
    assert {p.status for p in pages.values()} == {"live"}
    starts = [h.started for h in sorted(sites.requests_to("slow-please.test"), key=lambda h: h.started)]
    assert len(starts) == 3  # robots.txt, then two pages
    assert min(b - a for a, b in zip(starts, starts[1:])) >= 2.0 - 0.02


def test_one_request_in_flight_per_host_and_the_delay(sites):
    async def slowish(request):
        from aiohttp import web

        await asyncio.sleep(0.05)
        return web.Response(text=doc('<a href="https://www.fernhill.test/">x</a>'), content_type="text/html")

    for i in range(6):
        sites.route("busy.test", f"/{i}", slowish)
        sites.route("other.test", f"/{i}", slowish)
    urls = [sites.url(host, f"/{i}") for i in range(6) for host in ("busy.test", "other.test")]
    t = time.monotonic()
    pages = check(urls, per_host_delay=0.2, concurrency=16)
    took = time.monotonic() - t
    assert {p.status for p in pages.values()} == {"live"}
    for host in ("busy.test", "other.test"):
        assert sites.max_in_flight[host] == 1
        starts = sorted(h.started for h in sites.requests_to(host))
        assert min(b - a for a, b in zip(starts, starts[1:])) >= 0.2 - 0.02
    assert took < 6 * 0.2 * 2  # the two hosts went side by side


def test_retry_after_pauses_the_host_then_the_page_is_checked(sites):
    from aiohttp import web

    asked = []

    async def busy_once(request):
        asked.append(time.monotonic())
        if len(asked) == 1:
            return web.Response(status=429, text="slow down", headers={"Retry-After": "1"})
        return web.Response(text=doc('<a href="https://www.fernhill.test/">x</a>'), content_type="text/html")

    sites.route("ratelimit.test", "/p", busy_once)
    page = one(sites, "ratelimit.test", "/p")
    assert page.status == "live"
    assert asked[1] - asked[0] >= 1.0 - 0.02
    assert page.hops == ((sites.url("ratelimit.test", "/p"), 429), (sites.url("ratelimit.test", "/p"), 200))


def test_long_retry_after_gives_the_host_up(sites):
    sites.page("ratelimit2.test", "/a", "busy", status=503, headers={"Retry-After": "3600"})
    sites.page("ratelimit2.test", "/b", doc('<a href="https://www.fernhill.test/">x</a>'))
    pages = check([sites.url("ratelimit2.test", "/a"), sites.url("ratelimit2.test", "/b")])
    for path in ("/a", "/b"):
        page = pages[sites.url("ratelimit2.test", path)]
        assert page.status == "server_error"
        assert "asked us to wait 3,600 s (HTTP 503 with Retry-After)" in page.reason
        assert "given up for this run" in page.reason
    assert "/b" not in [h.path for h in sites.requests_to("ratelimit2.test")]


def test_slow_answers_time_out_and_the_host_is_given_up(sites):
    async def stall(request):
        await asyncio.sleep(3)
        from aiohttp import web
        return web.Response(text="late")

    for i in range(5):
        sites.route("stall.test", f"/{i}", stall)
    urls = [sites.url("stall.test", f"/{i}") for i in range(5)]
    pages = check(urls, response_timeout=0.3, give_up_after_failures=3)
    statuses = [pages[u].status for u in urls]
    assert statuses == ["timeout"] * 3 + ["unreachable"] * 2
    assert pages[urls[0]].reason == "did not answer within 0.3 s (or connect within 2 s)"
    assert "given up for this run after 3 failures in a row" in pages[urls[4]].reason
    assert [h.path for h in sites.requests_to("stall.test")].count("/4") == 0


def test_a_dead_port_is_unreachable(sites):
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    page = check([f"http://dead.test:{port}/p"])[f"http://dead.test:{port}/p"]
    assert page.status == "unreachable"
    assert "robots.txt: cannot connect" in page.reason


# --- safety -------------------------------------------------------------------------------------------


def test_redirects_to_loopback_and_metadata_addresses_are_refused(sites, monkeypatch):
    sites.page("target.test", "/secret", "admin page")
    sites.redirect("evil.test", "/to-loopback", f"http://127.0.0.1:{sites.port}/secret")
    sites.redirect("evil.test", "/to-metadata", "http://169.254.169.254/latest/meta-data/")
    sites.redirect("evil.test", "/to-v6", f"http://[::ffff:127.0.0.1]:{sites.port}/secret")
    paths = ("/to-loopback", "/to-metadata", "/to-v6")
    pages = check([sites.url("evil.test", p) for p in paths])
    for path in paths:
        page = pages[sites.url("evil.test", path)]
        assert page.status == "refused_address", page
        assert "which is refused" in page.reason
    assert "link-local address (cloud metadata lives here)" in pages[sites.url("evil.test", "/to-metadata")].reason
    assert not [h for h in sites.hits if h.path == "/secret"]
    assert not [h for h in sites.hits if h.host in ("127.0.0.1", "169.254.169.254", "[::ffff:127.0.0.1]")]


def test_without_the_allowance_loopback_pages_are_refused_and_nothing_is_sent(sites, monkeypatch):
    import socket

    monkeypatch.delenv("GSC_BACKLINKS_CHECK_TESTING")
    monkeypatch.delenv("GSC_BACKLINKS_CHECK_HOSTS")
    # A stand-in for the system resolver: the test must not ask a real DNS server about named.test.
    asked = []

    def resolver(host, port, *args, **kwargs):
        asked.append(host)
        if host == "localhost":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    before = len(sites.hits)
    urls = [f"http://127.0.0.1:{sites.port}/p", f"http://localhost:{sites.port}/p", sites.url("named.test", "/p")]
    pages = check(urls)
    assert pages[urls[0]].status == "refused_address"
    assert pages[urls[0]].reason == "refused: its address 127.0.0.1 is a loopback address"
    assert pages[urls[1]].status == "refused_address" and "loopback" in pages[urls[1]].reason
    assert pages[urls[2]].status == "unreachable"  # no allowance: *.test does not resolve
    assert "cannot resolve named.test" in pages[urls[2]].reason
    assert sorted(asked) == ["localhost", "named.test"]
    assert len(sites.hits) == before


def test_names_that_resolve_to_private_addresses_are_refused(sites, monkeypatch):
    monkeypatch.setenv("GSC_BACKLINKS_CHECK_HOSTS", "*.test=127.0.0.1,*.corp.example=10.20.30.40")
    page = check(["http://wiki.corp.example/page"])["http://wiki.corp.example/page"]
    assert page.status == "refused_address"
    assert page.reason == "refused: wiki.corp.example resolves to 10.20.30.40, a private address"


def test_credentials_in_the_url_are_refused(sites):
    before = len(sites.hits)
    url = f"http://admin:hunter2@creds.test:{sites.port}/p"
    pages = check([url, "ftp://files.test/x", "not a url at all"])
    assert {p.status for p in pages.values()} == {"refused_address"}
    assert "user name or password" in pages[url].reason
    assert "hunter2" not in pages[url].reason
    assert len(sites.hits) == before


def test_each_host_is_looked_up_once_per_run(sites, monkeypatch):
    from gsc_backlinks.checker import safety

    asked = []
    original = safety.Allowance.address_for

    def counting(self, host):
        asked.append(host)
        return original(self, host)

    monkeypatch.setattr(safety.Allowance, "address_for", counting)
    sites.redirect("once.test", "/r", "/p")
    sites.page("once.test", "/p", doc('<a href="https://www.fernhill.test/">x</a>'))
    check([sites.url("once.test", "/r"), sites.url("once.test", "/p")])
    assert asked.count("once.test") == 1


# --- own pages -----------------------------------------------------------------------------------------


def test_own_pages_find_broken_targets(sites):
    own_site = parse_property("sc-domain:ownsite.test")
    sites.page("www.ownsite.test", "/live", doc("<p>fine</p>"))
    sites.page("www.ownsite.test", "/noindex", doc("<p>x</p>", head='<meta name="robots" content="noindex">'))
    sites.redirect("www.ownsite.test", "/old-product", "/")
    sites.page("www.ownsite.test", "/", doc("<p>home</p>"))
    sites.page("www.ownsite.test", "/removed", "gone", status=410)
    urls = [sites.url("www.ownsite.test", p) for p in ("/live", "/noindex", "/old-product", "/removed", "/missing")]
    pages = check(urls, own=True, site=own_site)
    got = {u.rsplit("/", 1)[1]: (p.status, p.redirect_to_home) for u, p in pages.items()}
    assert got == {"live": ("live", False), "noindex": ("noindex", False), "old-product": ("redirected", True),
                   "removed": ("not_found", False), "missing": ("not_found", False)}
    assert pages[urls[2]].reason == f"301 to the home page {sites.url('www.ownsite.test', '/')}"
    assert all(p.links == () and p.main_text is None for p in pages.values())


# --- the API ---------------------------------------------------------------------------------------------


def test_results_stream_and_the_input_is_read_lazily(sites):
    for i in range(30):
        sites.page("stream.test", f"/{i}", doc('<a href="https://www.fernhill.test/">x</a>'))
    consumed = []

    def pages():
        for i in range(30):
            consumed.append(i)
            yield sites.url("stream.test", f"/{i}")

    seen_at_first_result = []

    def on_result(page):
        if not seen_at_first_result:
            seen_at_first_result.append(len(consumed))

    summary = run_checks(pages(), site=SITE, settings=CheckSettings(**FAST, lookahead=5), on_result=on_result)
    assert summary.pages == 30 and summary.count("live") == 30
    assert seen_at_first_result[0] <= 6
    assert summary.requests == 31 and summary.robots_fetched == 1 and summary.hosts == 1


def test_progress_is_reported(sites):
    for i in range(4):
        sites.page("progress.test", f"/{i}", doc('<a href="https://www.fernhill.test/">x</a>'))
    reports = []
    run_checks([sites.url("progress.test", f"/{i}") for i in range(4)], site=SITE,
               settings=CheckSettings(**{**FAST, "per_host_delay": 0.2}), on_result=lambda p: None,
               progress=reports.append)
    assert reports and reports[-1].pages_done == 4 and reports[-1].pages_total == 4
    assert any(r.hosts_waiting == 1 for r in reports[:-1])
    assert reports[-1].pages_per_second > 0


def test_async_api_and_an_error_in_on_result_stops_the_run(sites):
    sites.page("async.test", "/p", doc('<a href="https://www.fernhill.test/">x</a>'))
    got = []

    async def main():
        return await check_pages([sites.url("async.test", "/p")], site=SITE, settings=CheckSettings(**FAST),
                                 on_result=got.append)

    summary = asyncio.run(main())
    assert summary.count("live") == 1 and got[0].status == "live"

    class Full(Exception):
        pass

    def explode(page):
        raise Full("disk full")

    with pytest.raises(Full):
        run_checks([sites.url("async.test", "/p")], site=SITE, settings=CheckSettings(**FAST), on_result=explode)


def test_a_wrong_allowance_is_one_clear_error(monkeypatch):
    monkeypatch.setenv("GSC_BACKLINKS_CHECK_HOSTS", "*.test=")
    with pytest.raises(CheckSettingsError, match="'\\*.test=' is not like"):
        run_checks(["http://a.test/"], site=SITE, on_result=lambda p: None)


def test_every_status_is_a_known_one():
    assert len(set(STATUSES)) == 14


CTRL_C_SCRIPT = r"""
import sys
from gsc_backlinks.checker import CheckInterrupted, CheckSettings, run_checks
from gsc_backlinks.urls import parse_property
urls = sys.argv[1:]
try:
    run_checks(urls, site=parse_property("sc-domain:fernhill.test"), settings=CheckSettings(per_host_delay=0.3),
               on_result=lambda page: print("result", page.status, flush=True))
except CheckInterrupted as exc:
    print("Error:", exc, flush=True)
    sys.exit(exc.exit_code)
"""


def test_ctrl_c_stops_cleanly_and_keeps_what_was_handed_over(sites):
    import os
    import signal
    import subprocess
    import sys

    for i in range(20):
        sites.page("ctrlc.test", f"/{i}", doc('<a href="https://www.fernhill.test/">x</a>'))
    urls = [sites.url("ctrlc.test", f"/{i}") for i in range(20)]
    proc = subprocess.Popen([sys.executable, "-c", CTRL_C_SCRIPT, *urls], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=dict(os.environ))
    first = proc.stdout.readline()
    assert first == "result live\n"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130
    lines = (first + out).splitlines()
    assert lines[-1].startswith("Error: check stopped after ")
    done = int(lines[-1].split("after ")[1].split(" ")[0])
    assert done == len([line for line in lines if line.startswith("result")]) < 20
    assert "Traceback" not in err
