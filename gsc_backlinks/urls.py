"""One canonical URL form, registrable domains and Search Console property names.

Every stage uses these functions, so that a URL read from an export, typed by a
user or returned by the API joins with itself.

The canonical form of a web URL:

* scheme and host lower-case, host in IDNA ASCII (punycode), no trailing dot;
* default ports (80 for http, 443 for https) and the fragment removed;
* an empty path becomes ``/``; ``.`` and ``..`` segments resolved;
* percent-encoding normalized: raw spaces and raw Unicode (as Search Console
  writes them) are percent-encoded as UTF-8, escapes use upper-case hex, and
  escapes of unreserved characters (``A-Z a-z 0-9 - . _ ~``) are decoded;
* the query string is kept as written (parameter order matters to some sites),
  only its encoding is normalized; an empty ``?`` is dropped.

Text that is not an ``http``/``https`` URL (``javascript:…``, ``mailto:``,
garbage) is never an error: it is kept as stripped text, has no host, and is
never turned into a link anywhere.
"""

from __future__ import annotations

import ipaddress
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from . import arrow
from .errors import UsageError
from .text import printable

_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_WS_STRIP = " \t\r\n\f\v\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b\u202f\u205f\u3000\ufeff"

# Characters kept as they are in a path or query; everything else is escaped.
_UNRESERVED = "A-Za-z0-9\\-._~"
_PCHAR_SAFE = _UNRESERVED + "!$&'()*+,;=:@"  #: RFC 3986 pchar, less escapes
_PATH_SAFE = _PCHAR_SAFE + "/"
_QUERY_SAFE = _PATH_SAFE + "?"
_PATH_FIX_RE = re.compile(r"%[0-9A-Fa-f]{2}|[^" + _PATH_SAFE + "]")
_QUERY_FIX_RE = re.compile(r"%[0-9A-Fa-f]{2}|[^" + _QUERY_SAFE + "]")
_UNRESERVED_CHARS = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
)

#: URLs matching this are already canonical: lower-case ASCII host, no port,
#: a path whose segments do not start with "." (so no dot segments), only
#: characters that need no escaping plus upper-case escapes of characters that
#: must stay escaped, no fragment.  The same pattern runs vectorized in the
#: export reader (RE2 syntax: no lookaround).
_ESCAPE = r"%(?:[0189A-F][0-9A-F]|2[0-9A-CF]|3[A-F]|40|5[B-E]|60|7[B-DF])"
_SEGMENT = (  # a segment may not start with "." (no dot segments)
    "(?:(?:[" + _PCHAR_SAFE.replace(".", "") + "]|" + _ESCAPE + ")(?:[" + _PCHAR_SAFE + "]|" + _ESCAPE + ")*)?"
)
FAST_CANONICAL_PATTERN = (
    r"^https?://(?P<host>[a-z0-9\-]+(?:\.[a-z0-9\-]+)*)"
    "(?:/" + _SEGMENT + ")+"
    r"(?:\?(?:[" + _QUERY_SAFE + "]|" + _ESCAPE + r")+)?$"
)
_FAST_RE = re.compile(FAST_CANONICAL_PATTERN)
#: Pulls the host out of a canonical URL (group 1).
HOST_PATTERN = r"^https?://(?:[^@/?]*@)?(?P<host>\[[0-9A-Fa-f:.]+\]|[a-z0-9\-_.]+)(?::[0-9]+)?(?:[/?]|$)"
_HOST_RE = re.compile(HOST_PATTERN)


