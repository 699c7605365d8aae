"""gsc-backlinks: who links to your site, from Google Search Console's own data."""

__version__ = "0.1.0"
