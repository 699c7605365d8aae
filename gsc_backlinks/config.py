"""The configuration file: many properties, each with its exports folder, report folder and mail recipients.

A TOML file (``gsc-backlinks.toml`` in the user config folder, or ``--config FILE`` /
``GSC_BACKLINKS_CONFIG``), read with the standard library's ``tomllib``::

    [defaults]
    exports = "~/Downloads"
    out = "~/reports"
    mail_to = ["seo@agency.example"]

    [[property]]
    site = "sc-domain:fernhill-nursery.example"
    brand = ["Fernhill", "FN Garden"]
    competitors = ["greenfingers.example", "rosehall.example"]
    exports = "~/clients/fernhill/exports"
    mail_to = ["owner@fernhill-nursery.example"]

Everything is checked when the file is read, before anything runs: an unknown
key, a wrong type or a bad value is one ``FILE:LINE: key 'x' …`` line (tomllib
gives no positions, so the line is found by looking for the key in its table).
SMTP settings are never read from here: they come from the environment only.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .bqsettings import cap_problem, dataset_problem, location_problem, project_problem
from .errors import ConfigError, UsageError
from .text import printable, shorten
from .urls import canonical_url, host_of, parse_property

CONFIG_NAME = "gsc-backlinks.toml"
DEFAULT_OUT = "reports"  #: as `report weekly --out` defaults
DEFAULT_ALERT_DROP = 5  #: --alert mails when linking domains dropped by more than this
MAX_BYTES = 1024 * 1024  #: a configuration file is a few kilobytes; a bigger one is the wrong file

_ADDRESS_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+"
                         r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$")
_SECRET_HINTS = ("smtp", "password", "secret", "token")


@dataclass(frozen=True)
class BigQuerySource:
    """Where a property's search data comes from when it is Search Console's bulk export in BigQuery."""

    project: str
    dataset: str | None = None  #: None: the export's default ("searchconsole")
    location: str | None = None
    max_gb: float | None = None  #: None: the default cap


@dataclass(frozen=True)
class PropertyConfig:
    """One ``[[property]]`` of the file, with the defaults filled in and every path made absolute."""

    name: str  #: what --property takes (default: the site)
    site: str  #: the Search Console property, as Google names it
    brand: tuple[str, ...] = ()
    competitors: tuple[str, ...] = ()  #: competitors' domains (host names, lower case)
    exports: Path | None = None  #: folder its Search Console exports land in
    out: Path = Path(DEFAULT_OUT)  #: folder its reports are written under
    mail_to: tuple[str, ...] = ()
    report_url: str | None = None  #: where `out` is published (for a link in the mail)
    alert_drop: int = DEFAULT_ALERT_DROP
    bigquery: BigQuerySource | None = None  #: source = "bigquery": sync from the bulk export


@dataclass(frozen=True)
class Config:
    """The whole file: its properties, in the file's order, and the defaults that apply to all."""

    path: Path
    properties: tuple[PropertyConfig, ...]
    store: Path | None = None
    out: Path = Path(DEFAULT_OUT)  #: where the portfolio page is written (the defaults' out)
    report_url: str | None = None

    def property(self, name: str) -> PropertyConfig:
        """The property called ``name`` (or whose site is ``name``); a UsageError naming the ones there are."""
        for prop in self.properties:
            if prop.name == name:
                return prop
        for prop in self.properties:
            if prop.site == name:
                return prop
        known = ", ".join(p.name for p in self.properties) or "none"
        raise UsageError(f"--property {printable(name)!r}: {self.path} has no property of that name "
                         f"(it has: {shorten(printable(known), 300)})")


def default_config_path() -> Path:
    """``gsc-backlinks.toml`` in the user config folder (beside the saved Google authorization)."""
    from platformdirs import user_config_path

    return user_config_path("gsc-backlinks", appauthor=False) / CONFIG_NAME


def read_config(option: str | os.PathLike | None) -> Config | None:
    """The file given (``--config`` / ``GSC_BACKLINKS_CONFIG``), else the default one if it exists, else None."""
    if option:
        return load_config(Path(option).expanduser())
    path = default_config_path()
    return load_config(path) if path.is_file() else None


# --- reading ------------------------------------------------------------------------------------------


