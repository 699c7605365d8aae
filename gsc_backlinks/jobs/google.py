"""Jobs that talk to Google directly: the authorized API for a property, the account's properties."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..dates import utc_now
from ..errors import GscBacklinksError


@contextmanager
def google_api(site: str) -> Iterator[tuple]:
    """(Api, property) checked against the account's list; a refreshed token is saved afterwards."""
    from .. import auth
    from ..api import Api, check_site
    from ..urls import parse_property

    prop = parse_property(site)
    creds = auth.credentials()
    try:
        api = Api(creds)
        check_site(api.list_sites(), prop.site)
        yield api, prop
    finally:
        auth.save_if_refreshed(creds)


def visible_properties(creds) -> list:
    """The properties these credentials can see (``api.SiteEntry``): the live check after a login."""
    from ..api import Api

    return Api(creds).list_sites()


def list_sites(store_path: Path) -> list:
    """The account's properties, remembered in the store for offline "did you mean" hints."""
    from .. import auth
    from ..store import open_store
    from ..store.sites import save_sites

    creds = auth.credentials()
    entries = visible_properties(creds)
    auth.save_if_refreshed(creds)
    try:
        with open_store(store_path, write=True) as con:
            save_sites(con, entries, utc_now())
    except GscBacklinksError:
        pass  # a busy or odd store must not hide the answer
    return entries
