"""Fixtures shared by the test modules: a loopback stand-in for Google, and an authorization saved for it."""

from __future__ import annotations

import json

import pytest

from gsc_backlinks import auth

from clihelp import SITE
from googlehelp import DAYS, DOMAIN, FINAL_UNTIL
from standin import SCOPE_READONLY, SearchData, StandIn


@pytest.fixture
def google(monkeypatch, tmp_path):
    data = SearchData(sites=[DOMAIN, SITE], days=DAYS, final_until=FINAL_UNTIL, pages_per_day=12, queries_per_page=5)
    sites = {DOMAIN: "siteOwner", SITE: "siteFullUser", "https://shop.example.org/": "siteRestrictedUser"}
    with StandIn(sites=sites, data=data) as server:
        monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
        monkeypatch.setenv("GSC_BACKLINKS_API_ENDPOINT", server.base_url)
        monkeypatch.setenv("GSC_BACKLINKS_TOKEN_URI", server.token_uri)
        monkeypatch.setenv("GSC_BACKLINKS_REVOKE_URI", server.revoke_uri)
        monkeypatch.setenv("GSC_BACKLINKS_RETRY_BASE", "0.01")
        monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
        monkeypatch.delenv("GSC_BACKLINKS_CLIENT_SECRETS", raising=False)
        yield server


@pytest.fixture
def authorized(google):
    """A saved OAuth authorization, as `auth login` leaves it (no access token yet)."""
    config = google.client_config()["installed"]
    auth.write_private(auth.token_path(), json.dumps({
        "type": "authorized_user", "refresh_token": google.issue_refresh_token(),
        "client_id": config["client_id"], "client_secret": config["client_secret"], "scopes": [SCOPE_READONLY],
    }))
    return google
