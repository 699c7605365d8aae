"""`links samples --domain`: a domain or host the way a person types it finds the stored (punycode) rows."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from clihelp import SITE, import_ok, run, write_export

# Search Console writes an internationalized host either way; the store keeps the punycode form.
LINKS = [
    "https://www.bücher.de/empfehlungen/garten/",
    "https://blog.xn--bcher-kva.de/rosen/",
    "https://www.bbc.co.uk/news/garden/",
]


@pytest.fixture
def store(tmp_path: Path) -> Path:
    store = tmp_path / "store.duckdb"
    import_ok(store, write_export(tmp_path, "More sample links", LINKS))
    return store


def _urls(store: Path, domain: str) -> list[str]:
    result = run(store, "links", "samples", "--site", SITE, "--domain", domain, "--format", "json")
    assert result.exit_code == 0, result.output
    return sorted(r["linking_url"] for r in json.loads(result.stdout)["rows"])


@pytest.mark.parametrize("domain", ["bücher.de", "BÜCHER.DE", "xn--bcher-kva.de", "XN--BCHER-KVA.DE", "bücher.de."])
def test_a_unicode_domain_finds_its_punycode_rows(store, domain):
    assert _urls(store, domain) == ["https://blog.xn--bcher-kva.de/rosen/", "https://www.xn--bcher-kva.de/empfehlungen/garten/"]


@pytest.mark.parametrize("host", ["www.bücher.de", "WWW.Bücher.de", "www.xn--bcher-kva.de"])
def test_a_unicode_host_finds_its_own_rows_only(store, host):
    assert _urls(store, host) == ["https://www.xn--bcher-kva.de/empfehlungen/garten/"]


def test_a_domain_that_links_nowhere_finds_nothing(store):
    assert _urls(store, "bücher.com") == []
    assert _urls(store, "not a host") == []