def load_config(path: Path) -> Config:
    """Read and check the whole file; any problem is one ConfigError line naming the file, line and key."""
    import tomllib

    path = Path(path)
    try:
        if path.is_dir():
            raise ConfigError(f"{path}: a folder, not a configuration file; give the .toml file itself")
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ConfigError(f"{path}: {size / 2**20:.1f} MB is far too big for a configuration file "
                              "(a few kilobytes of TOML); is it the right file?")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such configuration file; write one (README: \"Many properties\") "
                          "or leave --config out") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}:{line}: not UTF-8 text; save the file as UTF-8 TOML") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = re.search(r"\(at line (\d+), column (\d+)\)", message)
        at = match.group(1) if match else "1"
        what = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", message)
        raise ConfigError(f"{path}:{at}: not valid TOML: {printable(what)}"
                          + (f" (column {match.group(2)})" if match else "")) from None
    return _Reader(path, text).config(data)


class _Reader:
    """Checks the parsed file, key by key, and finds the line of a key for the error."""

    def __init__(self, path: Path, text: str):
        self.path = path
        self.lines = text.splitlines()
        self.base = path.parent

    # --- where a key is --------------------------------------------------------------------------

    def line_of(self, table: str | None, index: int | None = None, key: str | None = None) -> int:
        """The line of ``key`` in the table (``[[property]]`` number ``index``), or of the table's header."""
        current: tuple[str | None, int | None] = (None, None)
        counts: dict[str, int] = {}
        header = None
        key_re = re.compile(r"^\s*(?:" + re.escape(key) + r"|\"" + re.escape(key) + r"\"|'" + re.escape(key)
                            + r"')\s*[=.]") if key else None
        for number, line in enumerate(self.lines, 1):
            match = re.match(r"^\s*(\[\[?)\s*([A-Za-z0-9_\"'.-]+)\s*\]\]?", line)
            if match:
                name = match.group(2).strip("\"'")
                parts = [part.strip("\"'") for part in match.group(2).split(".")]
                if key is not None and len(parts) > 1 and parts[1] == key and \
                        (parts[0], counts.get(parts[0])) == (table, index):
                    return number  # a sub-table of the table, as [property.extra] under [[property]]
                if match.group(1) == "[[":
                    counts[name] = counts.get(name, -1) + 1
                    current = (name, counts[name])
                else:
                    current = (name, None)
                if key_re is None and current == (table, index):
                    return number
                if current == (table, index):
                    header = number
                continue
            if key_re is not None and current == (table, index) and key_re.match(line):
                return number
        if header is not None:
            return header
        if key:  # an inline table, or a key TOML allows in a form this scan does not follow
            for number, line in enumerate(self.lines, 1):
                if re.search(r"(?:^|[\s{,])[\"']?" + re.escape(key) + r"[\"']?\s*=", line):
                    return number
        return 1

    def fail(self, table: str | None, index: int | None, key: str | None, problem: str) -> ConfigError:
        where = f"{self.path}:{self.line_of(table, index, key)}"
        return ConfigError(f"{where}: key '{printable(key)}' {problem}" if key else f"{where}: {problem}")

    # --- the file --------------------------------------------------------------------------------

    def config(self, data: dict) -> Config:
        for key in data:
            if key not in ("defaults", "property"):
                raise self.fail(None, None, key, _unknown(key, "is not a section of the file; it may have [defaults] and "
                                                               "[[property]] tables"))
        defaults = data.get("defaults", {})
        if not isinstance(defaults, dict):
            raise self.fail(None, None, "defaults", "must be a table: write [defaults] above its keys")
        entries = data.get("property", [])
        if isinstance(entries, dict):
            raise self.fail("property", None, "property", "must be a list of tables: write [[property]] (two "
                                                          "brackets) above each property's keys")
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise self.fail(None, None, "property", "must be a list of tables: write [[property]] above each "
                                                    "property's keys")
        d = self.section(defaults, DEFAULT_KEYS, "defaults", None)
        out = d.get("out", self.path_value(DEFAULT_OUT))
        properties: list[PropertyConfig] = []
        names: dict[str, int] = {}
        sites: dict[str, str] = {}
        for i, entry in enumerate(entries):
            p = self.section(entry, PROPERTY_KEYS, "property", i)
            if "site" not in p:
                raise self.fail("property", i, None, f"[[property]] number {i + 1} has no key 'site'; give it like "
                                                     "site = \"sc-domain:example.com\"")
            name = p.get("name", p["site"])
            if name in names:
                raise self.fail("property", i, "name" if "name" in p else "site",
                                f"names a property twice: {printable(name)!r} is already [[property]] number "
                                f"{names[name] + 1}; give each a name of its own")
            if p["site"] in sites:
                raise self.fail("property", i, "site", f"is {p['site']}, already configured as property "
                                                       f"{printable(sites[p['site']])!r}")
            names[name] = i
            sites[p["site"]] = name
            bigquery = self.bigquery_of(p, d, i)
            properties.append(PropertyConfig(
                name=name, site=p["site"], brand=tuple(p.get("brand", ())), competitors=tuple(p.get("competitors", ())),
                exports=p.get("exports", d.get("exports")), out=p.get("out", out),
                mail_to=tuple(p.get("mail_to", d.get("mail_to", ()))),
                report_url=p.get("report_url", d.get("report_url")),
                alert_drop=p.get("alert_drop_domains", d.get("alert_drop_domains", DEFAULT_ALERT_DROP)),
                bigquery=bigquery))
        return Config(self.path, tuple(properties), d.get("store"), out, d.get("report_url"))

    def bigquery_of(self, p: dict, d: dict, index: int) -> BigQuerySource | None:
        """The property's BigQuery source (its keys over the defaults'), or None when it syncs from the API."""
        def get(key: str):
            return p.get(key, d.get(key))

        if get("source") != "bigquery":
            return None
        if not get("bigquery_project"):
            where = "source" if "source" in p else None
            raise self.fail("property" if where else "defaults", index if where else None, "source",
                            "is \"bigquery\" but no bigquery_project is given: add bigquery_project = "
                            "\"your-gcp-project\" (the project Search Console's bulk export writes to)")
        return BigQuerySource(get("bigquery_project"), get("bigquery_dataset"), get("bigquery_location"), get("max_gb"))

    def section(self, table: dict, keys: dict[str, Callable], name: str, index: int | None) -> dict[str, Any]:
        """Every key of one table checked and converted by its rule."""
        out = {}
        where = f"[{name}]" if index is None else "[[property]]"
        for key, value in table.items():
            rule = keys.get(key)
            if rule is None:
                known = ", ".join(keys)
                raise self.fail(name, index, key, _unknown(key, f"is not a setting of {where}; its keys are: {known}"))
            try:
                out[key] = rule(self, value)
            except _Wrong as exc:
                raise self.fail(name, index, key, str(exc)) from None
        return out

    # --- one value each --------------------------------------------------------------------------

    def path_value(self, value: Any) -> Path:
        text = _string(value, "a folder path, like \"~/reports\"")
        path = Path(text).expanduser()
        # Relative paths are relative to the file's own folder: the same run from cron and from a shell.
        return path if path.is_absolute() else self.base / path


