"""The configuration file: read and checked before anything runs, one `FILE:LINE: key 'x' …` line per
problem; `config check`; --property on the commands that take --site; the file's store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gsc_backlinks.config import load_config
from gsc_backlinks.errors import ConfigError

from clihelp import SITE, error_line, import_ok, run, write_export

ISSUE_EXAMPLE = """\
[defaults]
exports = "~/Downloads"           # where Search Console exports land
out = "~/reports"
mail_to = ["seo@agency.example"]

[[property]]
site = "sc-domain:fernhill-nursery.example"
brand = ["Fernhill", "FN Garden"]
competitors = ["greenfingers.example", "rosehall.example"]
exports = "~/clients/fernhill/exports"
mail_to = ["owner@fernhill-nursery.example"]
"""


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for name in ("GSC_BACKLINKS_CONFIG", "GSC_BACKLINKS_SITE", "GSC_BACKLINKS_STORE", "GSC_BACKLINKS_OUT",
                 "GSC_BACKLINKS_EXPORTS"):
        monkeypatch.delenv(name, raising=False)
    for name in ("HOST", "PORT", "USER", "PASSWORD", "FROM", "TLS", "CA"):
        monkeypatch.delenv(f"GSC_BACKLINKS_SMTP_{name}", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config-home"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


def write(tmp_path: Path, text: str, name: str = "gsc-backlinks.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_issue_example_resolves_with_the_defaults_filled_in(tmp_path):
    cfg = load_config(write(tmp_path, ISSUE_EXAMPLE))
    (p,) = cfg.properties
    home = tmp_path / "home"
    assert p.name == p.site == "sc-domain:fernhill-nursery.example"
    assert p.brand == ("Fernhill", "FN Garden") and p.competitors == ("greenfingers.example", "rosehall.example")
    assert p.exports == home / "clients/fernhill/exports" and p.out == home / "reports" == cfg.out
    assert p.mail_to == ("owner@fernhill-nursery.example",)  # the property's list replaces the defaults'
    assert p.alert_drop == 5 and cfg.store is None


@pytest.mark.parametrize("text, line, message", [
    (ISSUE_EXAMPLE + 'colour = "green"\n', 12,
     "key 'colour' is not a setting of [[property]]; its keys are: name, site, brand, competitors, exports, out, "
     "mail_to, report_url, alert_drop_domains, source, bigquery_project, bigquery_dataset, bigquery_location, max_gb"),
    ('[[property]]\nsite = "sc-domain:a.example"\nsource = "bigquery"\n', 3,
     "key 'source' is \"bigquery\" but no bigquery_project is given: add bigquery_project = \"your-gcp-project\" "
     "(the project Search Console's bulk export writes to)"),
    ('[defaults]\nsource = "bulk"\n', 2,
     "key 'source' is 'bulk': give \"api\" (the Search Console API) or \"bigquery\" (the bulk data export)"),
    ('[defaults]\nmax_gb = 0.001\n', 2,
     "key 'max_gb' is 0.001, below what BigQuery bills any day's query: at least 10 MB for each of the two tables it "
     "reads; give 0.02 or more"),
    # The BigQuery keys are held to what the sync itself accepts (bqsettings), so `config check` passing means
    # `sync --property` takes them: no later "--project …" error about an option the user never gave.
    *[(f'[defaults]\nsource = "bigquery"\nbigquery_project = "agency-gcp"\n[[property]]\nsite = "sc-domain:a.example"\n'
       f'max_gb = {value}\n', 6, "key 'max_gb' must be a finite number of gigabytes above 0, like 10")
      for value in ("inf", "nan", "1e400", "-inf", "0")],
    ('[defaults]\nsource = "bigquery"\nbigquery_project = "UPPER"\n', 3,
     "key 'bigquery_project' is 'UPPER', which is not a Google Cloud project ID (6 to 30 lower-case letters, digits and "
     "hyphens, like my-project-123; the ID, not the project's name)"),
    ('[[property]]\nsite = "sc-domain:a.example"\nsource = "bigquery"\nbigquery_project = "agency-gcp"\n'
     'bigquery_location = "a"\n', 5,
     "key 'bigquery_location' is 'a', which is not a BigQuery location (like US, EU or europe-west1)"),
    ('[defaults]\nbigquery_project = "agency-gcp"\nbigquery_dataset = "my.dataset"\n', 3,
     "key 'bigquery_dataset' is 'my.dataset', which is not a BigQuery dataset name (letters, digits and underscores; "
     "the bulk export's default is searchconsole)"),
    (ISSUE_EXAMPLE.replace('mail_to = ["seo@agency.example"]', 'mail_to = "seo@agency.example"'), 4,
     "key 'mail_to' must be a list of e-mail addresses, like [\"seo@agency.example\"], not a string"),
    (ISSUE_EXAMPLE.replace('site = "sc-domain:fernhill-nursery.example"', 'site = "fernhill-nursery.example"'), 7,
     "key 'site' is not a property name: 'fernhill-nursery.example' is not a Search Console property name; use "
     "sc-domain:fernhill-nursery.example for a Domain property or https://fernhill-nursery.example/ for a URL-prefix "
     "property (exactly as `gsc-backlinks sites` lists it)"),
    (ISSUE_EXAMPLE + '\n[[property]]\nsite = "https://www.example.com/"\nbrand = "Example"\n', 15,
     "key 'brand' must be a list of brand terms, like [\"Fernhill\", \"FN Garden\"], not a string"),
    (ISSUE_EXAMPLE + '\n[[property]]\nname = "x"\n', 13,
     "[[property]] number 2 has no key 'site'; give it like site = \"sc-domain:example.com\""),
    (ISSUE_EXAMPLE + '\n[[property]]\nsite = "sc-domain:fernhill-nursery.example"\n', 14,
     "key 'site' names a property twice: 'sc-domain:fernhill-nursery.example' is already [[property]] number 1; "
     "give each a name of its own"),
    ('[defaults]\nsmtp_password = "hunter2"\n', 2,
     "key 'smtp_password' is not read from the configuration file: SMTP settings and passwords come from the "
     "environment only (GSC_BACKLINKS_SMTP_HOST, _PORT, _USER, _PASSWORD); remove it from the file"),
    ('[defaults]\nout = "x"\n[[property]]\nsite = "sc-domain:a.example"\nmail_to = ["not an address"]\n', 5,
     "key 'mail_to' has 'not an address', which is not an e-mail address (like seo@agency.example)"),
    ('[defaults]\nalert_drop_domains = -1\n', 2, "key 'alert_drop_domains' must be 0 or more"),
    # A sub-table is reported at its own header, not at its table's.
    (ISSUE_EXAMPLE + '\n[property.extra]\nfoo = 1\n', 13,
     "key 'extra' is not a setting of [[property]]; its keys are: name, site, brand, competitors, exports, out, "
     "mail_to, report_url, alert_drop_domains, source, bigquery_project, bigquery_dataset, bigquery_location, max_gb"),
    ('[defaults]\nout = "x"\n\n[defaults.smtp]\nhost = "mail.example"\n', 4,
     "key 'smtp' is not read from the configuration file: SMTP settings and passwords come from the environment only "
     "(GSC_BACKLINKS_SMTP_HOST, _PORT, _USER, _PASSWORD); remove it from the file"),
    ('[defaults\nout = "x"\n', 1, "not valid TOML: Expected ']' at the end of a table declaration (column 10)"),
    ('[property]\nsite = "sc-domain:a.example"\n', 1,
     "key 'property' must be a list of tables: write [[property]] (two brackets) above each property's keys"),
    ('[[property]]\nsite = "sc-domain:a.example"\ncompetitors = ["https://rival.example/page"]\n', 3,
     "key 'competitors' has 'https://rival.example/page', which is not a domain (like greenfingers.example)"),
])
def test_a_wrong_file_is_one_line_with_file_line_and_key(tmp_path, text, line, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == f"{path}:{line}: {message}"
    assert "hunter2" not in str(caught.value)
    # The same line from the command line, before anything runs, with the usage exit code.
    result = run(tmp_path / "store.duckdb", "--config", str(path), "config", "check")
    assert error_line(result) == f"Error: {path}:{line}: {message}" and result.exit_code == 2
    assert not (tmp_path / "store.duckdb").exists()


def test_config_check_lists_what_each_property_resolves_to(tmp_path, monkeypatch):
    path = write(tmp_path, ISSUE_EXAMPLE.replace('out = "~/reports"', 'out = "reports"\nstore = "seo.duckdb"'))
    monkeypatch.setenv("GSC_BACKLINKS_SMTP_HOST", "smtp.agency.example")
    monkeypatch.setenv("GSC_BACKLINKS_SMTP_USER", "reports@agency.example")
    monkeypatch.setenv("GSC_BACKLINKS_SMTP_PASSWORD", "hunter2-secret")
    result = run(tmp_path / "ignored.duckdb", "--config", str(path), "config", "check")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert f"Configuration file {path}: 1 property, valid." in out
    assert f"Portfolio page: {tmp_path / 'reports' / 'index.html'}" in out
    assert "  competitors  greenfingers.example, rosehall.example" in out
    assert "  mail to      owner@fernhill-nursery.example" in out
    assert ("Mail (SMTP settings from the environment): server smtp.agency.example:587; TLS starttls; from "
            "reports@agency.example; user reports@agency.example; password set") in out
    assert "hunter2" not in out + result.stderr
    assert "exports folder" in out and "does not exist (yet)" in out
    data = json.loads(run(tmp_path / "x.duckdb", "--config", str(path), "config", "check", "--format", "json").stdout)
    assert data["smtp"]["password"] == "set" and data["properties"][0]["brand"] == ["Fernhill", "FN Garden"]
    # --store wins over the file's store; without it, the file's store is used (relative to the file).
    assert data["store"] == str(tmp_path / "x.duckdb")
    bare = json.loads(run_without_store(["--config", str(path), "config", "check", "--format", "json"]).stdout)
    assert bare["store"] == str(tmp_path / "seo.duckdb")


def run_without_store(args):
    from click.testing import CliRunner

    from gsc_backlinks.cli import cli

    return CliRunner().invoke(cli, args)


def test_mail_to_without_smtp_settings_is_refused_by_config_check(tmp_path):
    result = run(tmp_path / "s.duckdb", "--config", str(write(tmp_path, ISSUE_EXAMPLE)), "config", "check")
    assert error_line(result).startswith("Error: reports are to be mailed (mail_to / --mail-to) but "
                                         "GSC_BACKLINKS_SMTP_HOST is not set")


def test_property_works_wherever_site_does_and_the_command_line_wins(tmp_path, monkeypatch):
    store = tmp_path / "store.duckdb"
    import_ok(store, write_export(tmp_path, "Top linking sites"), write_export(tmp_path, "Top target pages"))
    path = write(tmp_path, f'[defaults]\nout = "from-file"\n\n[[property]]\nname = "ex"\nsite = "{SITE}"\n')
    via_site = run(store, "links", "domains", "--site", SITE, "--format", "json")
    via_name = run(store, "--config", str(path), "links", "domains", "--property", "ex", "--format", "json")
    assert via_name.exit_code == 0, via_name.output
    assert json.loads(via_name.stdout) == json.loads(via_site.stdout)
    # The environment's config file, and the file's out (relative to the file) unless --out is given.
    monkeypatch.setenv("GSC_BACKLINKS_CONFIG", str(path))
    report = run(store, "report", "weekly", "--property", "ex", "--offline", "--now", "2026-05-20T12:00:00Z")
    assert report.exit_code == 0, report.output
    assert Path(report.stdout.strip().splitlines()[-1]).is_relative_to(tmp_path / "from-file")
    other = run(store, "report", "weekly", "--property", "ex", "--offline", "--out", str(tmp_path / "cli"))
    assert Path(other.stdout.strip().splitlines()[-1]).is_relative_to(tmp_path / "cli")

    unknown = run(store, "links", "pages", "--property", "nope")
    assert error_line(unknown) == f"Error: --property 'nope': {path} has no property of that name (it has: ex)"
    both = run(store, "links", "pages", "--property", "ex", "--site", SITE)
    assert error_line(both) == "Error: give --site or --property, not both"
    neither = run(store, "links", "pages")
    assert error_line(neither).startswith("Error: give the property: --site SITE")
    monkeypatch.setenv("GSC_BACKLINKS_SITE", "sc-domain:other.example")  # the file's property wins over the env's site
    assert run(store, "links", "pages", "--property", "ex").exit_code == 0


def test_a_propertys_settings_apply_to_every_command_that_uses_them(tmp_path):
    store = tmp_path / "store.duckdb"
    import_ok(store, write_export(tmp_path, "Top linking text", ["1,acme tools", "2,example roses"]),
              write_export(tmp_path, "Top target pages"))
    path = write(tmp_path, f'[[property]]\nname = "ex"\nsite = "{SITE}"\nbrand = ["Acme"]\nout = "pages-out"\n'
                           'competitors = ["rival.example"]\n')

    def classes(*args):
        result = run(store, "--config", str(path), "links", "anchors", *args, "--format", "json")
        assert result.exit_code == 0, result.output
        return {r["anchor_text"]: r["class"] for r in json.loads(result.stdout)["rows"]}

    # The file's brand terms make "acme tools" branded, as --brand would; by --site alone it is not.
    assert classes("--property", "ex")["acme tools"] == "branded"
    assert classes("--site", SITE)["acme tools"] == "other"
    # The file's competitors are the property's competitors.
    listed = run(store, "--config", str(path), "competitors", "--property", "ex", "--format", "json")
    assert listed.exit_code == 0, listed.output
    assert [r["competitor"] for r in json.loads(listed.stdout)["rows"]] == ["rival.example"]
    # A drill-down page goes under the file's out, unless --out says otherwise.
    page = run(store, "--config", str(path), "page", "https://www.example.com/", "--property", "ex", "--format", "html")
    assert page.exit_code == 0, page.output
    assert Path(page.stdout.strip().splitlines()[-1]).is_relative_to(tmp_path / "pages-out")


def test_property_without_a_configuration_file_says_where_it_looked(tmp_path):
    result = run(tmp_path / "s.duckdb", "links", "pages", "--property", "ex")
    line = error_line(result)
    assert line.startswith("Error: --property ex needs the configuration file, and there is none at ")
    assert line.endswith("gsc-backlinks.toml; write one (README: \"Many properties\") or give --config FILE")
    missing = run(tmp_path / "s.duckdb", "--config", str(tmp_path / "nope.toml"), "config", "check")
    assert error_line(missing) == (f"Error: {tmp_path / 'nope.toml'}: no such configuration file; write one "
                                   "(README: \"Many properties\") or leave --config out")


def test_a_property_can_take_its_search_data_from_the_bigquery_bulk_export(tmp_path):
    path = write(tmp_path, '[defaults]\nsource = "bigquery"\nbigquery_project = "agency-gcp"\nmax_gb = 2\n'
                           '[[property]]\nname = "big"\nsite = "sc-domain:big.example"\nbigquery_dataset = "sc_big"\n'
                           '[[property]]\nname = "small"\nsite = "sc-domain:small.example"\nsource = "api"\n')
    cfg = load_config(path)
    big, small = cfg.property("big"), cfg.property("small")
    assert (big.bigquery.project, big.bigquery.dataset, big.bigquery.max_gb) == ("agency-gcp", "sc_big", 2.0)
    assert small.bigquery is None
    shown = run(tmp_path / "store.duckdb", "--config", str(path), "config", "check").stdout
    assert "search data  BigQuery bulk export agency-gcp.sc_big, max GB a query 2.0" in shown
    assert "search data  Search Console API" in shown


@pytest.mark.parametrize("key, value, ok", [
    ("bigquery_project", "agency-gcp", True), ("bigquery_project", "example.com:agency-gcp", True),
    ("bigquery_project", "UPPER", False), ("bigquery_project", "My Project", False), ("bigquery_project", "a.b", False),
    ("bigquery_dataset", "sc_big", True), ("bigquery_dataset", "my.dataset", False),
    ("bigquery_dataset", "my-dataset", False), ("bigquery_location", "EU", True),
    ("bigquery_location", "europe-west1", True), ("bigquery_location", "a", False),
    ("bigquery_location", "us west", False), ("max_gb", 0.02, True), ("max_gb", 1e6, True), ("max_gb", 0.019, False),
    ("max_gb", float("inf"), False), ("max_gb", float("nan"), False),
])
def test_the_file_takes_a_bigquery_setting_exactly_when_the_sync_would(tmp_path, key, value, ok):
    from gsc_backlinks.bigquery import check_cap, check_names
    from gsc_backlinks.errors import UsageError

    names = {"bigquery_project": "agency-gcp", "bigquery_dataset": "searchconsole", "bigquery_location": None}
    cap = 10.0
    if key == "max_gb":
        cap = value
    else:
        names[key] = value
    try:
        check_names(names["bigquery_project"], names["bigquery_dataset"], names["bigquery_location"])
        check_cap(cap)
        sync_takes = True
    except UsageError:
        sync_takes = False
    toml_value = f'"{value}"' if isinstance(value, str) else "nan" if value != value else str(value).lower()
    path = write(tmp_path, '[defaults]\nsource = "bigquery"\nbigquery_project = "agency-gcp"\n'
                           f'[[property]]\nsite = "sc-domain:a.example"\n{key} = {toml_value}\n')
    try:
        load_config(path)
        file_takes = True
    except ConfigError:
        file_takes = False
    assert file_takes == sync_takes == ok
