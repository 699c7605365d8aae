"""One HTTP request with caps: no redirects followed, the body streamed up to a size, gzip bounded.

Redirects are followed by the run, hop by hop, so that every hop's address,
robots.txt and host slot are checked like the first.
"""

from __future__ import annotations

import ssl
import time
import zlib
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache

REDIRECTS = frozenset({301, 302, 303, 307, 308})
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_CHUNK = 65536

#: The host slot's ticket of the request being sent by the current task (see stamping_request_class).
_TICKET: ContextVar = ContextVar("gsc_backlinks_check_ticket", default=None)


def stamping_request_class():
    """An aiohttp ClientRequest class that notes in the request's ticket when it has been sent.

    ``send()`` returns once the request (a GET: its headers) is handed to the
    kernel, so the time taken right after is never before the request left:
    a host's delay counted from there holds on the wire too.  Cheaper than
    aiohttp's request tracing, which builds an object and awaits a signal at
    every stage of every request.
    """
    import aiohttp

    class StampingRequest(aiohttp.ClientRequest):
        async def send(self, conn):
            response = await super().send(conn)
            ticket = _TICKET.get()
            if ticket is not None:
                ticket.sent = time.monotonic()
            return response

    return StampingRequest


@lru_cache(maxsize=8)
def _request_options(settings) -> tuple[object, dict[str, str]]:
    """(timeout, headers) of every request of a run: made once, not per request."""
    import aiohttp

    timeout = aiohttp.ClientTimeout(total=settings.response_timeout, sock_connect=settings.connect_timeout)
    headers = {
        "User-Agent": settings.user_agent,
        "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
        "Accept-Encoding": "gzip, deflate",
    }
    return timeout, headers


class FetchFailed(Exception):
    """A request that brought no usable answer; ``status`` is the page status it leads to."""

    def __init__(self, status: str, reason: str, size: int = 0, http_status: int | None = None):
        self.status = status
        self.reason = reason
        self.size = size
        self.http_status = http_status
        super().__init__(reason)


@dataclass(frozen=True)
class Answer:
    """What one request got back."""

    url: str
    http_status: int
    content_type: str  #: lower-case media type without parameters ("" when none)
    charset: str | None  #: from the Content-Type header
    location: str | None  #: of a redirect
    x_robots_tag: str | None
    retry_after: str | None
    body: bytes | None  #: decoded from gzip/deflate; None when not read
    size: int  #: bytes read from the wire


def split_content_type(value: str | None) -> tuple[str, str | None]:
    """("text/html", "utf-8") from 'text/html; charset="UTF-8"'."""
    if not value:
        return "", None
    media, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset":
            charset = val.strip().strip("\"'").strip() or None
    return media.strip().lower(), charset


class _Inflater:
    """gzip / deflate decoding that stops at ``cap`` bytes of output, whatever the input."""

    def __init__(self, encoding: str, cap: int):
        self.cap = cap
        self.total = 0
        self.raw_fallback = encoding == "deflate"  # servers send both zlib-wrapped and raw deflate
        wbits = 16 + zlib.MAX_WBITS if encoding in ("gzip", "x-gzip") else zlib.MAX_WBITS
        self.d = zlib.decompressobj(wbits)
        self.started = False

    def feed(self, data: bytes) -> bytes:
        try:
            out = self.d.decompress(data, self.cap - self.total + 1)
        except zlib.error:
            if self.raw_fallback and not self.started:
                self.raw_fallback = False
                self.d = zlib.decompressobj(-zlib.MAX_WBITS)
                return self.feed(data)
            raise
        self.started = True
        self.total += len(out)
        return out