class _Wrong(Exception):
    """A value of the wrong type or form; the reader adds the file, line and key."""


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    return {str: "a string", int: "a number", float: "a number", list: "a list", dict: "a table"}.get(
        type(value), type(value).__name__)


def _string(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise _Wrong(f"must be {what}, not {_type_name(value)}")
    if not value.strip():
        raise _Wrong(f"must be {what}, not empty")
    if value != printable(value):
        raise _Wrong(f"must be {what}, without control characters")
    return value.strip()


def _strings(value: Any, what: str, example: str) -> list[str]:
    if not isinstance(value, list):
        raise _Wrong(f"must be a list of {what}, like {example}, not {_type_name(value)}")
    return [_string(v, f"a list of {what}, like {example}") for v in value]


def _unknown(key: str, problem: str) -> str:
    if any(hint in key.lower() for hint in _SECRET_HINTS):
        return ("is not read from the configuration file: SMTP settings and passwords come from the environment only "
                "(GSC_BACKLINKS_SMTP_HOST, _PORT, _USER, _PASSWORD); remove it from the file")
    return problem


def check_address(text: str, where: str = "--mail-to") -> str:
    """An e-mail address as a mail header may carry it (no name part, no spaces or line breaks), else UsageError."""
    value = (text or "").strip()
    if not _ADDRESS_RE.match(value) or len(value) > 254:
        raise UsageError(f"{where} {shorten(printable(value), 80)!r} is not an e-mail address; give it like "
                         "seo@agency.example")
    return value


def _addresses(reader: _Reader, value: Any) -> list[str]:
    out = []
    for text in _strings(value, "e-mail addresses", '["seo@agency.example"]'):
        if not _ADDRESS_RE.match(text) or len(text) > 254:
            raise _Wrong(f"has {shorten(printable(text), 80)!r}, which is not an e-mail address (like seo@agency.example)")
        out.append(text)
    return list(dict.fromkeys(out))


def _site(reader: _Reader, value: Any) -> str:
    text = _string(value, "a Search Console property, like \"sc-domain:example.com\"")
    try:
        return parse_property(text).site
    except UsageError as exc:
        raise _Wrong(f"is not a property name: {exc}") from None


def _name(reader: _Reader, value: Any) -> str:
    return _string(value, "a short name, like \"fernhill\"")


def _brand(reader: _Reader, value: Any) -> list[str]:
    return list(dict.fromkeys(_strings(value, "brand terms", '["Fernhill", "FN Garden"]')))


def _competitors(reader: _Reader, value: Any) -> list[str]:
    out = []
    for text in _strings(value, "domains", '["greenfingers.example"]'):
        host = host_of(canonical_url(text, default_scheme="https"))
        if not host or "." not in host or "/" in text.split("://", 1)[-1].rstrip("/"):
            raise _Wrong(f"has {shorten(printable(text), 80)!r}, which is not a domain (like greenfingers.example)")
        out.append(host)
    return list(dict.fromkeys(out))


def _folder(reader: _Reader, value: Any) -> Path:
    return reader.path_value(value)


def _store(reader: _Reader, value: Any) -> Path:
    if not isinstance(value, str):
        raise _Wrong(f"must be the store file's path, like \"~/seo/store.duckdb\", not {_type_name(value)}")
    return reader.path_value(value)


def _report_url(reader: _Reader, value: Any) -> str:
    text = _string(value, "a web address, like \"https://reports.agency.example/seo/\"")
    if not re.match(r"^https?://[^/\s]+", text, re.IGNORECASE):
        raise _Wrong(f"is {shorten(printable(text), 80)!r}: give the http(s) address where the reports folder is "
                     "published, like \"https://reports.agency.example/seo/\"")
    return text.rstrip("/")


def _drop(reader: _Reader, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Wrong(f"must be a whole number of linking domains, like 5, not {_type_name(value)}")
    if value < 0:
        raise _Wrong("must be 0 or more")
    return value


def _source(reader: _Reader, value: Any) -> str:
    text = _string(value, "\"api\" or \"bigquery\"")
    if text not in ("api", "bigquery"):
        raise _Wrong(f"is {shorten(printable(text), 40)!r}: give \"api\" (the Search Console API) or \"bigquery\" "
                     "(the bulk data export)")
    return text


def _bq_value(what: str, problem_of: Callable[[str], str | None]) -> Callable[[_Reader, Any], str]:
    """A rule for a BigQuery name: the same check as the sync's option (bqsettings), with the file's key."""
    def rule(reader: _Reader, value: Any) -> str:
        text = _string(value, what)
        problem = problem_of(text)
        if problem:
            raise _Wrong(f"is {shorten(printable(text), 60)!r}, which is {problem}")
        return text
    return rule


def _max_gb(reader: _Reader, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _Wrong(f"must be a number of gigabytes, like 10, not {_type_name(value)}")
    problem = cap_problem(float(value))
    if problem:
        raise _Wrong(problem)
    return float(value)


_SOURCE_KEYS: dict[str, Callable] = {
    "source": _source,
    "bigquery_project": _bq_value("a Google Cloud project ID, like \"my-project-123\"", project_problem),
    "bigquery_dataset": _bq_value("a BigQuery dataset name, like \"searchconsole\"", dataset_problem),
    "bigquery_location": _bq_value("a BigQuery location, like \"EU\"", location_problem),
    "max_gb": _max_gb,
}
DEFAULT_KEYS: dict[str, Callable] = {
    "exports": _folder, "out": _folder, "mail_to": _addresses, "store": _store, "report_url": _report_url,
    "alert_drop_domains": _drop, **_SOURCE_KEYS,
}
PROPERTY_KEYS: dict[str, Callable] = {
    "name": _name, "site": _site, "brand": _brand, "competitors": _competitors, "exports": _folder, "out": _folder,
    "mail_to": _addresses, "report_url": _report_url, "alert_drop_domains": _drop, **_SOURCE_KEYS,
}
