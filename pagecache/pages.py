"""The shared cache of the public pages, and why it is never stale.

What is cached. Whole responses of the public pages, feeds and calendars (the
views decorated with `cache_public_page`) for anonymous visitors, as the view
returned them: status, headers and body. Only for a visitor who has no
messages waiting and asks with no query parameter but those the page knows
(?page=, ?when=, ?q=). A response that sets a cookie (a CSRF token, a
session), carries a message, or is anything but a 200 is never stored. The
middleware still runs on every answer from the cache, so security headers,
Vary, compression and the ETag are added exactly as for a fresh page.
Development (DEBUG) caches nothing, so a template edit shows at once.

Signed-in visitors get their pages rendered for them, per request. What their
pages share is only what a template explicitly marks public, as a fragment
(`{% public_fragment %}`, pagecache.templatetags.pagecache), kept under the
version tokens read before the view runs (FragmentContext); everything else is
theirs alone. Responses that never depend on the visitor (calendars,
comment feeds) say so (`same_for_everyone=True`) and are one copy for all.

Why a stored page is never stale: versions, never deletions
(pagecache.versions). Each page depends on the "site" version and a talk's
page and comment feed also on that talk's "thread" version; a stored page
counts only while the tokens it was rendered under are all current.

Time: a page whose content changes with the clock (upcoming talks become past
ones) also stores the instant it stops being true, computed before the page is
rendered (`expires`), or given by the view on its response (`changes_at`, a
function, asked only when the page is stored).

Deploys: page keys include settings.RELEASE, so pages rendered by other code
are never served; with the default RELEASE, run `manage.py invalidate_pages`
after deploying.

Cost: one cache round trip per request (the versions and the page, in one
get_many); a miss also stores the page. When the cache cannot be reached,
pages are rendered as if nothing were cached, and a failed version change is
logged: run `manage.py invalidate_pages` once the cache is back.
"""

import functools
import hashlib
import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers, set_response_etag
from django.utils.text import compress_string

from .versions import (
    SITE_VERSION,
    Versioned,
    read_versions_and,
    store_versioned,
    thread_version,
)

logger = logging.getLogger(__name__)

ACCEPTS_GZIP = re.compile(r"\bgzip\b")
# A stored page nobody asks for leaves the cache after a day; nothing relies on it.
PAGE_TIMEOUT = 24 * 60 * 60
# "hit" or "miss", for operators and the benchmark, only with settings.PAGE_CACHE_HEADER:
# sent to everyone, it would tell a visitor which pages others have asked for.
CACHE_HEADER = "X-Page-Cache"


def mark(response, outcome: str) -> None:
    if settings.PAGE_CACHE_HEADER:
        response[CACHE_HEADER] = outcome


@dataclass(frozen=True)
class StoredPage(Versioned):
    headers: dict[str, str]
    content: bytes
    # The content compressed once, when stored, as GZipMiddleware would on every
    # hit (measured: gzipping a 200 KB calendar costs a hit 3-4 ms of its 5);
    # None when too small to gain.
    gzipped: bytes | None = None

    def response(self, request) -> HttpResponse:
        accepts_gzip = ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", ""))
        if self.gzipped is None or not accepts_gzip:
            return HttpResponse(self.content, headers=self.headers)
        # What GZipMiddleware does, which then leaves the encoded response alone.
        response = HttpResponse(self.gzipped, headers=self.headers)
        response["Content-Encoding"] = "gzip"
        patch_vary_headers(response, ["Accept-Encoding"])
        if response["ETag"].startswith('"'):
            response["ETag"] = "W/" + response["ETag"]
        return response


def compressed(content: bytes) -> bytes | None:
    """The content gzipped, if that is worth it (GZipMiddleware's rules).

    Without the middleware's random bytes against BREACH: a stored page holds
    no secret (a page using a CSRF token, or a signed-in visitor's page, is
    never stored) and no reflected input but its own URL.
    """
    if len(content) < 200:
        return None
    gzipped = compress_string(content)
    return gzipped if len(gzipped) < len(content) else None


class NotCanonical(Exception):
    """Raised by a view for an address that shows another's page (?page=junk shows
    page 1): the visitor is redirected there (pagecache.middleware), so only
    canonical addresses are ever stored."""

    def __init__(self, url: str):
        super().__init__(url)
        self.url = url


def canonical_page_url(request, number: int) -> str:
    """This request's address with ?page= set to `number` (left out for the first page)."""
    query = request.GET.copy()
    query.pop("page", None)
    if number > 1:
        query["page"] = str(number)
    return f"{request.path}?{query.urlencode()}" if query else request.path


