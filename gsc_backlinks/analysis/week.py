"""This week in links: what appeared and what left, what each is worth, and a verdict on whether it matters.

Gross changes, not only the net: linking domains and linking pages new since
the snapshot before (or since a date) and those gone, each rated by
:class:`~.value.Valuer` and given its context (an example linking page, the
target page and anchor where a link check or a third-party export saw them,
first and last seen, the sources that list it, and for a lost link why).
Links the link checks saw go (removed, page gone, noindex, nofollow now) are
lost links too, even while the domain is still in Google's sample.  Own pages
that answer 404 and still have links are listed with "redirect them".

One definition, used by the weekly report's first screen, `links changes`,
the portfolio page and the mail.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from ..dates import pacific_day_start
from .changes import Changes, domain_changes, page_changes
from .checks import BrokenTarget, Link, LostLink, back_links, broken_targets, current_links, lost_links
from .domains import domain_bases, domain_names, earliest, tool_first_seen

if TYPE_CHECKING:
    import duckdb

    from .snapshots import Snapshots
    from .value import Rated, Valuer

#: Value (0-100) from which a new or lost link "matters": the verdict names it and the report lists it first.
VALUABLE = 30
#: Best new links and lost links that mattered shown on the first screen.
FIRST_SCREEN_ROWS = 5
SEARCH_CONSOLE = "Search Console"
LINK_CHECK = "link check"


@dataclass(frozen=True)
class LinkChange:
    """One linking domain or link new or lost, with what is known about it."""

    linking_domain: str
    linking_url: str | None  #: the linking page (for a domain: an example)
    target_url: str | None  #: where a link check or a third-party export saw it point
    anchor_text: str | None
    first_seen: dt.date | None
    last_seen: dt.date | None  #: lost: the last date a source still listed it
    rated: Rated
    sources: tuple[str, ...]  #: which sources say so ("Search Console", "link check", "Ahrefs"…)
    reason: str | None = None  #: lost: why, in the user's words
    lost_on: dt.date | None = None
    followed: bool | None = None  #: None: no source says
    back_on: dt.date | None = None  #: a link back: the first later check that saw it again

    @property
    def value(self) -> int:
        return self.rated.value

    @property
    def authority(self) -> int | None:
        return self.rated.authority

    def as_dict(self) -> dict:
        return {"linking_domain": self.linking_domain, "linking_url": self.linking_url,
                "target_url": self.target_url, "anchor_text": self.anchor_text,
                "first_seen": self.first_seen.isoformat() if self.first_seen else None,
                "last_seen": self.last_seen.isoformat() if self.last_seen else None,
                "lost_on": self.lost_on.isoformat() if self.lost_on else None,
                "back_on": self.back_on.isoformat() if self.back_on else None,
                "reason": self.reason, "followed": self.followed, "sources": list(self.sources),
                **self.rated.as_dict()}


@dataclass(frozen=True)
class PageChanges:
    """Linking pages new and gone between two sample sets, each rated, with their summed value."""

    changes: Changes
    new_rated: tuple[Rated, ...] = ()  #: of each of `changes.new`, in its order
    lost_rated: tuple[Rated, ...] = ()
    new_context: tuple[LinkChange, ...] = ()  #: of each of `changes.new`, in its order: target, anchor, sources…
    lost_context: tuple[LinkChange, ...] = ()  #: of each of `changes.lost`: and why, when a check or tool says

    @property
    def new_value(self) -> int:
        return sum(r.value for r in self.new_rated)

    @property
    def lost_value(self) -> int:
        return sum(r.value for r in self.lost_rated)


@dataclass(frozen=True)
class WeekInLinks:
    """What changed in a property's links, as the first screen of the weekly report tells it."""

    site: str
    latest_date: dt.date | None  #: the newest snapshot the comparison reads
    previous_date: dt.date | None  #: the one it is compared with (None: nothing to compare)
    basis: str  #: where linking domains come from, in the user's words
    domains: Changes  #: gross new and lost linking domains (names)
    new_domains: tuple[LinkChange, ...]  #: every new linking domain, most valuable first
    lost_domains: tuple[LinkChange, ...]  #: every lost linking domain, most valuable first
    pages: PageChanges
    lost_links: tuple[LinkChange, ...]  #: links the link checks saw go since the comparison's start
    gone_targets: tuple[BrokenTarget, ...]  #: own pages that are gone and still linked
    headline: str  #: the verdict's first sentence: the most pressing news (a portfolio row, a phone's first screen)
    tone: str  #: "good", "attention", "quiet", "first" (nothing to compare yet) or "none" (no links held)
    notes: tuple[str, ...] = field(default=())
    back: tuple[LinkChange, ...] = ()  #: links the checks saw go and then saw again since the comparison's start
    also: str | None = None  #: the rest of the verdict ("Also: …"), if any

    @property
    def compared(self) -> bool:
        return self.previous_date is not None

    @property
    def verdict(self) -> str:
        """One line in plain words on whether this week's changes matter: the headline, then "Also: …"."""
        return self.headline + (f" {self.also}" if self.also else "")

    @property
    def new_count(self) -> int:
        """New linking domains: Search Console's count, and those only a third-party tool saw."""
        return self.domains.new_count + len(self.new_domains) - len(self.domains.new)

    @property
    def lost_count(self) -> int:
        return self.domains.lost_count + len(self.lost_domains) - len(self.domains.lost)

    @property
    def new_value(self) -> int:
        return sum(c.value for c in self.new_domains)

    @property
    def lost_value(self) -> int:
        return sum(c.value for c in self.lost_domains)

    @property
    def best_new(self) -> tuple[LinkChange, ...]:
        return tuple(c for c in self.new_domains if c.value > 0)[:FIRST_SCREEN_ROWS]

    @property
    def mattered(self) -> tuple[LinkChange, ...]:
        """Lost domains and links worth at least :data:`VALUABLE`, one per linking domain, most valuable first."""
        seen: set[str] = set()
        out = []
        for c in sorted((*self.lost_links, *self.lost_domains), key=lambda c: (-c.value, c.linking_domain)):
            if c.value >= VALUABLE and c.linking_domain not in seen:
                seen.add(c.linking_domain)
                out.append(c)
        return tuple(out)

    @property
    def tool_only(self) -> tuple[LinkChange, ...]:
        """New and lost linking domains only a third-party tool saw (the counts above include them; the trends,
        Search Console's alone, do not)."""
        return tool_only((*self.new_domains, *self.lost_domains))

    @property
    def valuable_new(self) -> tuple[LinkChange, ...]:
        return tuple(c for c in self.new_domains if c.value >= VALUABLE)

    @property
    def linked_gone_targets(self) -> tuple[BrokenTarget, ...]:
        return tuple(t for t in self.gone_targets if (t.links or 0) + t.linking_pages > 0)


