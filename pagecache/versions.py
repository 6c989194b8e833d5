"""Version tokens: how a write makes every stored page that showed its data outdated.

A version is a random token in the shared cache; a stored page carries the
tokens it was rendered under and counts only while they are all current (see
pagecache.pages). Nothing is ever deleted, so a slow render cannot put an old
page back.
"""

import logging
import secrets
from dataclasses import dataclass

from django.core.cache import caches
from django.db import connection, transaction

logger = logging.getLogger(__name__)

# The page cache's own alias (settings.CACHES): full, it evicts pages and tokens
# only, never rate limits or sessions, which live in "default".
PAGE_CACHE = "pages"


def page_cache():
    return caches[PAGE_CACHE]


SITE_VERSION = "pages:version:site"


def thread_version(slug: str) -> str:
    return f"pages:version:thread:{slug}"


def change_versions(keys) -> None:
    """Give each key a new token now and, inside a transaction, again once it commits.

    The first makes the change visible to reads in the same transaction; the
    second outdates any page another process rendered from data read before
    the commit. Never raises: a write must not fail because the cache is down.
    """

    def set_new_tokens():
        try:
            page_cache().set_many({key: secrets.token_hex(8) for key in keys}, timeout=None)
        except Exception:
            logger.exception("Could not mark cached pages outdated: run manage.py invalidate_pages")

    set_new_tokens()
    if connection.in_atomic_block:
        transaction.on_commit(set_new_tokens)


def site_changed() -> None:
    """Outdate every cached page."""
    change_versions([SITE_VERSION])


def threads_changed(talk_slugs) -> None:
    """Outdate the cached pages and comment feeds of these talks."""
    keys = [thread_version(slug) for slug in set(talk_slugs)]
    if keys:
        change_versions(keys)


def read_versions_and(versions: list[str], key: str | None) -> tuple[tuple, object]:
    """The current tokens of `versions` and the value stored at `key` (if any), in one
    round trip. A token never set (or evicted) is None; an unreachable cache reads
    as empty.
    """
    try:
        found = page_cache().get_many([*versions, *([key] if key else [])])
    except Exception:
        logger.exception("Page cache unavailable; rendering without it")
        found = {}
    return tuple(found.get(version) for version in versions), found.get(key)


def claim_missing_versions(versions: list[str], tokens: tuple) -> tuple | None:
    """`tokens` with a new one for each version never set (or evicted); None if beaten to one.

    Called after rendering, and safe: `add` sets a token only where there is
    none, so a write that committed after the page read the database either
    set its token first (the add fails, the page is not stored) or replaces
    this one later (the stored page is then outdated).
    """
    claimed = []
    for version, token in zip(versions, tokens, strict=True):
        if token is None:
            token = secrets.token_hex(8)
            try:
                if not page_cache().add(version, token, timeout=None):
                    return None
            except Exception:
                logger.exception("Page cache unavailable; page not stored")
                return None
        claimed.append(token)
    return tuple(claimed)


@dataclass(frozen=True)
class Versioned:
    """Something stored under the tokens it was rendered with (a page, a fragment)."""

    tokens: tuple[str, ...]
    # A Unix time, or None for what the clock does not change.
    valid_until: float | None

    def is_current(self, tokens: tuple, now: float) -> bool:
        return self.tokens == tokens and (self.valid_until is None or now < self.valid_until)


def store_versioned(key: str, versions: list[str], tokens: tuple, make, timeout: int) -> None:
    """Store make(tokens) at `key` under `tokens` (claiming those never set); nothing
    if a write beat this one to a token, or if the cache cannot be reached."""
    if None in tokens:
        tokens = claim_missing_versions(versions, tokens)
    if tokens is None:
        return
    try:
        page_cache().set(key, make(tokens), timeout)
    except Exception:
        logger.exception("Page cache unavailable; %s not stored", key)
