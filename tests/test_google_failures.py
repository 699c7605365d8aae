"""What Google (or whatever sits in between) may answer that it should not, run through the real commands.

Every case ends as one ``Error: …`` line with its exit code, never a traceback,
and keeps what was fetched before it. The stand-in's ``tamper`` knob supplies
the odd answers; see tests/standin.py.
"""

from __future__ import annotations

import json

import pytest

from gsc_backlinks import auth

from clihelp import error_line, run, stored
from googlehelp import DAYS, DOMAIN, END, START, service_key
from standin import BAD_STATUS_LINE, INCOMPLETE_READ, html_page


def _json(body, status: int = 200) -> tuple:
    return status, body, {}


# --- answers that are not Search Console JSON -------------------------------------------------


@pytest.mark.parametrize("kind", ["sites.list", "searchanalytics"])
def test_an_html_page_instead_of_json_is_one_line(authorized, tmp_path, kind):
    authorized.tamper[kind] = lambda body: html_page()
    result = run(tmp_path / "s.duckdb", "sync", "--site", DOMAIN, "--start", START, "--end", END)
    line = error_line(result)
    assert result.exit_code == 69
    assert "not Search Console JSON" in line and "<!DOCTYPE html>" in line


@pytest.mark.parametrize("rows", [
    [{"clicks": 3, "impressions": 10, "ctr": 0.3, "position": 2.0}],  # no "keys"
    [{"keys": ["yesterday"], "clicks": 3, "impressions": 10, "ctr": 0.3, "position": 2.0}],
    [{"keys": [], "clicks": 3, "impressions": 10, "ctr": 0.3, "position": 2.0}],
    "rows",
])
def test_date_rows_without_a_date_are_one_line_and_store_no_day(authorized, tmp_path, rows):
    def date_rows(body):
        return _json({"rows": rows}) if body and body.get("dimensions") == ["date"] else None

    authorized.tamper["searchanalytics"] = date_rows
    store = tmp_path / "s.duckdb"
    result = run(store, "sync", "--site", DOMAIN, "--start", START, "--end", END)
    line = error_line(result)
    assert result.exit_code == 69
    assert "Search Analytics" in line
    # A day whose total is unreadable must not be taken for a final day without data.
    assert stored(store, "SELECT count(*) FROM search_days") == [(0,)]


def test_page_rows_without_keys_are_one_line_and_keep_whole_days(authorized, tmp_path):
    broken = DAYS[3].isoformat()

    def keyless(body):
        if body and body.get("startDate") == broken and body.get("dimensions") == ["page", "query"]:
            return _json({"rows": [{"clicks": 1, "impressions": 2, "ctr": 0.5, "position": 1.0}]})
        return None

    authorized.tamper["searchanalytics"] = keyless
    store = tmp_path / "s.duckdb"
    result = run(store, "sync", "--site", DOMAIN, "--start", START, "--end", END, "--workers", "1")
    line = error_line(result)
    assert result.exit_code == 69
    assert "complete days were stored" in line
    days = [d for (d,) in stored(store, "SELECT day FROM search_days")]
    assert days and DAYS[3] not in days


@pytest.mark.parametrize("odd", [
    {"inspectionResult": [1, 2]},
    {"inspectionResult": {"indexStatusResult": "PASS"}},
    {"inspectionResult": {"indexStatusResult": {"verdict": "PASS", "googleCanonical": 5}}},
    {"inspectionResult": {"indexStatusResult": {"verdict": "PASS", "referringUrls": "https://a.example/"}}},
    {"inspectionResult": {"indexStatusResult": {"verdict": "PASS", "lastCrawlTime": 1700000000}}},
])
def test_an_odd_inspection_result_keeps_the_other_pages(authorized, tmp_path, odd):
    def one_odd(body):
        return _json(odd) if body and body.get("inspectionUrl", "").endswith("/odd") else None

    authorized.tamper["inspect"] = one_odd
    store = tmp_path / "s.duckdb"
    result = run(store, "inspect", "https://www.example.com/a", "https://www.example.com/odd",
                 "https://www.example.com/b", "--site", DOMAIN)
    line = error_line(result)
    assert result.exit_code == 69
    assert "https://www.example.com/odd" in line and "unexpected" in line
    assert "2 other results were stored" in line
    assert stored(store, "SELECT url FROM inspections ORDER BY url") == [
        ("https://www.example.com/a",), ("https://www.example.com/b",)]


