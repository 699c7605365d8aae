"""The weekly mail: "This week in links" as e-mail-safe HTML and plain text, the report attached as one zip.

Every figure comes from :class:`~..analysis.week.WeekInLinks` (the first screen
of the weekly report) and the property's portfolio row; so does the ``--alert``
decision (:func:`alert_reasons`).  The HTML has inline styles only (mail
clients drop style sheets), no script, no image, and no link but the one to
the published report: a stranger's URL is shown as text, never as a link.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..text import printable, shorten
from ..urls import display_url
from .model import delta, num
from .templating import template

if TYPE_CHECKING:
    from email.message import EmailMessage

    from ..analysis.week import LinkChange, WeekInLinks
    from .portfolio import PropertyRow

#: A zipped report larger than this is not attached (mail servers refuse messages of ~25 MB, base64 included).
MAX_ATTACHMENT = 15 * 1024 * 1024
ROWS = 5  #: lines of each list in the mail
TONE_COLOURS = {"attention": "#cf222e", "good": "#1a7f37"}
MUTED = "#59636e"


def alert_reasons(week: WeekInLinks | None, drop: int) -> tuple[str, ...]:
    """Why an ``--alert`` run mails this property (empty: nothing mattered): a valuable link lost, a linked
    page gone, or linking domains down by more than ``drop``."""
    if week is None:
        return ()
    reasons = []
    if week.mattered:
        first = week.mattered[0]
        reasons.append(f"{_plural(len(week.mattered), 'valuable link')} lost (best: {first.linking_domain}, "
                       f"value {first.value})")
    if week.linked_gone_targets:
        reasons.append(f"{_plural(len(week.linked_gone_targets), 'linked page')} of yours gone "
                       f"({display_url(week.linked_gone_targets[0].url)})")
    net = week.domains.lost_count - week.domains.new_count
    if week.compared and net > drop:
        reasons.append(f"linking domains down by {net:,} (more than {drop:,})")
    return tuple(printable(r) for r in reasons)


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


@dataclass(frozen=True)
class MailLine:
    """One line of a list: what (bold) and its detail, display text only."""

    what: str
    detail: str


@dataclass(frozen=True)
class WeeklyMail:
    """The view model of one property's mail (strings ready to show; the templates escape the HTML one)."""

    subject: str
    name: str
    site: str
    period: str
    verdict: str
    tone_colour: str
    figures: tuple[tuple[str, str, str], ...]  #: (label, value, detail)
    best_new: tuple[MailLine, ...]
    mattered: tuple[MailLine, ...]
    gone: tuple[MailLine, ...]
    alert: tuple[str, ...]  #: why it was sent (--alert), else empty
    report_link: str | None  #: http(s) only
    attachment: str  #: what is attached, or why nothing is
    notes: tuple[str, ...]


def _text(value: str | None, limit: int = 100) -> str:
    return shorten(printable(value or ""), limit)


def _change_line(c: LinkChange, lost: bool) -> MailLine:
    worth = f"value {c.value}" + (f", authority {c.authority}" if c.authority is not None else "")
    what = f"{_text(c.linking_domain, 60)} ({worth})"
    parts = []
    if c.linking_url:
        parts.append(f"on {_text(display_url(c.linking_url), 90)}")
    if c.target_url:
        parts.append(f"to {_text(display_url(c.target_url), 70)}")
    if c.anchor_text:
        parts.append(f"anchor “{_text(c.anchor_text, 60)}”")
    if lost and c.reason:
        parts.append(_text(c.reason, 80) + (f" on {c.lost_on}" if c.lost_on else ""))
    return MailLine(what, ", ".join(parts))


def weekly_mail(week: WeekInLinks | None, row: PropertyRow, *, report_link: str | None = None,
                alert: tuple[str, ...] = (), attachment: str = "") -> WeeklyMail:
    """The mail of one property's week (nothing is sent or encoded here)."""
    name = _text(row.name, 80)
    period = row.period.label() if row.period else ""
    verdict = _text(week.verdict if week else row.verdict, 300) or "No link data yet."
    figures = []
    if week is not None and week.compared:
        span = f"{week.previous_date} → {week.latest_date}"
        figures += [("New linking domains", num(week.domains.new_count), f"value {num(week.new_value)} · {span}"),
                    ("Lost linking domains", num(week.domains.lost_count), f"value {num(week.lost_value)} · {span}"),
                    ("Linking pages", f"+{num(week.pages.changes.new_count)} / −{num(week.pages.changes.lost_count)}",
                     "new / no longer in Google's sample")]
    if row.clicks is not None:
        text, _ = delta(row.clicks, row.previous_clicks)
        figures.append(("Clicks", num(row.clicks), f"{text} vs the week before" if text else "this week"))
    if row.exports_date:
        figures.append(("Newest Links export", row.exports_date.isoformat(), ""))
    best = tuple(_change_line(c, False) for c in (week.best_new if week else ())[:ROWS])
    mattered = tuple(_change_line(c, True) for c in (week.mattered if week else ())[:ROWS])
    gone = tuple(
        MailLine(_text(display_url(t.url), 90),
                 f"{_text(t.reason, 60)}; {_plural(t.links if t.links is not None else t.linking_pages, 'link')} point "
                 "at it: redirect it to its nearest live page")
        for t in (week.linked_gone_targets if week else ())[:ROWS])
    notes = []
    if week is not None and len(week.mattered) > ROWS:
        notes.append(f"{len(week.mattered) - ROWS} more valuable losses are in the report.")
    lead = "Alert" if alert else "Links this week"
    subject = _text(f"{lead}: {row.name}, {period}: {verdict}", 180)
    return WeeklyMail(subject, name, _text(row.site, 120), period, verdict,
                      TONE_COLOURS.get(week.tone if week else row.tone, MUTED), tuple(figures), best, mattered, gone,
                      alert, report_link if report_link and report_link.startswith(("https://", "http://")) else None,
                      attachment, tuple(notes))


def mail_message(mail: WeeklyMail, *, sender: str, to: tuple[str, ...], now: dt.datetime,
                 attachment: tuple[str, bytes] | None = None) -> EmailMessage:
    """The MIME message: text and HTML alternatives, the zipped report attached."""
    from email.message import EmailMessage
    from email.utils import format_datetime, make_msgid

    msg = EmailMessage()
    msg["Subject"] = mail.subject
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Date"] = format_datetime(now if now.tzinfo else now.replace(tzinfo=dt.UTC))
    msg["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1])  # no DNS look-up of this machine's name
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies to a report
    msg.set_content(template("mail.txt").render(mail=mail))
    msg.add_alternative(template("mail.html").render(mail=mail), subtype="html")
    if attachment is not None:
        name, data = attachment
        msg.add_attachment(data, maintype="application", subtype="zip", filename=name)
    return msg


def zip_report(folder: Path, *, now: dt.datetime) -> bytes:
    """The report folder as one zip (its files under a folder of the report's name), the same bytes for the
    same files: every entry is dated ``now``."""
    folder = Path(folder)
    top = f"{folder.parent.name}-{folder.name}" if folder.parent.name else folder.name
    stamp = (now.year, now.month, now.day, now.hour, now.minute, now.second)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(f"{top}/{path.relative_to(folder).as_posix()}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, path.read_bytes())
    return buf.getvalue()