def _fix_escape(match: re.Match[str]) -> str:
    text = match.group(0)
    if text[0] == "%" and len(text) == 3:
        char = chr(int(text[1:], 16))
        return char if char in _UNRESERVED_CHARS else text.upper()
    return "%" + text.encode("utf-8", "surrogatepass").hex("%").upper()


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4, for absolute paths."""
    if "/." not in path:
        return path
    output: list[str] = []
    segments = path.split("/")
    for i, segment in enumerate(segments[1:], start=1):
        last = i == len(segments) - 1
        if segment == ".":
            if last:
                output.append("")
        elif segment == "..":
            if output:
                output.pop()
            if last:
                output.append("")
        else:
            output.append(segment)
    return "/" + "/".join(output)


@lru_cache(maxsize=65536)
def _idna_host(host: str) -> str | None:
    """The IDNA ASCII form of a host as written, or None when it is not a host.

    Cached: hosts repeat across a site's URLs and the idna codec is slow.
    """
    host = host.strip(".").lower()
    if not host:
        return None
    if host.startswith("["):  # IPv6 literal
        return host
    if host.isascii():
        return host if re.fullmatch(r"[a-z0-9\-_.]+", host) else None
    try:
        encoded = host.encode("idna").decode("ascii")
    except UnicodeError:
        labels = []
        for label in host.split("."):
            try:
                labels.append(label.encode("idna").decode("ascii") if label else label)
            except UnicodeError:
                return None
        encoded = ".".join(labels)
    # IDNA maps fullwidth "？" or "／" to ASCII punctuation: such a host is not one.
    return encoded.lower() if re.fullmatch(r"[a-z0-9\-_.]+", encoded.lower()) else None


@lru_cache(maxsize=65536)
def canonical_url(text: str, default_scheme: str | None = None) -> str:
    """Return the canonical form of ``text``; non-web text comes back stripped.

    ``default_scheme`` is put in front of scheme-less input such as
    ``example.com/page`` (for URLs typed by people); exports always carry one.
    Never raises.
    """
    value = text.strip(_WS_STRIP)
    if _FAST_RE.match(value):
        return value
    match = _SCHEME_RE.match(value)
    if match:
        scheme = match.group(1).lower()
        rest = value[match.end():]
        if scheme not in ("http", "https"):
            return value
        if not rest.startswith("//"):
            return value
        rest = rest[2:]
    elif default_scheme and value and not value.startswith("/"):
        scheme, rest = default_scheme, value.lstrip("/")
    elif default_scheme and value.startswith("//"):
        scheme, rest = default_scheme, value[2:]
    else:
        return value

    rest = rest.replace("\\", "/")
    rest = rest.split("#", 1)[0]
    cut = len(rest)
    for sep in "/?":
        pos = rest.find(sep)
        if pos != -1:
            cut = min(cut, pos)
    authority, tail = rest[:cut], rest[cut:]
    path, _, query = tail.partition("?")
    has_query = "?" in tail

    userinfo = ""
    if "@" in authority:
        userinfo, _, authority = authority.rpartition("@")
        userinfo += "@"
    port = ""
    if authority.startswith("["):
        end = authority.find("]")
        hostpart = authority[: end + 1] if end != -1 else authority
        after = authority[end + 1:] if end != -1 else ""
        if after.startswith(":"):
            port = after[1:]
    else:
        hostpart, _, port = authority.partition(":")
    host = _idna_host(hostpart)
    if host is None:
        return value
    if port and not (port.isascii() and port.isdigit()):
        return value
    if port:
        port = str(int(port)) if len(port) < 8 else port
    if (scheme, port) in (("http", "80"), ("https", "443")) or port == "":
        netloc = userinfo + host
    else:
        netloc = f"{userinfo}{host}:{port}"

    path = _PATH_FIX_RE.sub(_fix_escape, path) if path else "/"
    if not path.startswith("/"):
        path = "/" + path
    path = _remove_dot_segments(path)
    url = f"{scheme}://{netloc}{path}"
    if has_query and query:
        url += "?" + _QUERY_FIX_RE.sub(_fix_escape, query)
    return url


def is_web_url(text: str | None) -> bool:
    """True for an http(s) URL with a host: the only text ever made a link."""
    return bool(text) and _HOST_RE.match(text or "") is not None


def host_of(url: str | None) -> str | None:
    """The host of a canonical URL, or None for non-web text."""
    if not url:
        return None
    match = _HOST_RE.match(url)
    return match.group(1) if match else None


@lru_cache(maxsize=262144)
def registrable_domain(host: str | None) -> str | None:
    """The registrable ("root") domain of a host, as Search Console groups sites.

    ``m.example.co.uk`` -> ``example.co.uk``; ``alice.blogspot.com`` ->
    ``blogspot.com``.  IP addresses and single-label hosts are their own
    domain; a host that is itself a public suffix (``co.uk``) is returned
    unchanged.  Uses the ICANN section of the Public Suffix List bundled with
    the ``publicsuffixlist`` package, offline: Search Console does not use the
    private section (``blogspot.com``, ``github.io``) to group sites.

    The rule is publicsuffixlist's ``privatesuffix`` (a test holds it to that
    over every rule of the list), on the rules :func:`public_suffix_rules`
    reads: building ``PublicSuffixList()`` costs a sixth of a second per process.
    """
    if not host:
        return None
    host = host.strip(".").lower()
    if host.startswith("["):
        return host
    if host and host[-1].isdigit():  # only then can it be an IPv4 address; saves a try per host
        try:
            ipaddress.ip_address(host)
            return host
        except ValueError:
            pass
    if "." not in host:
        return host
    rules, maxlabel = public_suffix_rules()
    labels = host.split(".")
    if "" in labels:  # "a..b" is no host name
        return host
    public = 1  # an unknown top-level domain is a public suffix
    for depth in range(1, min(maxlabel + 1, len(labels)) + 1):  # a longer match wins, as in the list's own loop
        suffix = ".".join(labels[-depth:])
        if "!" + suffix in rules:  # an exception: one label less is public
            public = depth - 1
        elif "*." + suffix in rules:  # a wildcard: one label more, unless that is the whole host
            public = depth + 1 if len(labels) > depth else depth
        elif suffix in rules:
            public = depth
    if public == 0 or public + 1 > len(labels):
        return host
    return ".".join(labels[-(public + 1):])


def display_url(url: str) -> str:
    """A readable form of a canonical URL: Unicode host and path, for people."""
    from urllib.parse import unquote

    host = host_of(url)
    shown = url
    if host and "xn--" in host:
        try:
            shown = url.replace(host, host.encode("ascii").decode("idna"), 1)
        except UnicodeError:
            pass
    if "%" in shown:
        shown = unquote(shown, errors="replace")
    return printable(shown)


#: Query parameters that only say where a visit came from: never part of a page's identity.
TRACKING_PARAMS = re.compile(
    r"^(utm_[a-z]+|gclid|gbraid|wbraid|dclid|fbclid|msclkid|yclid|mc_cid|mc_eid|_ga|_gl|igshid|srsltid|"
    r"ref_src|hsa_[a-z]+|oly_[a-z]+_id|vero_[a-z]+|_hs[a-z]+|trk|spm)$",
    re.IGNORECASE,
)


def strip_tracking(url: str) -> str:
    """The URL without tracking parameters (utm_*, gclid, fbclid…): what a visit came from is not the page."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING_PARAMS.match(k)]
    return urlunsplit(parts._replace(query=urlencode(kept, doseq=True, safe="/:@!$'()*,;")))