# --- broken HTTP on the wire ---------------------------------------------------------------------


@pytest.mark.parametrize("raw", [BAD_STATUS_LINE, INCOMPLETE_READ], ids=["BadStatusLine", "IncompleteRead"])
def test_broken_http_is_retried_then_one_line(authorized, tmp_path, raw):
    authorized.tamper["sites.list"] = lambda body: raw
    result = run(tmp_path / "s.duckdb", "sites")
    line = error_line(result)
    assert result.exit_code == 69
    assert "listing properties failed after 7 tries (connection problem" in line
    assert authorized.count("sites.list") >= 7


def test_one_broken_answer_is_retried_and_the_command_succeeds(authorized, tmp_path):
    broken = [INCOMPLETE_READ, BAD_STATUS_LINE]
    authorized.tamper["sites.list"] = lambda body: broken.pop() if broken else None
    result = run(tmp_path / "s.duckdb", "sites", "--format", "json")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["sites"]) == 3


@pytest.mark.parametrize("command", [("sites",), ("sync", "--site", DOMAIN, "--days", "3")])
def test_an_api_not_enabled_in_the_cloud_project_is_one_line_with_its_link(authorized, tmp_path, command):
    from standin import service_disabled

    authorized.tamper["sites.list"] = lambda body: (403, service_disabled("4242"), {})
    result = run(tmp_path / "s.duckdb", *command)
    line = error_line(result)
    assert result.exit_code == 77
    assert "the Search Console API is not enabled in the Google Cloud project" in line
    assert "https://console.developers.google.com/apis/api/searchconsole.googleapis.com/overview?project=4242," in line
    assert authorized.count("sites.list") == 1  # a setup step, not something to retry


def test_a_login_whose_code_exchange_is_cut_off_says_so_not_refused(google, tmp_path, monkeypatch):
    import threading

    import requests

    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    client = tmp_path / "credentials.json"
    client.write_text(json.dumps(google.client_config()))

    def consent(url, new=0, autoraise=True):
        threading.Thread(target=requests.get, args=(url,), kwargs={"timeout": 10}, daemon=True).start()
        return True

    monkeypatch.setattr("webbrowser.open", consent)
    google.tamper["token"] = lambda body: BAD_STATUS_LINE  # the connection breaks as the code is exchanged
    result = run(tmp_path / "s.duckdb", "auth", "login", "--client-secrets", str(client))
    assert result.exit_code == 77
    assert result.stderr.count("Error: ") == 1 and "Traceback" not in result.output
    line = result.stderr.splitlines()[-1]
    assert line.startswith("Error: cannot reach Google's token server (") and "check the network" in line
    assert "refused" not in line and not auth.token_path().exists()


# --- a token server that answers something else ---------------------------------------------------

GARBLED_TOKEN_ANSWERS = [html_page(), _json(["access_token"]), _json({"access_token": "ya29.x", "expires_in": "soon"})]
GARBLED_IDS = ["html", "list", "bad-expiry"]


@pytest.mark.parametrize("answer", GARBLED_TOKEN_ANSWERS, ids=GARBLED_IDS)
def test_a_garbled_token_answer_when_refreshing_is_one_line(authorized, tmp_path, answer):
    authorized.tamper["token"] = lambda body: answer
    result = run(tmp_path / "s.duckdb", "sites")  # no access token saved yet: refreshed before the call
    line = error_line(result)
    assert result.exit_code == 77
    assert "token server answered something unexpected" in line and "gsc-backlinks auth login" in line


