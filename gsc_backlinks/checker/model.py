"""What the link checker hands back: one PageCheck per page, one LinkFact per link to the property."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .. import __version__
from ..errors import GscBacklinksError, UsageError

PROJECT_URL = "https://github.com/gsc-backlinks/gsc-backlinks"
DEFAULT_USER_AGENT = f"gsc-backlinks/{__version__} (+{PROJECT_URL})"

#: Every status a page check can end in, in the order a summary lists them.
STATUSES = (
    "live",  # links to the property, at least one followed
    "live_nofollow",  # links, but every one is nofollow/ugc/sponsored, or the page says nofollow
    "link_missing",  # answers with HTML but no longer links to the property ("link removed")
    "not_found",  # 404 or 410 (also at the end of a redirect)
    "redirected",  # went somewhere else; the reason says whether that page links
    "noindex",  # links, but the page asks search engines not to index it
    "canonical_elsewhere",  # links, but its rel=canonical names another page
    "server_error",  # 5xx, other 4xx, or a host that asked us to stay away (429/503)
    "blocked_by_robots",  # robots.txt disallows it: never requested
    "timeout",  # no whole answer within the timeouts
    "unreachable",  # DNS, TCP or TLS failed, or its host was given up for the run
    "not_html",  # answers with a PDF, an image, JSON…
    "too_large",  # more than max_bytes read, or more than max_decompressed after gzip
    "refused_address",  # a private/loopback/… address, credentials or a non-web URL: nothing sent
)

#: Where a link sits on its page.
PLACEMENTS = ("content", "navigation", "header", "footer", "aside")


class CheckSettingsError(UsageError):
    """A check setting (or the testing allowance in the environment) is wrong."""


class CheckInterrupted(GscBacklinksError):
    """The check was stopped (Ctrl-C); the pages handed over so far are kept."""

    exit_code = 130

    def __init__(self, summary: CheckSummary):
        self.summary = summary
        super().__init__(
            f"check stopped after {summary.pages:,} pages; the pages checked so far are kept, "
            "run it again to go on with the rest"
        )


@dataclass(frozen=True)
class CheckSettings:
    """How politely and how far the checker fetches."""

    concurrency: int = 16  #: requests in flight at once, across hosts (one per host at most)
    per_host_delay: float = 1.0  #: seconds between two requests to one host (robots Crawl-delay wins if longer)
    connect_timeout: float = 5.0  #: seconds to open a connection
    response_timeout: float = 20.0  #: seconds for a whole response, from request to last byte
    max_redirects: int = 5
    max_bytes: int = 5 * 1024 * 1024  #: bytes read from the wire per page (streamed; reading stops at the cap)
    max_decompressed: int = 10 * 1024 * 1024  #: bytes after gzip/deflate (a gzip bomb stops here)
    max_robots_bytes: int = 500 * 1024  #: RFC 9309 asks parsers to read at least 500 KiB
    user_agent: str = DEFAULT_USER_AGENT
    max_main_text: int = 20_000  #: characters of main text kept per page
    max_crawl_delay: float = 60.0  #: a robots Crawl-delay longer than this: the host is not checked this run
    max_retry_after: float = 60.0  #: a longer Retry-After gives the host up for this run
    retries_after_429: int = 2  #: times one page is asked again after a 429/503 with Retry-After
    give_up_after_failures: int = 3  #: timeouts / connection failures in a row before a host is given up
    lookahead: int = 20_000  #: pages read ahead from the input to spread the work over hosts
    #: Worker processes that parse pages, at most (one to begin with, more while pages wait for
    #: one; 0: parse in the checking process).  None: none for fewer than 100 pages, else one
    #: per core (at most 4).
    parse_processes: int | None = None
    #: The testing allowance: ((host pattern, loopback address), ...).  None: read
    #: GSC_BACKLINKS_CHECK_TESTING / GSC_BACKLINKS_CHECK_HOSTS from the environment.
    testing_hosts: tuple[tuple[str, str], ...] | None = None

    def __post_init__(self) -> None:
        positive = {
            "concurrency": self.concurrency, "connect_timeout": self.connect_timeout,
            "response_timeout": self.response_timeout, "max_bytes": self.max_bytes,
            "max_decompressed": self.max_decompressed, "max_robots_bytes": self.max_robots_bytes,
            "lookahead": self.lookahead, "give_up_after_failures": self.give_up_after_failures,
        }
        for name, value in positive.items():
            if not value > 0:
                raise CheckSettingsError(f"{name.replace('_', '-')} must be more than 0 (got {value})")
        for name in ("per_host_delay", "max_redirects", "max_main_text", "max_crawl_delay",
                     "max_retry_after", "retries_after_429", "parse_processes"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise CheckSettingsError(f"{name.replace('_', '-')} must not be negative (got {value})")
        if not self.user_agent.strip() or any(c in self.user_agent for c in "\r\n\x00"):
            raise CheckSettingsError("the user agent must be one line of text, e.g. 'gsc-backlinks/1.0 (+https://example.com/)'")

    @property
    def robots_token(self) -> str:
        """The product token robots.txt groups are matched against: the user agent up to its first '/'."""
        return self.user_agent.strip().split("/", 1)[0].split()[0].lower()


@dataclass(frozen=True)
class LinkFact:
    """One link to the property seen on a page: the project's link observation."""

    linking_url: str  #: the checked page, canonical (as Search Console names it, before redirects)
    target_url: str  #: canonical, tracking parameters and fragment gone
    anchor_text: str  #: visible text, whitespace collapsed; an image link's alt text
    image: bool  #: the link is an image (or an image-map area) without text of its own
    nofollow: bool
    ugc: bool
    sponsored: bool
    placement: str  #: one of PLACEMENTS
    context_before: str  #: ~100 characters of visible text before the link
    context_after: str  #: ~100 characters after it