# --- Search Console properties -------------------------------------------------


@dataclass(frozen=True)
class Property:
    """A Search Console property as Google names it."""

    site: str  #: ``sc-domain:example.com`` or ``https://www.example.com/``
    domain: str | None = None  #: for Domain properties
    prefix: str | None = None  #: canonical URL prefix, for URL-prefix ones

    @property
    def is_domain(self) -> bool:
        return self.domain is not None

    @property
    def file_slug(self) -> str:
        """How Search Console writes the property in export file names."""
        if self.domain:
            return self.domain
        return self.site.replace(":", "_").replace("/", "_")

    def contains(self, url: str | None) -> bool:
        """True when a canonical URL belongs to this property."""
        if not url:
            return False
        if self.prefix:
            return url.startswith(self.prefix) or url + "/" == self.prefix
        host = host_of(url)
        if not host or not self.domain:
            return False
        return host == self.domain or host.endswith("." + self.domain)

    def __str__(self) -> str:
        return self.site


def parse_property(text: str) -> Property:
    """Parse a property name as Search Console writes it; raise UsageError if unclear."""
    value = (text or "").strip()
    if value.lower().startswith("sc-domain:"):
        domain = value.split(":", 1)[1].strip().strip(".").lower()
        host = _idna_host(domain) if domain else None
        if not host or "/" in domain or "." not in host:
            raise UsageError(
                f"'{printable(value)}' is not a valid Domain property; write it as sc-domain:example.com"
            )
        return Property(site=f"sc-domain:{host}", domain=host)
    if _SCHEME_RE.match(value) and value.split(":", 1)[0].lower() in ("http", "https"):
        url = canonical_url(value)
        if not is_web_url(url):
            raise UsageError(f"'{printable(value)}' is not a valid URL-prefix property")
        if "?" in url:
            raise UsageError(
                f"'{printable(value)}' has a query string; a URL-prefix property is like https://www.example.com/"
            )
        if not url.endswith("/"):
            url += "/"
        return Property(site=url, prefix=url)
    hint = printable(value) or "(empty)"
    bare = canonical_url(value, default_scheme="https") if value else ""
    host = host_of(bare)
    if host:
        raise UsageError(
            f"'{hint}' is not a Search Console property name; use sc-domain:{registrable_domain(host)} "
            f"for a Domain property or https://{host}/ for a URL-prefix property "
            "(exactly as `gsc-backlinks sites` lists it)"
        )
    raise UsageError(
        f"'{hint}' is not a Search Console property name; use sc-domain:example.com or https://www.example.com/"
    )