def tool_only(changes) -> tuple[LinkChange, ...]:
    """The changes no Search Console export lists: only a third-party tool saw them."""
    return tuple(c for c in changes if SEARCH_CONSOLE not in c.sources)


def _day(d: dt.date | dt.datetime | None) -> dt.date | None:
    """A date as people read it: a stored moment (naive UTC, a check's) is the Pacific Time date, as everywhere
    else; a tool's date is its own."""
    from ..dates import to_pacific

    return to_pacific(d).date() if isinstance(d, dt.datetime) else d


def short_day(d: dt.date, near: dt.date | None = None) -> str:
    """3 Dec (with the year when it is not `near`'s)."""
    return f"{d.day} {d:%b}" + (f" {d.year}" if near is None or d.year != near.year else "")


def _example_pages(con: duckdb.DuckDBPyConnection, ids: list[int], domains: list[str]) -> dict[str, str]:
    """An example linking page of each domain in these snapshots (the shortest URL: usually the clearest)."""
    if not ids or not domains:
        return {}
    marks = ", ".join("?" for _ in ids)
    return dict(con.execute(
        f"""SELECT linking_domain, arg_min(linking_url, length(linking_url)) FROM linking_pages
            WHERE snapshot_id IN ({marks}) AND list_contains(?, linking_domain) GROUP BY 1""",
        [*ids, domains]).fetchall())


@dataclass(frozen=True)
class _ToolLink:
    """A link a third-party tool lists for the property (its newest export): the best live one of a domain, or
    the newest lost one."""

    linking_url: str
    target_url: str | None
    anchor_text: str | None
    followed: bool | None
    first_seen: dt.date | None
    last_seen: dt.date | None
    lost_on: dt.date | None
    reason: str | None
    tool: str