@pytest.mark.parametrize("answer", GARBLED_TOKEN_ANSWERS, ids=GARBLED_IDS)
def test_a_garbled_token_answer_during_an_api_call_is_one_line(authorized, tmp_path, answer):
    assert run(tmp_path / "s.duckdb", "sites").exit_code == 0  # an access token is saved
    authorized.expire_access_tokens()  # Google answers 401: google-auth refreshes on the way
    authorized.tamper["token"] = lambda body: answer
    result = run(tmp_path / "s.duckdb", "sites")
    line = error_line(result)
    assert result.exit_code == 77
    assert "token server answered something unexpected" in line
    assert authorized.count("sites.list") == 2  # not retried: it is not a connection problem


def test_a_garbled_token_answer_for_a_service_account_is_one_line(google, tmp_path, monkeypatch):
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(service_key(tmp_path)))
    google.tamper["token"] = lambda body: html_page()
    result = run(tmp_path / "s.duckdb", "sites")
    assert result.exit_code == 77
    assert "token server answered something unexpected" in error_line(result)


# --- saved files of the wrong shape --------------------------------------------------------------


def _oauth(authorized, **fields) -> dict:
    config = authorized.client_config()["installed"]
    return {"type": "authorized_user", "refresh_token": authorized.issue_refresh_token(),
            "client_id": config["client_id"], "client_secret": config["client_secret"], **fields}


@pytest.mark.parametrize("fields", [
    {"type": "service_account"},
    {"type": "service_account", "key_file": 5},
    {"type": "service_account", "key_file": "/k.json", "client_email": ["a"]},
    {"type": 5},
    {"expiry": 5},
    {"scopes": 5},
    {"scopes": [5]},
    {"token": {"a": 1}},
    {"refresh_token": 5},
    {"client_secret": ["s"]},
], ids=lambda f: "-".join(f"{k}={v}" for k, v in f.items()))
@pytest.mark.parametrize("command", [("sites",), ("auth", "status")])
def test_a_token_file_with_fields_of_the_wrong_type_is_damaged(authorized, tmp_path, fields, command):
    token = _oauth(authorized, **fields) if fields.get("type", "authorized_user") == "authorized_user" else fields
    auth.token_path().write_text(json.dumps(token))
    result = run(tmp_path / "s.duckdb", *command)
    line = error_line(result)
    assert result.exit_code == 77
    assert f"the saved authorization {auth.token_path()} is damaged" in line
    assert authorized.requests == []


@pytest.mark.parametrize("origin", ["token file", "GOOGLE_APPLICATION_CREDENTIALS"])
def test_a_service_account_key_gone_since_login_says_where_it_was_named(google, tmp_path, monkeypatch, origin):
    gone = tmp_path / "moved" / "key.json"
    if origin == "token file":
        auth.write_private(auth.token_path(), json.dumps(
            {"type": "service_account", "key_file": str(gone), "client_email": "cron@p.iam.gserviceaccount.com"}))
        fix = "saved by `gsc-backlinks auth login --service-account`: run it again with the key's current path"
    else:
        monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(gone))
        fix = "from GOOGLE_APPLICATION_CREDENTIALS: point it at a current JSON key, or unset it"
    result = run(tmp_path / "s.duckdb", "sites")
    assert result.exit_code == 77
    assert error_line(result) == f"Error: service-account key {gone} does not exist ({fix})"
    assert google.requests == []


def test_logout_forgets_a_damaged_token_file(authorized, tmp_path):
    auth.token_path().write_text(json.dumps(_oauth(authorized, expiry=5)))
    result = run(tmp_path / "s.duckdb", "auth", "logout")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"deleted the damaged authorization {auth.token_path()}")
    assert not auth.token_path().exists()


def test_a_token_file_with_a_text_scope_still_works(authorized, tmp_path):
    from standin import SCOPE_READONLY

    auth.token_path().write_text(json.dumps(_oauth(authorized, scopes=SCOPE_READONLY, expiry=None, token=None)))
    assert run(tmp_path / "s.duckdb", "sites").exit_code == 0


