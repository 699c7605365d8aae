"""`config check`: read and check the configuration file, and list what each property resolves to."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..text import printable
from . import State, cli


@cli.group()
def config() -> None:
    """The configuration file of your properties (gsc-backlinks.toml)."""


def _source_text(p) -> str:
    b = p.bigquery
    if b is None:
        return "Search Console API"
    where = ".".join(x for x in (b.project, b.dataset or "searchconsole"))
    extra = "".join(f", {k} {v}" for k, v in (("location", b.location), ("max GB a query", b.max_gb)) if v is not None)
    return f"BigQuery bulk export {where}{extra}"


def _path(path: Path | None) -> str:
    return printable(str(path)) if path else "not set"


@config.command("check")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text for people; json for scripts.")
@click.pass_obj
def config_check(state: State, fmt: str) -> None:
    """Check the configuration file and list what each property resolves to.

    Every key is checked (an unknown key, a wrong type or a bad property name
    is refused with its file and line), and so are the SMTP settings in the
    environment when a property is to be mailed. The SMTP password is only
    said to be set or not.
    """
    from ..jobs.lock import lock_path
    from ..jobs.mailing import mail_settings_for
    from ..mail import smtp_settings
    from ..report.weekly import property_slug

    cfg = state.require_config("config check")
    store = state.store_path
    wants_mail = any(p.mail_to for p in cfg.properties)
    smtp = mail_settings_for(True) if wants_mail else smtp_settings()
    notes = []
    props = []
    for p in cfg.properties:
        if p.exports is not None and not p.exports.is_dir():
            notes.append(f"{printable(p.name)}: exports folder {_path(p.exports)} does not exist (yet)")
        props.append({
            "name": p.name, "site": p.site, "exports": str(p.exports) if p.exports else None,
            "reports": str(p.out / property_slug(p.site)), "mail_to": list(p.mail_to), "brand": list(p.brand),
            "competitors": list(p.competitors), "report_url": p.report_url, "alert_drop_domains": p.alert_drop,
            "search_source": _source_text(p)})
    if not cfg.properties:
        notes.append("no [[property]] tables: report weekly --all has nothing to do")
    mail = dict(smtp.describe()) if smtp else None
    if fmt == "json":
        click.echo(json.dumps({"file": str(cfg.path), "store": str(store), "lock": str(lock_path(store)),
                               "portfolio": str(cfg.out / "index.html"), "properties": props, "smtp": mail,
                               "notes": notes}, indent=2, ensure_ascii=False))
        return
    n = len(cfg.properties)
    click.echo(f"Configuration file {printable(str(cfg.path))}: {n} propert{'y' if n == 1 else 'ies'}, valid.")
    click.echo(f"Store: {_path(store)}")
    click.echo(f"Portfolio page: {_path(cfg.out / 'index.html')}")
    for p, d in zip(cfg.properties, props):
        click.echo("")
        click.echo(f"{printable(p.name)}" + (f"  ({p.site})" if p.name != p.site else ""))
        rows = [("exports", _path(p.exports)), ("reports", printable(str(d["reports"])) + "/<end date>/index.html"),
                ("mail to", ", ".join(p.mail_to) or "nobody"), ("brand", printable(", ".join(p.brand)) or "none"),
                ("competitors", ", ".join(p.competitors) or "none"), ("report url", printable(p.report_url or "not set")),
                ("search data", _source_text(p)),
                ("alert", f"a valuable link lost, a linked page gone, or linking domains down by more than "
                          f"{p.alert_drop}")]
        for label, value in rows:
            click.echo(f"  {label:<12} {value}")
    click.echo("")
    if smtp:
        click.echo("Mail (SMTP settings from the environment): "
                   + "; ".join(f"{k} {printable(v)}" for k, v in smtp.describe()))
    else:
        click.echo("Mail: no SMTP settings in the environment (GSC_BACKLINKS_SMTP_HOST is not set)")
    for note in notes:
        click.echo(f"Note: {note}")