def _tool_links(con: duckdb.DuckDBPyConnection, snaps: Snapshots, by: str = "linking_domain",
                urls: list[str] | None = None) -> tuple[dict[str, _ToolLink], dict[str, _ToolLink]]:
    """(live, lost) links of each linking domain (``by="linking_url"``: of each of these linking pages) in the
    newest third-party exports of the property's links: the best live one, or the newest lost one (lost by a
    date or by the tool's status alone)."""
    from ..store.vendors import current_vendor_snapshots
    from .thirdparty import tool_name

    assert by in ("linking_domain", "linking_url")
    ids = [s.snapshot_id for s in current_vendor_snapshots(con, snaps.site, snaps.as_of)]
    if not ids or urls == []:
        return {}, {}
    rows = con.execute(
        f"""SELECT {by}, lost_on IS NOT NULL OR coalesce(status, 'live') = 'lost' AS lost,
                  arg_max(struct_pack(linking_url, target_url, anchor_text, nofollow, ugc, sponsored, first_seen,
                                      last_seen, lost_on, reason, source),
                          struct_pack(r := CASE WHEN lost_on IS NULL
                                                THEN (NOT coalesce(nofollow OR ugc OR sponsored, false))::INT
                                                ELSE epoch(lost_on) END,  -- ties: the same pick every time
                                      f := coalesce(first_seen, DATE '1970-01-01'), u := linking_url,
                                      t := coalesce(target_url, ''), a := coalesce(anchor_text, '')))
           FROM link_observations WHERE source <> 'check' AND list_contains(?, snapshot_id)
             AND {by} IS NOT NULL AND (? IS NULL OR list_contains(?, linking_url)) GROUP BY ALL""",
        [ids, urls, urls]).fetchall()
    live: dict[str, _ToolLink] = {}
    lost: dict[str, _ToolLink] = {}
    for domain, is_lost, k in rows:
        flags = (k["nofollow"], k["ugc"], k["sponsored"])
        followed = None if all(f is None for f in flags) else not any(flags)
        link = _ToolLink(k["linking_url"], k["target_url"], k["anchor_text"], followed, k["first_seen"],
                         k["last_seen"], k["lost_on"], k["reason"], tool_name(k["source"]))
        (lost if is_lost else live)[domain] = link
    return live, lost