def test_a_token_expiry_written_with_an_offset_is_read_as_utc(authorized, tmp_path):
    auth.token_path().write_text(json.dumps(_oauth(authorized, token="ya29.old", expiry="2000-01-01T02:30:00+02:00")))
    status = run(tmp_path / "s.duckdb", "auth", "status", "--offline")
    assert status.exit_code == 0, status.output
    assert "Access token expires: 2000-01-01 00:30 UTC (expired)" in status.stdout
    assert run(tmp_path / "s.duckdb", "sites").exit_code == 0  # expired: refreshed before the call
    assert authorized.count("token") == 1


@pytest.mark.parametrize("installed", [
    [1], "x", {"client_id": "c", "client_secret": 5, "auth_uri": "https://a/", "token_uri": "https://t/"},
    {"client_id": ["c"], "client_secret": "s", "auth_uri": "https://a/", "token_uri": "https://t/"},
])
def test_a_client_file_of_the_wrong_shape_is_one_line(google, tmp_path, installed):
    client = tmp_path / "credentials.json"
    client.write_text(json.dumps({"installed": installed}))
    result = run(tmp_path / "s.duckdb", "auth", "login", "--client-secrets", str(client))
    line = error_line(result)
    assert result.exit_code == 2
    assert f"{client} is not an OAuth client file" in line and "Desktop OAuth client" in line


def test_a_client_file_that_is_a_json_list_is_one_line(google, tmp_path):
    client = tmp_path / "credentials.json"
    client.write_text("[]")
    result = run(tmp_path / "s.duckdb", "auth", "login", "--client-secrets", str(client))
    assert result.exit_code == 2
    assert f"{client} is not an OAuth client file" in error_line(result)


# --- a config folder we cannot write -------------------------------------------------------------


def test_login_into_a_config_folder_that_cannot_be_made_is_one_line(google, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(blocker))  # the config folder would be inside a file
    result = run(tmp_path / "s.duckdb", "auth", "login", "--service-account", str(service_key(tmp_path)))
    line = error_line(result)
    assert result.exit_code == 77
    assert f"cannot save the authorization to {auth.token_path()}: Not a directory" in line


def _unwritable(monkeypatch):
    """Writing into the config folder fails (a read-only mount; chmod would not stop root)."""
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(auth.tempfile, "mkstemp", refuse)


def test_a_refreshed_token_that_cannot_be_saved_does_not_fail_the_command(authorized, tmp_path, monkeypatch):
    before = auth.token_path().read_text()
    _unwritable(monkeypatch)
    result = run(tmp_path / "s.duckdb", "sync", "--site", DOMAIN, "--start", START, "--end", END)
    assert result.exit_code == 0, result.output  # the access token is a cache; the refresh token still works
    assert auth.token_path().read_text() == before


def test_an_oauth_login_into_a_read_only_config_folder_is_one_line(google, tmp_path, monkeypatch):
    import threading

    import requests

    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    client = tmp_path / "credentials.json"
    client.write_text(json.dumps(google.client_config()))

    def consent(url, new=0, autoraise=True):
        threading.Thread(target=requests.get, args=(url,), kwargs={"timeout": 10}, daemon=True).start()
        return True

    monkeypatch.setattr("webbrowser.open", consent)
    _unwritable(monkeypatch)
    result = run(tmp_path / "s.duckdb", "auth", "login", "--client-secrets", str(client))
    assert result.exit_code == 77
    assert f"cannot save the authorization to {auth.token_path()}: Permission denied" in result.stderr
    assert "Traceback" not in result.output and result.stderr.count("Error: ") == 1


@pytest.mark.parametrize("kind", ["authorized_user", "service_account"])
def test_logout_that_cannot_delete_the_token_file_is_one_line(authorized, tmp_path, monkeypatch, kind):
    if kind == "service_account":
        auth.token_path().write_text(json.dumps({"type": "service_account", "key_file": "/k.json"}))

    def refuse(self, missing_ok=False):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(auth.Path, "unlink", refuse)
    result = run(tmp_path / "s.duckdb", "auth", "logout")
    line = error_line(result)
    assert result.exit_code == 77
    assert f"cannot delete {auth.token_path()}: Permission denied" in line
    if kind == "authorized_user":
        assert line.startswith("Error: revoked with Google, but") and authorized.revoked