def page_in_property(text: str, prop: Property, *, option: str = "", hint: str = "") -> str:
    """The canonical URL of one of the property's pages, as a person types it.

    With or without ``https://`` or ``www.``, a bare path (``/pricing/``), raw
    Unicode or percent-encoded; for a URL-prefix property, the same host spelled
    with or without ``www.`` or with the other scheme is taken as the property's
    spelling.  A UsageError (starting with ``option``, e.g. ``--target``, and
    ending in ``hint``) when it is not a web address or not in the property.
    """
    typed = (text or "").strip()
    label = f"{option} " if option else ""
    if not typed:
        raise UsageError(f"{label}give the page's URL, e.g. https://www.example.com/pricing/")
    if typed.startswith("/") and not typed.startswith("//"):
        typed_url = (prop.prefix.rstrip("/") if prop.prefix else f"https://{prop.domain}") + typed
    elif not _SCHEME_RE.match(typed) or "://" not in typed:
        typed_url = "https://" + typed.lstrip("/")
    else:
        typed_url = typed
    url = canonical_url(typed_url)
    if not is_web_url(url):
        raise UsageError(f"{label}{printable(typed)!r} is not a web page address; give it like https://www.example.com/pricing/")
    if prop.contains(url):
        return url
    if prop.prefix:  # the property's own host spelled with(out) www. or the other scheme
        parts, want = urlsplit(url), urlsplit(prop.prefix)
        if (parts.hostname or "").removeprefix("www.") == (want.hostname or "").removeprefix("www."):
            respelled = urlunsplit(parts._replace(scheme=want.scheme, netloc=want.netloc))
            if prop.contains(respelled):
                return respelled
    raise UsageError(f"{label}{display_url(url)} is not a URL of property {prop.site}{hint}")

# --- vectorized, for large exports ------------------------------------------------


_CHUNK = 200_000