def week_in_links(con: duckdb.DuckDBPyConnection, snaps: Snapshots, valuer: Valuer, *,
                  since: dt.date | None = None, rows: int = 10_000) -> WeekInLinks:
    """New and lost linking domains and pages of the newest snapshots against the ones before (or the newest
    on or before `since`), rated, with context and a verdict."""
    domains = domain_changes(con, snaps, rows, since)
    pages = page_changes(con, snaps, rows, since)
    latest, _ = domain_bases(snaps)
    compared_from = domains.previous_date or pages.previous_date
    start = pacific_day_start(compared_from) if compared_from else dt.datetime.min  # checks are stored in UTC

    # What the link checks say: the links seen now, and those seen go since the comparison's start.
    now_links: dict[str, list[Link]] = {}
    for checked_link in current_links(con, snaps.site):
        now_links.setdefault(checked_link.linking_domain or "", []).append(checked_link)
    gone: list[LostLink] = lost_links(con, snaps.site, since=start) if domains.compared or pages.compared else []
    gone_by_domain: dict[str, LostLink] = {}
    for lost in gone:
        gone_by_domain.setdefault(lost.linking_domain or "", lost)

    new_names = [c.name for c in domains.new]
    lost_names = [c.name for c in domains.lost]
    new_rated = valuer.rate_domains(new_names)
    lost_rated = valuer.rate_domains(lost_names)
    sample, before = snaps.sample(), snaps.previous_sample()
    new_examples = _example_pages(con, sample.ids, new_names)
    lost_examples = _example_pages(con, before.ids if before else [], lost_names)

    tool_live, tool_lost = _tool_links(con, snaps)
    tool_first = tool_first_seen(con, snaps)  # first seen of a domain: as the linking domains table has it
    new_domains = []
    for name, rated in zip(new_names, new_rated):
        seen = now_links.get(name, [])
        link: Link | None = next((k for k in seen if k.placement == "content"), seen[0] if seen else None)
        tool = tool_live.get(name)
        sources = (SEARCH_CONSOLE, *((LINK_CHECK,) if link else ()), *((tool.tool,) if tool else ()))
        if link:
            new_domains.append(LinkChange(name, link.linking_url, link.target_url, link.anchor_text,
                                          earliest(tool_first.get(name), domains.latest_date), None,
                                          rated, sources, followed=not link.flags))
        elif tool:
            new_domains.append(LinkChange(name, tool.linking_url, tool.target_url, tool.anchor_text,
                                          earliest(tool_first.get(name), domains.latest_date), None, rated, sources,
                                          followed=tool.followed))
        else:
            new_domains.append(LinkChange(name, new_examples.get(name), None, None, domains.latest_date, None, rated,
                                          sources))
    lost_words = ("no longer in the Top linking sites export" if latest and latest.kind == "export"
                  else "no longer in Google's sample")
    lost_domains = []
    for name, rated in zip(lost_names, lost_rated):
        checked = gone_by_domain.get(name)
        tool = tool_lost.get(name)
        sources = (SEARCH_CONSOLE, *((LINK_CHECK,) if checked else ()), *((tool.tool,) if tool else ()))
        if checked:
            lost_domains.append(LinkChange(name, checked.linking_url, checked.target_url, checked.anchor_text, None,
                                           _day(checked.last_seen), rated, sources, reason=checked.reason,
                                           lost_on=_day(checked.lost_on)))
        elif tool:
            lost_domains.append(LinkChange(name, tool.linking_url, tool.target_url, tool.anchor_text, tool.first_seen,
                                           tool.last_seen, rated, sources, reason=_tool_reason(tool),
                                           lost_on=tool.lost_on, followed=tool.followed))
        else:
            lost_domains.append(LinkChange(name, lost_examples.get(name), None, None, None, domains.previous_date,
                                           rated, sources, reason=lost_words, lost_on=domains.latest_date))

    # Changes only a tool saw, dated since the comparison's start (a tool's own first-seen and lost dates).
    if domains.previous_date is not None:
        since_day = domains.previous_date
        # Only domains Search Console does not list now (nor listed before, for a new one): a tool's new page on a
        # domain Google already counts is no new linking domain.
        now_listed = set(domain_names(con, latest)) if latest else set()
        basis_then, _ = domain_bases(snaps.before(since_day + dt.timedelta(days=1)))
        before_listed = set(domain_names(con, basis_then)) if basis_then else set()
        listed = {c.linking_domain for c in (*new_domains, *lost_domains)} | now_listed
        fresh = [(d, k) for d, k in tool_live.items() if d not in listed and d not in before_listed and k.first_seen
                 and k.first_seen > since_day]
        gone_tool = [(d, k) for d, k in tool_lost.items() if d not in listed and d not in tool_live and k.lost_on
                     and k.lost_on > since_day]
        for (d, k), rated in zip(fresh, valuer.rate_domains([d for d, _ in fresh])):
            new_domains.append(LinkChange(d, k.linking_url, k.target_url, k.anchor_text,
                                          earliest(tool_first.get(d), k.first_seen), None, rated,
                                          (k.tool,), followed=k.followed))
        for (d, k), rated in zip(gone_tool, valuer.rate_domains([d for d, _ in gone_tool])):
            lost_domains.append(LinkChange(d, k.linking_url, k.target_url, k.anchor_text, k.first_seen, k.last_seen,
                                           rated, (k.tool,), reason=_tool_reason(k), lost_on=k.lost_on,
                                           followed=k.followed))

    link_rated = valuer.rate_pages([g.linking_url for g in gone], [g.linking_domain for g in gone])
    lost_checked = [LinkChange(g.linking_domain or "", g.linking_url, g.target_url, g.anchor_text, None,
                               _day(g.last_seen), rated, (LINK_CHECK,), reason=g.reason, lost_on=_day(g.lost_on))
                    for g, rated in zip(gone, link_rated)]

    returned = back_links(con, snaps.site, since=start) if domains.compared or pages.compared else []
    back_rated = valuer.rate_pages([k.linking_url for k in returned], [k.linking_domain for k in returned])
    back = tuple(LinkChange(k.linking_domain or "", k.linking_url, k.target_url, k.anchor_text, None, None,
                            rated, (LINK_CHECK,), reason=f"back (was: {k.was} on {_day(k.lost_on)})",
                            lost_on=_day(k.lost_on), back_on=_day(k.back_on))
                 for k, rated in zip(returned, back_rated))

    new_page_rated = tuple(valuer.rate_pages([c.name for c in pages.new], [c.linking_domain for c in pages.new]))
    lost_page_rated = tuple(valuer.rate_pages([c.name for c in pages.lost], [c.linking_domain for c in pages.lost]))
    page_value = PageChanges(pages, new_page_rated, lost_page_rated,
                             *_page_context(con, snaps, pages, new_page_rated, lost_page_rated, now_links, gone))
    targets = tuple(broken_targets(con, snaps))

    def by_value(items: list[LinkChange]) -> tuple[LinkChange, ...]:
        return tuple(sorted(items, key=lambda c: (-c.value, c.linking_domain)))

    week = WeekInLinks(
        snaps.site, domains.latest_date or pages.latest_date, domains.previous_date or pages.previous_date,
        latest.describe() if latest else "", domains, by_value(new_domains), by_value(lost_domains), page_value,
        by_value(lost_checked), targets, "", "none", back=by_value(list(back)))
    head, also, tone = verdict_parts(week)
    return replace(week, headline=head, also=also, tone=tone)