@dataclass(frozen=True)
class PageCheck:
    """What one fetch of one page found."""

    url: str  #: the page asked for, canonical
    checked_at: dt.datetime  #: UTC, when the check started
    status: str  #: one of STATUSES
    reason: str  #: one line for people: why this status
    http_status: int | None = None  #: of the last answer
    final_url: str | None = None  #: after redirects
    hops: tuple[tuple[str, int], ...] = ()  #: every answer on the way: (url, HTTP status)
    title: str | None = None
    lang: str | None = None  #: <html lang>
    canonical: str | None = None  #: rel=canonical, absolute and canonical
    meta_robots: str | None = None  #: content of <meta name=robots> (and of googlebot/our token)
    x_robots_tag: str | None = None  #: the X-Robots-Tag header(s)
    size: int = 0  #: bytes read from the wire
    elapsed: float = 0.0  #: seconds, all hops
    main_text: str | None = None  #: boilerplate removed, at most max_main_text chars; of pages that link (all: keep_text)
    links: tuple[LinkFact, ...] = ()
    redirect_to_home: bool = False  #: the page redirects to the home page of its site (a soft 404)


@dataclass(frozen=True)
class CheckProgress:
    """Where a running check is: for a progress bar."""

    pages_done: int
    pages_total: int | None  #: None when the input's length is not known
    hosts: int  #: hosts seen so far
    hosts_waiting: int  #: hosts with pages waiting on politeness (delay, Retry-After)
    in_flight: int  #: requests under way
    elapsed: float  #: seconds since the start

    @property
    def pages_per_second(self) -> float:
        return self.pages_done / self.elapsed if self.elapsed > 0 else 0.0


@dataclass
class CheckSummary:
    """Counts of a finished (or stopped) check."""

    pages: int = 0
    hosts: int = 0
    requests: int = 0  #: HTTP requests sent, robots.txt included
    robots_fetched: int = 0
    links: int = 0  #: links to the property found
    elapsed: float = 0.0
    interrupted: bool = False
    by_status: dict[str, int] = field(default_factory=dict)

    def count(self, status: str) -> int:
        return self.by_status.get(status, 0)
