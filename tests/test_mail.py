"""The weekly report by mail, against a real SMTP server on 127.0.0.1 (aiosmtpd, see smtpstandin).

The message must parse, have a plain-text and an HTML part, and carry the
report as one zip that unzips to the very files written; TLS is verified
against a certificate authority made in the test; every failure (refused,
timeout, login, certificate) keeps the report written and ends with one line
naming the server and what to fix; the password is in no output and no log.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import socket
import zipfile
from pathlib import Path

import pytest

from gsc_backlinks.analysis.changes import Changes
from gsc_backlinks.analysis.checks import BrokenTarget
from gsc_backlinks.analysis.value import Rated
from gsc_backlinks.analysis.week import LinkChange, PageChanges, WeekInLinks
from gsc_backlinks.dates import Period
from gsc_backlinks.jobs.demo import DEMO_SITE, load_sample_data, sample_files
from gsc_backlinks.jobs.importing import import_paths
from gsc_backlinks.mail import smtp_settings
from gsc_backlinks.report.mail import alert_reasons, mail_message, weekly_mail
from gsc_backlinks.report.portfolio import PropertyRow

from clihelp import error_line, run
from smtpstandin import PASSWORD, SENDER, USER, SmtpServer

NOW = "2026-11-21T17:00:00Z"
SLUG = "https___www.fernhill-nursery.example_"
REPORT = Path("https_www.fernhill-nursery.example") / "2026-11-19"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ("HOST", "PORT", "USER", "PASSWORD", "FROM", "TLS", "CA", "TIMEOUT"):
        monkeypatch.delenv(f"GSC_BACKLINKS_SMTP_{name}", raising=False)
    for name in ("SSL_CERT_FILE", "SSL_CERT_DIR", "GSC_BACKLINKS_CONFIG", "GSC_BACKLINKS_EXPORTS", "GSC_BACKLINKS_OUT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", "/nonexistent-config-home")


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("mail-demo") / "store.duckdb"
    load_sample_data(store)
    return store


def _quiet_demo(store: Path) -> None:
    """The demo without its link checks and third-party exports: a week in which nothing valuable was lost."""
    import duckdb

    load_sample_data(store)
    con = duckdb.connect(str(store))
    try:
        for table in ("link_observations", "page_checks", "vendor_domains", "vendor_snapshots", "competitors"):
            con.execute(f"DELETE FROM {table}")
    finally:
        con.close()


@pytest.fixture(scope="module")
def quiet_store(tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("mail-quiet") / "store.duckdb"
    _quiet_demo(store)
    return store


@pytest.fixture(scope="module")
def dropped_store(tmp_path_factory) -> Path:
    """The quiet demo, then a Top linking sites export of 19 Nov listing only 5 of its sites: a drop that alerts."""
    folder = tmp_path_factory.mktemp("mail-drop")
    store = folder / "store.duckdb"
    _quiet_demo(store)
    sites = next(p for p in sample_files() if p.name == f"{SLUG}-Top linking sites-2026-11-17.csv")
    lines = sites.read_text(encoding="utf-8").splitlines()
    export = folder / f"{SLUG}-Top linking sites-2026-11-19.csv"
    export.write_text("\n".join(lines[:6]) + "\n", encoding="utf-8")
    import_paths([str(export)], DEMO_SITE, store)
    return store


def weekly(store: Path, out: Path, *args: str, env: dict | None = None):
    return run(store, "report", "weekly", "--site", DEMO_SITE, "--offline", "--out", str(out), "--now", NOW, *args,
               env=env)


def ours(caplog) -> str:
    """What this process logged, but the stand-in server's own log (aiosmtpd's "mail.log")."""
    return "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail.log"))


def no_password_anywhere(result, caplog, *more: str) -> None:
    for text in (result.stdout, result.stderr, ours(caplog), *more):
        assert PASSWORD not in text
        assert "czNjcmV0" not in text  # base64 of the password's start


def test_report_is_mailed_over_starttls_with_both_parts_and_the_report_zipped(demo_store, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    with SmtpServer(tmp_path) as smtp:
        result = weekly(demo_store, tmp_path / "out", "--mail-to", "owner@fernhill-nursery.example",
                        "--mail-to", "seo@agency.example", env=smtp.env())
    assert result.exit_code == 0, result.output
    assert "Mailed to owner@fernhill-nursery.example, seo@agency.example" in result.stdout
    assert len(smtp.received) == 1
    got = smtp.received[0]
    assert got.tls and got.login == USER and got.mail_from == SENDER
    assert got.rcpt_tos == ("owner@fernhill-nursery.example", "seo@agency.example")
    msg = got.parsed()
    assert msg["From"] == SENDER and msg["To"] == "owner@fernhill-nursery.example, seo@agency.example"
    assert msg["Subject"].startswith("Links this week: https://www.fernhill-nursery.example/, 13–19 Nov 2026: Attention: "
                                     "you lost a link from rhs-members.exa")  # a long subject is shortened in the middle
    assert msg["Auto-Submitted"] == "auto-generated" and msg["Message-ID"].endswith("@agency.example>")
    text, html = msg.get_body(("plain",)).get_content(), msg.get_body(("html",)).get_content()
    for part in (text, html):
        assert "the link was removed on 19 Nov" in part
        assert "orchardtrust.example" in part  # the best new link of the week, with its value
        assert "Clicks" in part and "3,743" in part
    # E-mail-safe HTML: inline styles only, no script, no image, no link when no --report-url was given.
    assert not re.search(r"<(script|img|style|link|iframe|object|form)\b", html, re.IGNORECASE)
    assert "href=" not in html and "src=" not in html and "javascript:" not in html
    assert 'style="' in html
    # The attachment is the report, file for file.
    attachments = list(msg.iter_attachments())
    assert [a.get_filename() for a in attachments] == ["https_www.fernhill-nursery.example-2026-11-19.zip"]
    folder = tmp_path / "out" / REPORT
    with zipfile.ZipFile(io.BytesIO(attachments[0].get_content())) as zf:
        unzipped = {n.split("/", 1)[1]: zf.read(n) for n in zf.namelist()}
        assert {n.split("/", 1)[0] for n in zf.namelist()} == {"https_www.fernhill-nursery.example-2026-11-19"}
    written = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert unzipped == written and "index.html" in unzipped and len(unzipped) > 1
    no_password_anywhere(result, caplog, got.data.decode("utf-8", "replace"))


def test_the_mail_links_to_the_published_report(demo_store, tmp_path):
    with SmtpServer(tmp_path) as smtp:
        result = weekly(demo_store, tmp_path / "out", "--mail-to", "seo@agency.example", "--report-url",
                        "https://reports.agency.example/seo/", env=smtp.env())
    assert result.exit_code == 0, result.output
    msg = smtp.received[0].parsed()
    link = "https://reports.agency.example/seo/https_www.fernhill-nursery.example/2026-11-19/index.html"
    assert f'href="{link}"' in msg.get_body(("html",)).get_content()
    assert f"Full report: {link}" in msg.get_body(("plain",)).get_content()
    assert re.findall(r'href="([^"]*)"', msg.get_body(("html",)).get_content()) == [link]


def test_implicit_tls_is_verified_and_works(demo_store, tmp_path):
    with SmtpServer(tmp_path, tls="ssl") as smtp:
        result = weekly(demo_store, tmp_path / "out", "--mail-to", "seo@agency.example", env=smtp.env())
    assert result.exit_code == 0, result.output
    assert len(smtp.received) == 1 and smtp.received[0].tls


def test_a_certificate_not_signed_by_a_trusted_authority_sends_nothing(demo_store, tmp_path, caplog):
    with SmtpServer(tmp_path) as smtp:
        env = smtp.env()
        del env["GSC_BACKLINKS_SMTP_CA"]  # the system's authorities do not know the test's
        result = weekly(demo_store, tmp_path / "out", "--mail-to", "seo@agency.example", env=env)
    assert result.exit_code == 69
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith(f"Error: mail server 127.0.0.1:{smtp.port}: its TLS certificate could not be verified")
    assert "GSC_BACKLINKS_SMTP_CA" in line
    assert smtp.received == [] and smtp.auth_attempts == []  # no login before the certificate is trusted
    assert (tmp_path / "out" / REPORT / "index.html").is_file()  # the report is written all the same
    no_password_anywhere(result, caplog)


def test_a_wrong_password_names_the_server_and_the_settings_and_is_never_shown(demo_store, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    with SmtpServer(tmp_path) as smtp:
        wrong = "wr0ng-" + PASSWORD
        result = weekly(demo_store, tmp_path / "out", "-v", "--mail-to", "seo@agency.example",
                        env=smtp.env(GSC_BACKLINKS_SMTP_PASSWORD=wrong))
    assert result.exit_code == 69
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith(f"Error: mail server 127.0.0.1:{smtp.port} refused the login (535")
    assert line.endswith("check GSC_BACKLINKS_SMTP_USER and GSC_BACKLINKS_SMTP_PASSWORD")
    assert set(smtp.auth_attempts) == {(USER, False)} and smtp.received == []  # (smtplib tries each mechanism)
    assert (tmp_path / "out" / REPORT / "index.html").is_file()
    for text in (result.stdout, result.stderr, ours(caplog)):
        assert wrong not in text and PASSWORD not in text


def test_starttls_not_offered_sends_nothing_in_plain_text(demo_store, tmp_path):
    with SmtpServer(tmp_path, tls=None, auth_require_tls=False) as smtp:
        result = weekly(demo_store, tmp_path / "out", "--mail-to", "seo@agency.example",
                        env=smtp.env(GSC_BACKLINKS_SMTP_TLS="starttls"))
    assert result.exit_code == 69
    assert f"mail server 127.0.0.1:{smtp.port} does not offer STARTTLS; nothing was sent in plain text" in result.stderr
    assert smtp.auth_attempts == [] and smtp.received == []


def test_a_password_goes_unencrypted_only_to_this_machine(demo_store, tmp_path):
    # To a relay on this machine: allowed.
    with SmtpServer(tmp_path, tls=None, auth_require_tls=False) as smtp:
        result = weekly(demo_store, tmp_path / "out", "--mail-to", "seo@agency.example", env=smtp.env())
    assert result.exit_code == 0, result.output
    assert smtp.auth_attempts == [(USER, True)] and len(smtp.received) == 1
    # To anywhere else: refused before anything runs (no report, no connection).
    env = {"GSC_BACKLINKS_SMTP_HOST": "smtp.agency.example", "GSC_BACKLINKS_SMTP_TLS": "none",
           "GSC_BACKLINKS_SMTP_USER": USER, "GSC_BACKLINKS_SMTP_PASSWORD": PASSWORD}
    result = weekly(demo_store, tmp_path / "elsewhere", "--mail-to", "seo@agency.example", env=env)
    line = error_line(result)
    assert line == ("Error: refusing to send the SMTP password to smtp.agency.example:25 over an unencrypted "
                    "connection; set GSC_BACKLINKS_SMTP_TLS=starttls (or ssl for port 465): only a relay on this "
                    "machine may go without")
    assert not (tmp_path / "elsewhere").exists()


def test_a_server_that_is_not_there_or_does_not_answer_keeps_the_report(demo_store, tmp_path):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    env = {"GSC_BACKLINKS_SMTP_HOST": "127.0.0.1", "GSC_BACKLINKS_SMTP_PORT": str(port),
           "GSC_BACKLINKS_SMTP_TLS": "none", "GSC_BACKLINKS_SMTP_FROM": SENDER}
    result = weekly(demo_store, tmp_path / "out", "--mail-to", "seo@agency.example", env=env)
    assert result.exit_code == 69
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: mail server 127.0.0.1:{port} refused the connection; check GSC_BACKLINKS_SMTP_HOST and "
        "GSC_BACKLINKS_SMTP_PORT (587 for STARTTLS, 465 for TLS)")
    assert (tmp_path / "out" / REPORT / "index.html").is_file()

    with socket.socket() as silent:  # accepts (the kernel does) but never says hello
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        env["GSC_BACKLINKS_SMTP_PORT"] = str(port)
        result = weekly(demo_store, tmp_path / "out2", "--mail-to", "seo@agency.example",
                        env={**env, "GSC_BACKLINKS_SMTP_TIMEOUT": "0.5"})
    assert result.exit_code == 69
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: mail server 127.0.0.1:{port} did not answer within 0.5 s; check "
        "GSC_BACKLINKS_SMTP_HOST and GSC_BACKLINKS_SMTP_PORT (and that a firewall lets the connection out)")
    assert (tmp_path / "out2" / REPORT / "index.html").is_file()


def test_refused_recipients(demo_store, tmp_path):
    with SmtpServer(tmp_path, refuse=("gone@fernhill-nursery.example",)) as smtp:
        some = weekly(demo_store, tmp_path / "out", "--mail-to", "gone@fernhill-nursery.example",
                      "--mail-to", "seo@agency.example", env=smtp.env())
        every = weekly(demo_store, tmp_path / "out", "--mail-to", "gone@fernhill-nursery.example", env=smtp.env())
    assert some.exit_code == 0, some.output
    assert "The mail server refused gone@fernhill-nursery.example; the others got the report." in some.stderr
    assert [r.rcpt_tos for r in smtp.received] == [("seo@agency.example",)]
    assert every.exit_code == 69
    assert every.stderr.strip().splitlines()[-1] == (
        f"Error: mail server 127.0.0.1:{smtp.port} refused every recipient (550 5.1.1 no such mailbox here); check "
        "the addresses in mail_to / --mail-to")


def test_a_message_the_server_refuses_says_what_to_do(demo_store, tmp_path):
    with SmtpServer(tmp_path, refuse_data="552 5.3.4 Message size exceeds fixed limit") as smtp:
        result = weekly(demo_store, tmp_path / "out", "--mail-to", "seo@agency.example", env=smtp.env())
    assert result.exit_code == 69
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: mail server 127.0.0.1:{smtp.port} refused the message (552 5.3.4 Message size exceeds fixed limit); "
        "if it is too large, publish the reports and send a link (--report-url)")


def test_alert_mails_only_when_something_mattered(quiet_store, dropped_store, tmp_path):
    with SmtpServer(tmp_path) as smtp:
        quiet = weekly(quiet_store, tmp_path / "quiet", "-v", "--alert", "--mail-to", "seo@agency.example",
                       env=smtp.env())
        assert quiet.exit_code == 0, quiet.output
        assert smtp.received == []
        assert ("no alert for https://www.fernhill-nursery.example/: no valuable link lost, no linked page gone, "
                "linking domains not down by more than 5") in quiet.stdout
        assert (tmp_path / "quiet" / REPORT / "index.html").is_file()  # the report is written all the same

        dropped = weekly(dropped_store, tmp_path / "drop", "--alert", "--mail-to", "seo@agency.example",
                         env=smtp.env())
        assert dropped.exit_code == 0, dropped.output
        high = weekly(dropped_store, tmp_path / "drop", "--alert", "--alert-drop", "50", "--mail-to",
                      "seo@agency.example", env=smtp.env())
        assert high.exit_code == 0, high.output
    # Three valuable sites lost and 14 linking domains fewer: 14 is more than 5, but not more than 50.
    first, second = (r.parsed() for r in smtp.received)
    assert first["Subject"].startswith("Alert: https://www.fernhill-nursery.example/, 13–19 Nov 2026: Attention: "
                                       "you lost a link from countryliving.example")
    assert ("Why this alert: 3 valuable links lost (best: countryliving.example, value 35); linking domains down by "
            "14 (more than 5).") in first.get_body(("plain",)).get_content()
    assert ("Why this alert: 3 valuable links lost (best: countryliving.example, value 35).") in \
        second.get_body(("plain",)).get_content()
    html = first.get_body(("html",)).get_content()
    assert "Lost links that mattered" in html and "countryliving.example (value 35, authority 48)" in html


def test_mail_settings_are_checked_before_anything_runs(demo_store, tmp_path):
    result = weekly(demo_store, tmp_path / "out", "--mail-to", "seo@agency.example")
    assert error_line(result).startswith("Error: reports are to be mailed (mail_to / --mail-to) but "
                                         "GSC_BACKLINKS_SMTP_HOST is not set")
    bad = weekly(demo_store, tmp_path / "out", "--mail-to", "seo@agency.example\r\nBcc: all@example.org")
    assert error_line(bad).startswith("Error: --mail-to 'seo@agency.example\ufffd\ufffdBcc: all@example.org' is not "
                                      "an e-mail address")
    env = {"GSC_BACKLINKS_SMTP_HOST": "smtp.agency.example", "GSC_BACKLINKS_SMTP_PASSWORD": PASSWORD}
    nouser = weekly(demo_store, tmp_path / "out", "--mail-to", "seo@agency.example", env=env)
    assert error_line(nouser) == ("Error: GSC_BACKLINKS_SMTP_PASSWORD is set but GSC_BACKLINKS_SMTP_USER is not; set "
                                  "both, or neither for a server without login")
    assert PASSWORD not in nouser.stderr
    assert not (tmp_path / "out").exists()


def test_tls_defaults_follow_the_port_and_the_host():
    def settings(**env):
        return smtp_settings({f"GSC_BACKLINKS_SMTP_{k}": v for k, v in env.items()})

    assert smtp_settings({}) is None
    s = settings(HOST="smtp.agency.example", FROM=SENDER)
    assert (s.tls, s.port) == ("starttls", 587)
    assert (settings(HOST="smtp.agency.example", PORT="465", FROM=SENDER).tls) == "ssl"
    assert (settings(HOST="localhost", FROM=SENDER).tls, settings(HOST="localhost", FROM=SENDER).port) == ("none", 25)
    s = settings(HOST="smtp.agency.example", USER=USER, PASSWORD=PASSWORD)
    assert s.sender == USER and PASSWORD not in repr(s)
    assert dict(s.describe())["password"] == "set"


# --- the message itself, from hostile data ----------------------------------------------------------

HOSTILE_ANCHOR = '<script>alert(1)</script><img src=x onerror=alert(2)>'
HOSTILE_URL = 'https://evil.example/"><script>alert(3)</script>'


def _rated(value: int) -> Rated:
    return Rated(40, 1200, "Common Crawl domain ranks", 50, "related", value)


def _hostile_message():
    """A week whose every string came from a stranger: markup, a javascript: URL, terminal and bidi controls,
    and line breaks that would start a header."""
    lost = LinkChange("evil.example", HOSTILE_URL, "https://www.example.com/roses/", HOSTILE_ANCHOR, None,
                      dt.date(2026, 11, 10), _rated(60), ("link check",), reason="link removed\r\nBcc: x@y",
                      lost_on=dt.date(2026, 11, 18))
    new = LinkChange("blog.example", "javascript:alert(4)", None, "\x1b[31mred\u202e", dt.date(2026, 11, 17), None,
                     _rated(20), ("Search Console",))
    gone = BrokenTarget('https://www.example.com/<b>old</b>', "not_found", "404 <i>gone</i>",
                        dt.datetime(2026, 11, 18), 12, 3)
    week = WeekInLinks("https://www.example.com/", dt.date(2026, 11, 17), dt.date(2026, 11, 10), "Top linking sites",
                       Changes("domains", dt.date(2026, 11, 17), dt.date(2026, 11, 10), "Top linking sites",
                               new_count=1, lost_count=1),
                       (new,), (lost,), PageChanges(Changes("pages", None, None, ""), 0, 0), (), (gone,),
                       'Attention: you lost a link from evil.example <script>', "attention")
    row = PropertyRow(site="https://www.example.com/", name="Client <b>\r\nBcc: all@example.org",
                      period=Period(dt.date(2026, 11, 11), dt.date(2026, 11, 17)), clicks=10, previous_clicks=4)
    reasons = alert_reasons(week, 5)
    assert reasons == ("1 valuable link lost (best: evil.example, value 60)",
                       "1 linked page of yours gone (https://www.example.com/<b>old</b>)")
    mail = weekly_mail(week, row, alert=reasons, attachment="attached")
    return mail_message(mail, sender=SENDER, to=("seo@agency.example",), now=dt.datetime(2026, 11, 21, tzinfo=dt.UTC))


def _assert_hostile_text_stays_text(msg) -> None:
    """Both parts of the hostile week's mail: no live markup, no link at all (javascript: is shown as text),
    no control character, no header smuggled in."""
    assert "\n" not in msg["Subject"] and "\r" not in msg["Subject"] and "Bcc" not in msg
    html = msg.get_body(("html",)).get_content()
    text = msg.get_body(("plain",)).get_content()
    assert "<script" not in html and "<img" not in html and "<b>" not in html and "<i>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;b&gt;old&lt;/b&gt;" in html
    assert "href=" not in html  # a stranger's URL is text, never a link
    assert "javascript:alert(4)" in html  # shown as what it is
    for part in (html, text):
        assert "\x1b" not in part and "\u202e" not in part and "\r\nBcc" not in part
    assert "evil.example (value 60, authority 40)" in text and HOSTILE_ANCHOR[:20] in text
    assert not re.search(r"=\s*[\"']?\s*javascript:", html, re.IGNORECASE)  # in no attribute


def test_hostile_anchors_and_urls_stay_text_in_both_parts():
    _assert_hostile_text_stays_text(_hostile_message())


def test_the_hostile_mail_arrives_at_a_real_smtp_server_as_text(tmp_path):
    """The same message through the Mailer (STARTTLS, login) to the SMTP server on 127.0.0.1: what the server
    received, parsed again, says the same, and no line break in a stranger's string became a recipient."""
    from gsc_backlinks.mail import Mailer

    msg = _hostile_message()
    with SmtpServer(tmp_path) as smtp, Mailer(smtp_settings(smtp.env())) as mailer:
        assert mailer.send(msg) == []  # no recipient refused
    (got,) = smtp.received
    assert got.tls and got.rcpt_tos == ("seo@agency.example",)  # nobody smuggled in by "\r\nBcc: …"
    raw = got.data.decode("utf-8", "replace")
    assert "\x1b" not in raw and "\u202e" not in raw and not re.search(r"^Bcc:", raw, re.MULTILINE | re.IGNORECASE)
    received = got.parsed()
    assert received.get_body(("plain",)) is not None and received.get_body(("html",)) is not None
    _assert_hostile_text_stays_text(received)