def _page_context(con: duckdb.DuckDBPyConnection, snaps: Snapshots, pages: Changes, new_rated, lost_rated,
                  now_links: dict[str, list[Link]], gone: list[LostLink]
                  ) -> tuple[tuple[LinkChange, ...], tuple[LinkChange, ...]]:
    """What is known of each new and lost linking page: where it links and with what words (a link check, else a
    tool), since when, which sources list it, and for a lost one why."""

    checked: dict[str, Link] = {}
    for links in now_links.values():
        for k in links:  # a link in the page's content before one in its navigation or footer
            if k.linking_url not in checked or (k.placement == "content" and checked[k.linking_url].placement != "content"):
                checked[k.linking_url] = k
    went: dict[str, LostLink] = {}
    for g in gone:  # newest first: a page's newest loss
        went.setdefault(g.linking_url, g)
    live, lost_links = _tool_links(con, snaps, "linking_url", [c.name for c in (*pages.new, *pages.lost)])
    tools = {**lost_links, **live}  # a page a tool lists as live and lost: live
    tool_lost = set(lost_links) - set(live)
    new = []
    for c, rated in zip(pages.new, new_rated):
        link = checked.get(c.name)
        tool = tools.get(c.name) if c.name not in tool_lost else None  # a tool listing it as lost is no live source
        sources = (SEARCH_CONSOLE, *((LINK_CHECK,) if link else ()), *((tool.tool,) if tool else ()))
        seen_by = link or tool
        new.append(LinkChange(c.linking_domain or "", c.name, seen_by.target_url if seen_by else None,
                              seen_by.anchor_text if seen_by else None,
                              earliest(tool.first_seen if tool else None, pages.latest_date), None, rated, sources,
                              followed=(not link.flags) if link else tool.followed if tool else None))
    lost = []
    for c, rated in zip(pages.lost, lost_rated):
        went_link, tool = went.get(c.name), tools.get(c.name)
        sources = (SEARCH_CONSOLE, *((LINK_CHECK,) if went_link else ()), *((tool.tool,) if tool else ()))
        if went_link:
            lost.append(LinkChange(c.linking_domain or "", c.name, went_link.target_url, went_link.anchor_text, None,
                                   _day(went_link.last_seen), rated, sources, reason=went_link.reason,
                                   lost_on=_day(went_link.lost_on)))
        elif tool and c.name in tool_lost:
            lost.append(LinkChange(c.linking_domain or "", c.name, tool.target_url, tool.anchor_text, tool.first_seen,
                                   tool.last_seen, rated, sources, reason=_tool_reason(tool), lost_on=tool.lost_on,
                                   followed=tool.followed))
        else:
            lost.append(LinkChange(c.linking_domain or "", c.name, tool.target_url if tool else None,
                                   tool.anchor_text if tool else None, None, pages.previous_date, rated, sources,
                                   reason="no longer in Google's sample", lost_on=pages.latest_date))
    return tuple(new), tuple(lost)


def _tool_reason(link: _ToolLink) -> str:
    return f"{link.tool}: {link.reason}" if link.reason else f"{link.tool} lists it as lost"


def _plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n:,} " + (word if n == 1 else many or word + "s")


