"""From analysis results to what people read: view models, then files.

Two steps, as coverage.py's HTML report does them: the analysis results (plain
dataclasses, see ``analysis``) become a view model here, without a store
connection, and :mod:`.render` writes it.

* :mod:`.model` — the view model (pages, sections, tables, cells) and how numbers are shown
* :mod:`.columns` — each figure's column, shared by HTML, terminal, CSV and JSON
* :mod:`.weekly` — the weekly page; :mod:`.drilldown` — a page in depth; :mod:`.lists` — long lists
* :mod:`.summaries` — the `links` summaries for the terminal, CSV and JSON
* :mod:`.charts` — inline SVG charts; :mod:`.render` — Jinja2 templates to files
"""