@dataclass(frozen=True)
class FragmentContext:
    """What a signed-in visitor's page keeps its public fragments under
    (pagecache.templatetags.pagecache), set on the request by cache_public_page:
    the version tokens read before the view ran, so that every row the page reads
    is at least as new as them, and the page's address, which holds only the
    query parameters the page knows."""

    tokens: dict[str, str | None]
    address: str

    @classmethod
    def read(cls, request, versions: list[str]) -> "FragmentContext":
        tokens, _ = read_versions_and(versions, None)
        return cls(dict(zip(versions, tokens, strict=True)), request.get_full_path())


def audience(request, same_for_everyone: bool, same_per_time_zone: bool) -> str | None:
    """Who shares the stored copy of a page; None: only this visitor may see it."""
    if same_for_everyone:
        return "everyone"
    if not request.user.is_authenticated:
        return "anonymous"
    if same_per_time_zone:
        return f"time-zone:{request.user.timezone}"
    return None


def require_canonical_page(request, number: int) -> None:
    """Raise NotCanonical when ?page= is given and is not `number`, the page shown."""
    requested = request.GET.get("page")
    if requested is not None and requested != str(number):
        raise NotCanonical(canonical_page_url(request, number))


def page_key(request, audience: str) -> str:
    # The host and scheme too: feeds and calendars hold absolute URLs.
    address = request.build_absolute_uri().encode()
    digest = hashlib.sha256(address).hexdigest()
    return f"pages:page:{settings.RELEASE}:{audience}:{digest}"


def may_use_cache(request, params: frozenset) -> bool:
    """Whether this request may be answered from, and stored in, the shared cache.

    Any other query parameter is refused: pages repeat the query in links
    (?next=, pagination), so each would need its own copy.
    """
    return (
        not settings.DEBUG
        and request.method == "GET"
        and params.issuperset(request.GET)
        and not len(get_messages(request))
    )


def may_store(request, response) -> bool:
    """Whether a response to a cacheable request holds nothing private or one-off."""
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not response.has_header("Vary")
        # The page used the CSRF token: the response will set its cookie.
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not request.session.modified
        and not len(get_messages(request))
        and not getattr(response, "do_not_store", False)
    )


def cache_public_page(
    *,
    params=(),
    thread_kwarg=None,
    expires=None,
    same_for_everyone=False,
    same_per_time_zone=False,
):
    """Answer anonymous visitors from the shared cache (see the module docstring).

    params: the query parameters the page reads; any other means no caching.
    thread_kwarg: the URL argument holding a talk's slug, for pages that show
        its comments.
    expires: a function of the time now giving when the page's content next
        changes by itself (None: never), for pages the clock changes. A view
        that knows it from its own queries sets `changes_at` on its response
        instead: a function, asked only when the page is stored, giving that
        instant from a time taken before the view read the database.
    same_for_everyone: the response never depends on the visitor (calendars,
        comment feeds): signed-in visitors share the anonymous copy.
    same_per_time_zone: the response depends on the visitor only through the
        time zone it shows times in (talk feeds): signed-in visitors in the same
        zone share a copy.

    Every response gets Cache-Control: no-cache (browsers ask again each time
    and get a 304 while the ETag matches); a signed-in user's also `private`.
    """
    params = frozenset(params)

    def decorator(view):
        @functools.wraps(view)
        def cached_view(request, *args, **kwargs):
            shared_with = audience(request, same_for_everyone, same_per_time_zone)
            versions = [SITE_VERSION]
            if thread_kwarg:
                versions.append(thread_version(kwargs[thread_kwarg]))
            cacheable = may_use_cache(request, params)
            if shared_with and cacheable:
                key = page_key(request, shared_with)
                render = functools.partial(view, request, *args, **kwargs)
                response = from_cache_or_rendered(request, key, render, versions, expires)
            else:
                if cacheable:
                    request.public_fragments = FragmentContext.read(request, versions)
                response = view(request, *args, **kwargs)
            patch_cache_control(response, no_cache=True)
            if request.user.is_authenticated:
                patch_cache_control(response, private=True)
            return response

        return cached_view

    return decorator


def from_cache_or_rendered(request, key, render, versions: list[str], expires) -> HttpResponse:
    """The stored page if it is current; otherwise render() it, and store it if allowed."""
    tokens, stored = read_versions_and(versions, key)
    now = timezone.now()
    if stored is not None and stored.is_current(tokens, now.timestamp()):
        response = stored.response(request)
        mark(response, "hit")
        return response
    # `now` is from before rendering: a talk that starts while the view runs ends the page's life.
    valid_until = expires(now) if expires else None
    response = render()
    mark(response, "miss")
    changes_at = getattr(response, "changes_at", None)
    if changes_at is not None:
        valid_until = changes_at()
    if may_store(request, response):
        set_response_etag(response)
        patch_cache_control(response, no_cache=True)

        def page(tokens):
            return StoredPage(
                tokens=tokens,
                valid_until=valid_until.timestamp() if valid_until else None,
                headers=dict(response.headers),
                content=response.content,
                gzipped=compressed(response.content),
            )

        store_versioned(key, versions, tokens, page, PAGE_TIMEOUT)
    return response