def _fast(values):
    """(mask of already-canonical values, their hosts; null elsewhere).

    A match without a capture group runs on RE2's DFA alone, in half the time of
    an extract; the host of a canonical URL is then its third "/"-separated part.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    ok = pc.match_substring_regex(values, FAST_CANONICAL_PATTERN)
    hosts = pc.list_element(pc.split_pattern(values.filter(ok), "/", max_splits=3), arrow.scalar(2))
    if len(hosts) == len(values):
        return ok, hosts
    return ok, pc.replace_with_mask(pa.nulls(len(values), pa.string()), ok, hosts)


def _repair(values):
    """The cheap fixes of canonical_url, vectorized; results are checked again after.

    Drops a fragment, lower-cases scheme and authority, drops default ports, adds
    the empty path's "/" and escapes raw spaces and raw Unicode.  Whatever still
    is not in the fast form goes through canonical_url itself.
    """
    import pyarrow.compute as pc

    out = pc.utf8_trim(values, characters=_WS_STRIP)  # exactly str.strip(_WS_STRIP)
    out = pc.list_element(pc.split_pattern(out, "#", max_splits=1), arrow.scalar(0))  # as split("#", 1)[0]
    # Only the few values with upper case before the path are split and joined again
    # (binary_join_element_wise is slow enough to matter on every value).
    upper = pc.fill_null(pc.match_substring_regex(out, _UPPER_SCHEME_OR_HOST), arrow.scalar(False))
    if pc.any(upper).as_py():
        mixed = out.filter(upper)
        parts = pc.extract_regex(mixed, r"^(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^/?#@]*)(?P<tail>.*)$")
        head = pc.utf8_lower(pc.struct_field(parts, [0]))
        lowered = pc.coalesce(pc.binary_join_element_wise(head, pc.struct_field(parts, [1]), arrow.scalar("")), mixed)
        out = pc.replace_with_mask(out, upper, lowered)
    # Ports and a missing path: only where the host is followed by ":", "?" or nothing.
    authority = pc.match_substring_regex(out, r"^https?://[^/?:]*(?:[:?]|$)")
    if pc.any(authority).as_py():
        few = out.filter(authority)
        few = pc.replace_substring_regex(few, r"^(https://[^/?:]+):443([/?]|$)", r"\1\2")
        few = pc.replace_substring_regex(few, r"^(http://[^/?:]+):80([/?]|$)", r"\1\2")
        few = pc.replace_substring_regex(few, r"^(https?://[^/?]+)(\?|$)", r"\1/\2")
        out = pc.replace_with_mask(out, authority, few)
    out = pc.replace_substring(out, " ", "%20")
    wide = pc.invert(pc.string_is_ascii(out))
    if pc.any(wide).as_py():
        # Raw Unicode in a path, as Search Console writes it: UTF-8 percent-encoding,
        # exactly what canonical_url does (a Unicode host fails the check after).
        out = pc.replace_with_mask(out, wide, _percent_encode_non_ascii(out.filter(wide)))
    return out


_HEX_DIGITS = b"0123456789ABCDEF"
#: A scheme or host with an upper-case letter (RE2, for Arrow).
_UPPER_SCHEME_OR_HOST = r"^(?:[A-Za-z0-9+.\-]*[A-Z][A-Za-z0-9+.\-]*://|[A-Za-z][A-Za-z0-9+.\-]*://[^/?#@]*[A-Z])"


def _percent_encode_non_ascii(values):
    """Every byte of 128 and above as ``%XX`` (upper case): ``_fix_escape`` on each run of
    non-ASCII characters, done on the array's bytes with numpy instead of a Python loop.

    ``values`` has no nulls.
    """
    import numpy as np
    import pyarrow as pa

    offsets = np.frombuffer(values.buffers()[1], dtype=np.int32)[values.offset: values.offset + len(values) + 1]
    data = np.frombuffer(values.buffers()[2], dtype=np.uint8)[offsets[0]: offsets[-1]]
    offsets = offsets.astype(np.int64) - offsets[0]
    high = data >= 0x80
    # Where each input byte starts in the output: one byte, or three for "%XX".
    width = np.where(high, 3, 1)
    starts = np.zeros(len(data) + 1, dtype=np.int64)
    np.cumsum(width, out=starts[1:])
    out = np.empty(int(starts[-1]), dtype=np.uint8)
    out[starts[:-1][~high]] = data[~high]
    at, byte = starts[:-1][high], data[high]
    digits = np.frombuffer(_HEX_DIGITS, dtype=np.uint8)
    out[at] = ord("%")
    out[at + 1] = digits[byte >> 4]
    out[at + 2] = digits[byte & 0x0F]
    new_offsets = starts[offsets]
    encoded = pa.Array.from_buffers(pa.large_string(), len(values), [None, pa.py_buffer(new_offsets), pa.py_buffer(out)])
    return encoded.cast(pa.string())


#: An http(s) URL whose authority is a host alone (no user, no port) with raw Unicode in it.
_UNICODE_HOST_PATTERN = (
    r"(?s)^(?P<scheme>[Hh][Tt][Tt][Pp][Ss]?://)"
    r"(?P<host>[^/?#:@\\\[\]]*[^\x00-\x7f][^/?#:@\\\[\]]*)"
    r"(?P<tail>(?:[/?#].*)?)$"
)


def _with_idna_hosts(values):
    """``values`` with a host written in Unicode put in IDNA form, each distinct host once;
    null where the host is not such a one or is no valid name."""
    import pyarrow as pa
    import pyarrow.compute as pc

    parts = pc.extract_regex(pc.utf8_trim(values, characters=_WS_STRIP), _UNICODE_HOST_PATTERN)
    written = pc.dictionary_encode(pc.struct_field(parts, [1]))
    names = arrow.array([_idna_host(h) for h in written.dictionary.to_pylist()], pa.string())
    return pc.binary_join_element_wise(
        pc.struct_field(parts, [0]), pc.take(names, written.indices), pc.struct_field(parts, [2]), arrow.scalar("")
    )


def _normalize_chunk(values):
    import pyarrow as pa
    import pyarrow.compute as pc

    fast, hosts = _fast(values)
    slow = pc.invert(fast)
    canon = values
    if pc.any(slow).as_py():
        originals = values.filter(slow)
        repaired = _repair(originals)
        ok, ok_hosts = _fast(repaired)
        rest = pc.invert(ok)
        if pc.any(rest).as_py():  # a second try for hosts written in Unicode
            idna = _repair(pc.fill_null(_with_idna_hosts(originals.filter(rest)), arrow.scalar("")))
            idna_ok, idna_hosts = _fast(idna)
            repaired = pc.replace_with_mask(repaired, rest, idna)
            ok_hosts = pc.replace_with_mask(ok_hosts, rest, idna_hosts)
            rest = pc.replace_with_mask(rest, rest, pc.invert(idna_ok))
        py_in = originals.filter(rest).to_pylist()
        py_canon = [canonical_url(v) for v in py_in]
        py_hosts = [host_of(v) for v in py_canon]
        fixed = pc.replace_with_mask(repaired, rest, arrow.array(py_canon, pa.string())) if py_in else repaired
        fixed_hosts = pc.replace_with_mask(ok_hosts, rest, arrow.array(py_hosts, pa.string())) if py_in else ok_hosts
        canon = pc.replace_with_mask(values, slow, fixed)
        hosts = pc.replace_with_mask(hosts, slow, fixed_hosts)
    return canon, hosts


def domains_of(hosts):
    """Registrable domains of a chunked array of hosts, each distinct host looked up once."""
    import pyarrow as pa
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(hosts)
    if encoded.num_chunks == 0:  # no values at all
        return pa.chunked_array([], pa.string())
    # Arrow encodes every chunk with one growing memo table: all indices point into the last
    # chunk's dictionary.
    domains = registrable_domains(encoded.chunk(encoded.num_chunks - 1).dictionary)
    return pa.chunked_array([pc.take(domains, c.indices) for c in encoded.chunks], pa.string())


#: Plain DNS names whose last label is not all digits (so no IPv4 address):
#: these take the vectorized Public Suffix List lookup; others go one by one.
_PLAIN_HOST_PATTERN = r"^[a-z0-9_\-]+(?:\.[a-z0-9_\-]+)*\.[a-z0-9_\-]*[a-z_\-][a-z0-9_\-]*$"
_PSL_SETS = None
_PSL_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def public_suffix_rules() -> tuple[frozenset[str], int]:
    """The ICANN rules of the bundled Public Suffix List and its deepest rule, as publicsuffixlist
    parses them with ``only_icann=True``.

    Read here rather than through ``PublicSuffixList()``, which IDNA-encodes
    every rule (a tenth of a second per import); only the few non-ASCII rules
    need it.  A test checks the set equals the package's own.
    """
    from publicsuffixlist import PSLFILE

    with open(PSLFILE, encoding="utf-8") as f:
        text = f.read()
    # The section between the list's own markers, as publicsuffixlist's only_icann reads it.
    begin, end = "// ===BEGIN ICANN DOMAINS===", "// ===END ICANN DOMAINS==="
    start = text.index(begin) + len(begin)
    lines = text[start: text.index(end, start)].lower().split("\n")
    rules: set[str] = set()
    maxlabel = 0
    for line in lines:
        rule = line.split(" ", 1)[0].rstrip()
        if not rule or rule.startswith("//"):
            continue
        maxlabel = max(maxlabel, rule.count(".") + 1)
        rules.add(rule)
        if not rule.isascii():
            # Punycode label by label: the list's labels are already lower case and normalized,
            # so the idna codec's nameprep (five times slower) would change nothing.
            bang = "!" if rule[0] == "!" else ""
            rules.add(bang + ".".join(
                label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii")
                for label in rule.lstrip("!").split(".")
            ))
    return frozenset(rules), maxlabel


def _psl_sets():
    """The bundled list's ICANN rules for Arrow's set lookups, every string reversed.

    (rules, kinds, deepest rule): ``rules`` holds each distinct string once, and
    ``kinds`` its bits: 1 if it is an exception ("!x" read as x), 2 if a wildcard
    ("*.x" read as x), 4 if a rule as written.  Reversed, because hosts are
    matched from their last label.
    """
    global _PSL_SETS
    with _PSL_LOCK:  # built once, also when an import warms it up in a thread
        if _PSL_SETS is None:
            _PSL_SETS = _build_psl_sets()
    return _PSL_SETS


def warm_up() -> None:
    """Build the Public Suffix List lookup now (a thread's work while an export is read)."""
    _psl_sets()


def _build_psl_sets():
    import pyarrow as pa

    rules, maxlabel = public_suffix_rules()
    kinds: dict[str, int] = {}
    for rule in rules:
        kinds[rule] = kinds.get(rule, 0) | 4
        if rule.startswith("!"):
            kinds[rule[1:]] = kinds.get(rule[1:], 0) | 1
        elif rule.startswith("*."):
            kinds[rule[2:]] = kinds.get(rule[2:], 0) | 2
    names = sorted(kinds)
    return (
        arrow.array([name[::-1] for name in names], pa.string()),
        arrow.array([kinds[name] for name in names], pa.int64()),
        maxlabel,
    )


def registrable_domains(hosts):
    """``registrable_domain`` of every item of a pyarrow string array, vectorized.

    The same rule as publicsuffixlist's ``privatesuffix`` (checked against it
    by a test over every rule of the list): at the longest matching depth an
    exception rule counts one label less, a wildcard one more unless it matches
    the whole host; no match means the last label is the public suffix.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    plain = pc.fill_null(pc.match_substring_regex(hosts, _PLAIN_HOST_PATTERN), arrow.scalar(False))
    if not pc.all(plain).as_py():
        others = hosts.filter(pc.invert(plain)).to_pylist()
        looked_up = arrow.array([registrable_domain(h) for h in others], pa.string())
        result = registrable_domains(hosts.filter(plain)) if pc.any(plain).as_py() else arrow.array([], pa.string())
        # Stitch both back in the original order.
        order = pc.sort_indices(pa.concat_arrays([pc.indices_nonzero(plain), pc.indices_nonzero(pc.invert(plain))]))
        return pc.take(pa.concat_arrays([result, looked_up]), order)

    rules, kinds, maxlabel = _psl_sets()
    labels = pc.add(pc.count_substring(hosts, "."), arrow.scalar(1))
    deepest = min(maxlabel + 1, pc.max(labels).as_py() or 1)
    backwards = pc.ascii_reverse(hosts)  # plain hosts are ASCII
    reversed_labels = pc.split_pattern(backwards, ".", max_splits=deepest)
    suffixes: dict[int, object] = {}

    def suffix(depth):  # the last `depth` labels, reversed (the whole host where it has fewer)
        if depth not in suffixes:
            suffixes[depth] = pc.binary_join(pc.list_slice(reversed_labels, 0, depth), arrow.scalar("."))
        return suffixes[depth]

    zero = arrow.scalar(0)
    public = arrow.array([1] * len(hosts), pa.int64())  # an unknown TLD is a public suffix
    for depth in range(1, deepest + 1):  # later (longer) matches win, as the list's own loop
        here = arrow.scalar(depth)
        kind = pc.fill_null(pc.take(kinds, pc.index_in(suffix(depth), value_set=rules)), zero)
        kind = pc.if_else(pc.greater_equal(labels, here), kind, zero)  # no rule is longer than the host
        is_exc = pc.not_equal(pc.bit_wise_and(kind, arrow.scalar(1)), zero)
        is_wild = pc.not_equal(pc.bit_wise_and(kind, arrow.scalar(2)), zero)
        above, below = arrow.scalar(depth + 1), arrow.scalar(depth - 1)
        wild_count = pc.if_else(pc.greater(labels, here), above, here)
        count = pc.if_else(is_exc, below, pc.if_else(is_wild, wild_count, here))
        public = pc.if_else(pc.not_equal(kind, zero), count, public)
    # privatesuffix: one label more than the public suffix; None (the host itself) if there is none.
    want = pc.add(public, arrow.scalar(1))
    result = backwards
    for depth in range(1, deepest + 1):  # a host has no suffix longer than itself
        here = arrow.scalar(depth)
        pick = pc.and_(pc.equal(want, here), pc.greater_equal(labels, here))
        if pc.any(pick).as_py():
            result = pc.if_else(pick, suffix(depth), result)
    return pc.if_else(pc.equal(public, zero), hosts, pc.ascii_reverse(result))


def canonical_url_array(values):
    """Canonical URLs and hosts of a pyarrow string array (or chunked array).

    Gives exactly ``canonical_url``/``host_of`` per item (a property test holds
    it to that), but checks the already-canonical majority with Arrow's C++
    regex engine, repairs the common deviations (spaces, case, ports,
    fragments) vectorized, and works on chunks in two threads (Arrow releases
    the GIL).  Both results are chunked arrays: the CSV reader's chunks are
    worked on where they lie, and nothing copies them into one piece.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    pieces = [c.slice(i, _CHUNK) for c in chunks for i in range(0, len(c), _CHUNK)] or [arrow.array([], pa.string())]
    pieces = [pc.fill_null(p, arrow.scalar("")) if p.null_count else p for p in pieces]
    if len(pieces) == 1:
        results = [_normalize_chunk(pieces[0])]
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(_normalize_chunk, pieces))
    canon = pa.chunked_array([r[0] for r in results], pa.string())
    hosts = pa.chunked_array([r[1] for r in results], pa.string())
    return canon, hosts