# --- quota ----------------------------------------------------------------------------------------


def test_a_spent_inspection_quota_stops_the_queued_urls(authorized, tmp_path):
    authorized.inspect_quota_left = 2
    urls = [f"https://www.example.com/p{n}" for n in range(20)]
    store = tmp_path / "s.duckdb"
    result = run(store, "inspect", *urls, "--site", DOMAIN)
    line = error_line(result)
    assert result.exit_code == 75
    assert "(2 inspected and stored, 18 left)" in line
    # The URLs in flight (4 workers) make their tries; the queued ones are dropped, not tried 7 times each.
    assert authorized.count("inspect") <= 2 + 4 * 7
    assert stored(store, "SELECT count(*) FROM inspections") == [(2,)]


# --- options are checked before anything goes over the network --------------------------------------


@pytest.mark.parametrize(("extra", "expected"), [
    (("--type", "bogus"), "Invalid value for '--type'"),
    (("--days", "0"), "Invalid value for '--days'"),
    (("--start", END, "--end", START), f"--start {END} is after --end {START}"),
    (("--days", "3", "--start", START), "give either --days or --start/--end, not both"),
    (("--end", "2999-01-01"), "--end 2999-01-01 is in the future"),
])
def test_sync_options_are_checked_before_calling_google(authorized, tmp_path, extra, expected):
    store = tmp_path / "s.duckdb"
    result = run(store, "sync", "--site", DOMAIN, *extra)
    assert result.exit_code == 2
    assert expected in result.stderr and "Traceback" not in result.output
    assert authorized.requests == []  # not even the token refresh or sites.list
    assert not store.exists()


def test_sync_type_is_one_of_googles_as_google_spells_them(authorized, tmp_path):
    result = run(tmp_path / "s.duckdb", "sync", "--site", DOMAIN, "--start", START, "--end", END, "--type", "image")
    assert result.exit_code == 0, result.output
    assert "(image)" in result.stdout
    assert {r.body["type"] for r in authorized.requests if r.kind == "searchanalytics"} == {"image"}
    help_text = run(tmp_path / "s.duckdb", "sync", "--help").stdout
    assert "[web|image|video|news|discover|googleNews]" in help_text


def test_the_sync_library_checks_the_range_before_opening_the_store(tmp_path):
    from gsc_backlinks.errors import UsageError
    from gsc_backlinks.jobs.sync import sync

    store = tmp_path / "s.duckdb"
    with pytest.raises(UsageError, match="is after"):
        sync(None, store, DOMAIN, start=DAYS[3], end=DAYS[1])
    with pytest.raises(UsageError, match="at least 1"):
        sync(None, store, DOMAIN, days=0)
    assert not store.exists()


def test_inspect_checks_its_urls_before_calling_google(authorized, tmp_path):
    store = tmp_path / "s.duckdb"
    result = run(store, "inspect", "https://www.example.com/a", "https://other.org/x", "--site", DOMAIN)
    assert result.exit_code == 2
    assert "https://other.org/x is not a URL of property sc-domain:example.com" in error_line(result)
    assert authorized.requests == []
    assert not store.exists()


# --- one "did you mean" for the store and for Google's list -----------------------------------------


@pytest.mark.parametrize(("asked", "expected"), [
    ("sc-domain:exampel.com", ["sc-domain:example.com", "https://www.example.com/"]),
    ("https://example.com/", ["https://www.example.com/", "sc-domain:example.com"]),
    ("https://www.example.com/blog/", ["https://www.example.com/", "sc-domain:example.com"]),
    ("sc-domain:fernhill.example", ["sc-domain:fernhill-nursery.example"]),
    ("sc-domain:example.org", ["https://shop.example.org/", "sc-domain:example.com", "https://www.example.com/"]),
    ("sc-domain:other.net", []),  # "sc-domain:" in common does not make it close
])
def test_close_properties_compare_hosts_not_prefixes(asked, expected):
    from gsc_backlinks.api import close_properties

    names = ["https://shop.example.org/", "https://www.example.com/", "sc-domain:example.com",
             "sc-domain:fernhill-nursery.example"]
    assert close_properties(asked, names) == expected


