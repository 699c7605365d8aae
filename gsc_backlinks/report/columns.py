"""Columns shared by the HTML report, the terminal, CSV and JSON: each figure's column defined once."""

from __future__ import annotations

from .model import Column

VALUE_COLUMNS = (
    Column("value", "Value", True, "0-100: half authority, half relevance (see How link value is computed)"),
    Column("authority", "Authority", True, "0-100 on a log scale of the domain's rank in the loaded rank file"),
    Column("relevance", "Relevance", True, "0-100: how close the linking pages' words come to your search queries"),
    Column("relevance_band", "Band", machine_only=True),
    Column("authority_rank", "Rank", True, machine_only=True),
    Column("authority_source", "Rank from", machine_only=True),
)

LINKING_DOMAIN = Column("linking_domain", "Linking domain")
LINKING_PAGES = Column("linking_pages", "Linking pages", True)
TARGET_PAGES = Column("target_pages", "Target pages", True)
FIRST_SEEN = Column("first_seen", "First seen", help="The earliest date a source saw it: the first export that "
                    "names it, or a third-party tool's own first-seen date when earlier")
LINKING_URL = Column("linking_url", "Linking page", url=True)
TARGET_URL = Column("target_url", "Target page", url=True)
INCOMING_LINKS = Column("incoming_links", "Incoming links", True)
LINKING_SITES = Column("linking_sites", "Linking sites", True)
INTERNAL_LINKS = Column("internal_links", "Internal links", True)
ANCHOR_TEXT = Column("anchor_text", "Anchor text")
ANCHOR_CLASS = Column("class", "Class")
RANK = Column("rank", "Rank", True)
SOURCES = Column("sources", "Sources", help="Which sources list it: Search Console, URL Inspection, link check, "
                 "and each third-party tool whose newest export lists it as live")
COMPETITOR_COUNT = Column("competitor_count", "Competitors", True, "How many of your competitors it links to")
COMPETITORS = Column("competitors", "Links to")
FOLLOWED = Column("followed", "Followed", help="Whether the competitor's link is followed (no nofollow, ugc or "
                  "sponsored), where the tool says")
TOOL_METRIC = Column("tool_metric_value", "Tool's authority", True,
                     "The third-party tool's own authority figure (named in the CSV/JSON), shown beside ours, "
                     "never mixed into value")
