"""Mailing a property's weekly report: the summary as the body, the report zipped, sent by SMTP.

Used by ``report weekly --mail-to`` (one property) and ``report weekly --all``.
The report is always written first; mail comes after, and its failure never
touches the report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from ..config import DEFAULT_ALERT_DROP
from ..errors import UsageError

if TYPE_CHECKING:
    from ..mail import Mailer, SmtpSettings
    from .weekly import WeeklyResult


@dataclass(frozen=True)
class MailOptions:
    """Who gets a property's report, and when."""

    to: tuple[str, ...]
    alert: bool = False  #: only when something mattered (report.mail.alert_reasons)
    alert_drop: int = DEFAULT_ALERT_DROP
    report_url: str | None = None  #: where the reports folder (`out`) is published


@dataclass(frozen=True)
class MailOutcome:
    sent_to: tuple[str, ...] = ()
    refused: tuple[str, ...] = ()  #: addresses the server refused (the others got it)
    skipped: str | None = None  #: why nothing was sent (--alert and nothing mattered)
    reasons: tuple[str, ...] = ()  #: why an alert was sent


def mail_settings_for(wanted: bool) -> SmtpSettings | None:
    """The SMTP settings of the environment when some mail is wanted; a UsageError (before anything runs) when
    they are missing."""
    from ..mail import ENV, smtp_settings

    if not wanted:
        return None
    settings = smtp_settings()
    if settings is None:
        raise UsageError(f"reports are to be mailed (mail_to / --mail-to) but {ENV}HOST is not set; set the SMTP "
                         f"settings in the environment ({ENV}HOST, _PORT, _USER, _PASSWORD, _FROM: README, \"Mail\")")
    return settings


def report_link(base: str | None, index: Path, out_dir: Path) -> str | None:
    """The published address of a report: ``base`` + its path under the reports folder."""
    if not base:
        return None
    try:
        rel = Path(index).resolve().relative_to(Path(out_dir).expanduser().resolve())
    except ValueError:
        return None
    return f"{base.rstrip('/')}/{quote(rel.as_posix())}"


def mail_report(mailer: Mailer, result: WeeklyResult, *, name: str, out_dir: Path, options: MailOptions,
                now: dt.datetime) -> MailOutcome:
    """Send one property's weekly mail (or, with --alert, only when something mattered)."""
    from ..errors import MailError
    from ..report.mail import MAX_ATTACHMENT, alert_reasons, mail_message, weekly_mail, zip_report
    from ..report.portfolio import PropertyRow
    from ..text import printable

    row = result.row or PropertyRow(site="", name=name, index=result.index, period=result.period)
    row = PropertyRow(**{**row.__dict__, "name": name})
    reasons = alert_reasons(result.week, options.alert_drop) if options.alert else ()
    if options.alert and not reasons:
        return MailOutcome(skipped=f"no alert for {printable(name)}: no valuable link lost, no linked page gone, "
                                   f"linking domains not down by more than {options.alert_drop}")
    folder = result.index.parent
    link = report_link(options.report_url, result.index, out_dir)
    data = zip_report(folder, now=now)
    attachment: tuple[str, bytes] | None = (f"{folder.parent.name}-{folder.name}.zip", data)
    note = "The full report is attached as a zip: unzip it and open index.html."
    if len(data) > MAX_ATTACHMENT:
        attachment = None
        note = (f"The full report is {len(data) / 2**20:.0f} MB zipped, too large to attach; "
                + ("open it with the link above." if link else f"it is at {printable(str(result.index))}."))
    mail = weekly_mail(result.week, row, report_link=link, alert=reasons, attachment=note)
    message = mail_message(mail, sender=mailer.settings.sender, to=options.to, now=now, attachment=attachment)
    refused = mailer.send(message)
    if refused and len(refused) == len(options.to):  # pragma: no cover  (smtplib raises SMTPRecipientsRefused)
        raise MailError(f"mail server {mailer.settings.server} refused every recipient")
    sent = tuple(a for a in options.to if a not in refused)
    return MailOutcome(sent, tuple(refused), None, reasons)