def test_an_unrelated_property_gets_no_did_you_mean_from_google_or_the_store(authorized, tmp_path):
    from clihelp import SITE, write_export

    store = tmp_path / "s.duckdb"
    assert run(store, "import", write_export(tmp_path, "Latest links"), "--site", SITE).exit_code == 0
    assert run(store, "sites").exit_code == 0  # Google's list is kept as candidates for the store check too

    google_side = error_line(run(store, "sync", "--site", "sc-domain:other.net", "--days", "3"))
    store_side = error_line(run(store, "links", "pages", "--site", "sc-domain:other.net"))
    assert "did you mean" not in google_side and "did you mean" not in store_side
    assert store_side.endswith(f"the store holds nothing for property sc-domain:other.net. The store holds: {SITE}")

    google_side = error_line(run(store, "sync", "--site", "sc-domain:exampel.com", "--days", "3"))
    store_side = error_line(run(store, "links", "pages", "--site", "sc-domain:exampel.com"))
    same = "did you mean sc-domain:example.com or https://www.example.com/?"
    assert google_side.endswith(same) and store_side.endswith(same)


# --- errors in subcommands of subgroups --------------------------------------------------------------


@pytest.mark.parametrize(("command", "code"), [
    (("auth", "status"), 77), (("links", "pages", "--site", DOMAIN), 74), (("auth", "logout", "--bogus"), 2)])
def test_a_subgroup_command_error_is_converted_once_by_the_top_group(google, tmp_path, command, code):
    result = run(tmp_path / "missing.duckdb", *command)
    assert result.exit_code == code
    assert "Traceback" not in result.output and result.stderr.count("Error: ") == 1


def test_ctrl_c_in_a_subgroup_command_is_one_line(google, tmp_path, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(auth, "saved", interrupted)
    result = run(tmp_path / "s.duckdb", "auth", "status")
    assert result.exit_code == 130
    assert result.stderr.startswith("Interrupted;") and "Traceback" not in result.output


# --- sync --inspect-top and login --service-account -----------------------------------------------


def test_a_token_refreshed_while_sync_inspects_top_pages_is_saved(authorized, tmp_path):
    from clihelp import write_export
    from standin import UNAUTHENTICATED

    store = tmp_path / "s.duckdb"
    export = write_export(tmp_path, "Top target pages", slug="example.com")
    assert run(store, "import", export, "--site", DOMAIN).exit_code == 0
    expired = []

    def expire_once(body):  # Google forgets the access token just as inspection starts
        if expired:
            return None
        expired.append(True)
        authorized.expire_access_tokens()
        return 401, UNAUTHENTICATED, {}

    authorized.tamper["inspect"] = expire_once
    result = run(store, "sync", "--site", DOMAIN, "--days", "3", "--inspect-top", "2")
    assert result.exit_code == 0, result.output
    assert "inspected 2 of the 2 most-linked pages" in result.stdout
    saved = json.loads(auth.token_path().read_text())["token"]
    assert authorized._access_scope(saved) is not None  # the refreshed token, not the one Google forgot


def test_a_service_account_key_google_refuses_is_not_saved(authorized, tmp_path):
    before = auth.token_path().read_text()  # a working OAuth login
    refusal = {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
    authorized.tamper["token"] = lambda body: _json(refusal, 400)
    result = run(tmp_path / "s.duckdb", "auth", "login", "--service-account", str(service_key(tmp_path)))
    line = error_line(result)
    assert result.exit_code == 77
    assert "invalid_grant" in line
    assert auth.token_path().read_text() == before  # still the login that works
