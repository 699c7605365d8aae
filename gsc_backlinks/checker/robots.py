"""robots.txt: one verdict per site (scheme, host and port) per run, as RFC 9309 says.

The file itself is fetched by the run through the same safe, polite path as
pages; this module only turns what came back into rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class RobotsRules:
    """What a site's robots.txt allows us."""

    parser: object | None  #: a protego.Protego, or None when everything is allowed or disallowed
    allow_all: bool
    crawl_delay: float | None
    note: str  #: for a blocked page's reason, e.g. "robots.txt answered 503"
    failure: tuple[str, str] | None = None  #: (status, reason) when robots.txt could not be fetched at all

    def allows(self, url: str, token: str) -> bool:
        if self.parser is None:
            return self.allow_all
        return self.parser.can_fetch(url, token)  # type: ignore[attr-defined]


def robots_url(url: str) -> str:
    """The robots.txt of the site (scheme, host, port) of a URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/robots.txt"


def allow_all(note: str) -> RobotsRules:
    return RobotsRules(None, True, None, note)


def disallow_all(note: str) -> RobotsRules:
    return RobotsRules(None, False, None, note)


def failed(status: str, reason: str) -> RobotsRules:
    """robots.txt did not answer (timeout, connection failure): disallowed, and its pages say why."""
    return RobotsRules(None, False, None, reason, (status, reason))


def from_answer(status: int, body: bytes | None, token: str) -> RobotsRules:
    """Rules from a robots.txt answer (after redirects), per RFC 9309 section 2.3.1.

    2xx: the file's rules; 4xx (but 429): everything allowed; 429, 5xx:
    everything disallowed for this run.
    """
    if 200 <= status < 300:
        from protego import Protego

        text = (body or b"").decode("utf-8", errors="replace").lstrip("\ufeff")
        try:
            parser = Protego.parse(text)
        except Exception:  # protego is lenient; a file it still chokes on is treated as empty
            return allow_all("robots.txt could not be read, so everything is allowed")
        delay = parser.crawl_delay(token)
        return RobotsRules(parser, True, float(delay) if delay is not None else None, "robots.txt disallows it")
    if status == 429 or status >= 500:
        return disallow_all(f"robots.txt answered {status}, so the whole site counts as disallowed (RFC 9309)")
    if 400 <= status < 500:
        return allow_all(f"robots.txt answered {status}, so everything is allowed")
    return disallow_all(f"robots.txt answered {status}, so the whole site counts as disallowed")