def own_path(url: str) -> str:
    """One of the property's pages as a verdict names it: its path ("/pricing/")."""
    import re

    from ..urls import display_url

    return re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/]+", "", display_url(url)) or "/"


def _named(c: LinkChange, near: dt.date | None) -> str:

    worth = f"authority {c.authority}" if c.authority is not None else f"value {c.value}"
    text = f"a link from {c.linking_domain} ({worth})"
    if c.target_url:
        text += f" to {own_path(c.target_url)}"
    if c.reason:
        when = f" on {short_day(c.lost_on, near)}" if c.lost_on else ""
        text += f": {c.reason}{when}" if c.reason.startswith("no longer") else f": the {_reason_words(c.reason)}{when}"
    return text


def _reason_words(reason: str) -> str:
    """A checker reason in a sentence ("link removed" -> "link was removed")."""
    return {"link removed": "link was removed", "nofollow now": "link is nofollow now",
            "page gone (404/410)": "page is gone (404/410)"}.get(reason, reason)


def verdict_parts(week: WeekInLinks) -> tuple[str, str | None, str]:
    """One line in plain words on whether this week's changes matter — its headline and the rest — and its
    tone: the most pressing news
    first, then ("Also: …") the other news that matters — a valuable new domain, a linked page that is gone —
    and losses of little value named as such, so that a lost spam link reads as the non-event it is."""

    if week.latest_date is None:
        return "No link exports held yet: import Search Console's Links exports to see what changes.", None, "none"
    mattered = week.mattered
    targets = week.linked_gone_targets
    good = week.valuable_new
    if mattered:
        more = f" (and {_plural(len(mattered) - 1, 'more valuable loss', 'more valuable losses')})" if len(mattered) > 1 else ""
        return (f"Attention: you lost {_named(mattered[0], week.latest_date)}{more}.",
                _also(_gone_clause(targets), _good_clause(good)), "attention")
    if targets:
        return f"Attention: {_gone_clause(targets)}.", _also(_good_clause(good), _minor_clause(week)), "attention"
    if not week.compared:
        return f"First snapshot ({week.latest_date}): changes show once a newer export is imported.", None, "first"
    new, lost = week.new_count, week.lost_count
    if good:
        return f"A good week: {_good_clause(good)}, nothing valuable lost.", _also(_minor_clause(week)), "good"
    if not new and not lost and not week.pages.changes.new_count and not week.pages.changes.lost_count:
        return f"A quiet week: no change since {week.previous_date}.", None, "quiet"
    changed = f"{new:,} new and {lost:,} lost linking domain" + ("" if new + lost == 1 else "s")
    if not new and not lost:
        changed = (f"{week.pages.changes.new_count:,} new and {week.pages.changes.lost_count:,} lost linking pages, "
                   "no change in linking domains")
    return f"A quiet week: {changed}, none of them valuable (value {VALUABLE} or more).", None, "quiet"


def _also(*clauses: str | None) -> str | None:
    found = [c for c in clauses if c]
    return f"Also: {'; '.join(found)}." if found else None


def _good_clause(good: tuple[LinkChange, ...]) -> str | None:
    if not good:
        return None
    return f"{_plural(len(good), 'valuable new linking domain')} (best: {good[0].linking_domain}, value {good[0].value})"


def _gone_clause(targets: tuple[BrokenTarget, ...]) -> str | None:
    if not targets:
        return None
    t = targets[0]
    links = t.links if t.links is not None else t.linking_pages
    more = f" (and {_plural(len(targets) - 1, 'more page')})" if len(targets) > 1 else ""
    return (f"{own_path(t.url)} ({t.reason}) still has {_plural(links, 'link')} pointing at it{more}: redirect it to "
            "its nearest live page")


def _minor_clause(week: WeekInLinks) -> str | None:
    """Lost linking domains of little value, named as harmless."""
    minor = [c for c in week.lost_domains if c.value < VALUABLE]
    if not minor or len(minor) != len(week.lost_domains):
        return None
    first = minor[0]
    what = (f"{first.linking_domain} (value {first.value})" if len(minor) == 1
            else f"{_plural(len(minor), 'linking domain')} (most valuable: {first.linking_domain}, value {first.value})")
    return f"the lost {what} {'was' if len(minor) == 1 else 'were'} of little value"
