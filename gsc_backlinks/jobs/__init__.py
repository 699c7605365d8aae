"""Jobs: what a command does, callable without click (from cron, tests, another front end).

Each job takes plain arguments (a store path, a property, dates…) and
optional callbacks for progress, opens the store for the moment it needs it,
and returns plain results for its caller to print.

* :mod:`.importing` — import exports; new exports from a folder
* :mod:`.sync` — search performance from the Search Console API
* :mod:`.inspect` — URL Inspection
* :mod:`.weekly` — the weekly report (import, sync, build, write)
* :mod:`.page` — one page in depth
* :mod:`.links` — the `links` summaries
* :mod:`.authority`, :mod:`.brand` — what link value is built from
* :mod:`.google` — the authorized Search Console API, the account's properties
* :mod:`.demo` — the demo report from built-in sample data
"""