async def fetch(session, url: str, *, settings, read_body, max_bytes: int, truncate: bool = False,
                ticket=None) -> Answer:
    """Send one GET; read the body when ``read_body(http_status, content_type)`` says so.

    ``truncate``: keep the first ``max_bytes`` of a longer body instead of failing (robots.txt).
    ``ticket``: the host slot's ticket; its ``sent`` is set once the request has left (the session's
    request class must be :func:`stamping_request_class`'s).

    Raises FetchFailed for timeouts, connection and TLS failures, bodies over the
    caps and encodings we did not ask for.
    """
    import aiohttp
    from yarl import URL

    timeout, headers = _request_options(settings)
    size = 0
    noted = _TICKET.set(ticket)
    try:
        async with session.get(URL(url, encoded=True), allow_redirects=False, timeout=timeout,
                               headers=headers) as resp:
            status = resp.status
            content_type, charset = split_content_type(resp.headers.get("Content-Type"))
            robots_tags = resp.headers.getall("X-Robots-Tag", [])
            answer = dict(
                url=url, http_status=status, content_type=content_type, charset=charset,
                location=resp.headers.get("Location") if status in REDIRECTS else None,
                x_robots_tag=", ".join(robots_tags) if robots_tags else None,
                retry_after=resp.headers.get("Retry-After"),
            )
            if answer["location"] is not None or not read_body(status, content_type):
                return Answer(body=None, size=0, **answer)
            length = resp.content_length
            if length is not None and length > max_bytes and not truncate:
                raise FetchFailed("too_large", f"is {length:,} bytes, more than the {_mb(max_bytes)} read at most",
                                  http_status=status)
            encoding = resp.headers.get("Content-Encoding", "").strip().lower()
            if encoding in ("", "identity"):
                inflater = None
            elif encoding in ("gzip", "x-gzip", "deflate"):
                inflater = _Inflater(encoding, settings.max_decompressed)
            else:
                raise FetchFailed("not_html", f"answered in the '{encoding[:40]}' encoding, which we did not ask for",
                                  http_status=status)
            pieces: list[bytes] = []
            kept = 0
            content = resp.content
            while not content.at_eof():  # (no last, empty read when the whole body is in)
                chunk = await content.read(_CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > max_bytes and not truncate:
                    raise FetchFailed("too_large", f"is more than the {_mb(max_bytes)} read at most; stopped there",
                                      size=size, http_status=status)
                if inflater is not None:
                    chunk = inflater.feed(chunk)
                    if inflater.total > settings.max_decompressed and not truncate:
                        raise FetchFailed("too_large", f"unpacks to more than {_mb(settings.max_decompressed)} "
                                          f"(from {size:,} bytes read); stopped there", size=size, http_status=status)
                if truncate and kept + len(chunk) >= max_bytes:
                    pieces.append(chunk[: max_bytes - kept])
                    break
                kept += len(chunk)
                pieces.append(chunk)
            if inflater is not None and not inflater.d.eof and size and not truncate:
                raise FetchFailed("unreachable", "sent a compressed page that ends too early", size=size,
                                  http_status=status)
            return Answer(body=b"".join(pieces), size=size, **answer)
    except FetchFailed:
        raise
    except zlib.error:
        raise FetchFailed("unreachable", "sent a compressed page that cannot be unpacked", size=size) from None
    except TimeoutError:
        raise FetchFailed("timeout", _timeout_reason(settings, size), size=size) from None
    except aiohttp.ClientConnectorCertificateError as exc:
        raise FetchFailed("unreachable", f"has a TLS certificate we cannot trust ({_short(exc.certificate_error)})") from None
    except aiohttp.ClientConnectorSSLError as exc:
        raise FetchFailed("unreachable", f"TLS failed ({_short(exc.os_error)})") from None
    except aiohttp.ClientConnectorError as exc:
        raise FetchFailed("unreachable", f"cannot connect ({_short(exc.os_error)})") from None
    except aiohttp.ServerDisconnectedError:
        raise FetchFailed("unreachable", "closed the connection without an answer", size=size) from None
    except aiohttp.ClientPayloadError as exc:
        raise FetchFailed("unreachable", f"broke off the answer ({_short(exc)})", size=size) from None
    except aiohttp.ClientResponseError as exc:
        raise FetchFailed("server_error", f"answered something that is not valid HTTP ({_short(exc.message)})",
                          size=size) from None
    except (aiohttp.InvalidURL, ValueError) as exc:
        raise FetchFailed("refused_address", f"is not a URL we can request ({_short(exc)})") from None
    except (aiohttp.ClientError, ssl.SSLError, OSError) as exc:
        raise FetchFailed("unreachable", f"connection failed ({_short(exc)})", size=size) from None
    finally:
        _TICKET.reset(noted)


def _timeout_reason(settings, size: int) -> str:
    if size:
        return f"did not finish its answer within {settings.response_timeout:g} s ({size:,} bytes read)"
    return (f"did not answer within {settings.response_timeout:g} s "
            f"(or connect within {settings.connect_timeout:g} s)")


def _short(value: object) -> str:
    text = " ".join(str(value).split()) or type(value).__name__
    return text[:160]


def _mb(n: int) -> str:
    return f"{n / 1048576:g} MB" if n >= 1048576 else f"{n:,} bytes"
