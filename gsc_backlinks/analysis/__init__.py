"""Analysis by concept: one module per idea, one function per figure the user sees.

Each function takes an open store connection (or plain data) and returns plain
dataclasses; none prints, formats or writes (the one exception, the relevance
a :class:`~.value.Valuer` computed, is handed back for a job to store).

* :mod:`.snapshots` — which snapshot is the newest, the one before, as of a date; the sample set
* :mod:`.domains` — linking domains (counts, first seen, history)
* :mod:`.samples` — Google's sample of linking pages
* :mod:`.pages` — target pages (Top target pages) and their search week
* :mod:`.anchors` — anchor text and its classes
* :mod:`.changes` — new and lost linking domains and pages
* :mod:`.search` — search performance: totals, days, the report's period, top queries
* :mod:`.opportunities` — traffic with few links, links without traffic
* :mod:`.authority`, :mod:`.relevance`, :mod:`.value` — what a link is worth
* :mod:`.page` — one page in depth (the `page` command and every drill-down)
* :mod:`.sources` — what the store holds and how fresh it is
* :mod:`.weekly` — the weekly report's data, gathered from the modules above
"""
