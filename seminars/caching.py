"""The shared cache of the public pages, and why it is never stale.

What is cached. Whole responses of the public pages, feeds and calendars (the
views decorated with `cache_public_page`), as the view returned them: status,
headers and body. Only for a visitor who has no messages waiting and asks with
no query parameter but those the page knows (?page=, ?when=, ?q=). A response
that sets a cookie (a CSRF token, a session), carries a message, or is anything
but a 200 is never stored. The middleware still runs on every answer from the
cache, so security headers, Vary and the ETag are added exactly as for a fresh
page. Development (DEBUG) caches nothing, so a template edit shows at once.

Who shares a copy (`audience`). Anonymous visitors share one. Signed-in
visitors share another per time zone (talk times show in their chosen zone),
rendered with holes where their own parts go, the account menu and follow
buttons, the comment form, and filled for each request (seminars.personal).
Calendars and comment feeds, the same for everyone, have a single copy (talk
feeds show times in the reader's zone, so they are kept like pages). A talk
page is rendered afresh for staff and for a visitor who commented on the talk:
their thread holds controls and held comments of their own.

Why a stored page is never stale: versions, never deletions. Each page
depends on the "site" version (talks, series, speakers, tags, people's public
names) and a talk's page and comment feed also on that talk's "thread"
version (its comments). A version is a random token in the shared cache; a
stored page carries the tokens it was rendered under and counts only while
they are all still current. Every write that changes what the public sees sets
new tokens (the signal handlers below), once at once and once more after its
transaction commits: a page rendered from data read before the commit then
carries a token that is no longer current. Nothing is deleted, so a slow
render can never put an old page back; a new token is random, so tokens never
repeat. Code that bypasses signals (QuerySet.update, bulk_create) must call
`site_changed()` or `threads_changed()` itself.

Time: a page whose content changes with the clock (upcoming talks become past
ones) also stores the instant it stops being true, computed before the page is
rendered (`next_talk_start`, or the calendars' window).

Deploys: the page keys include a fingerprint of the code, the templates, the
static files' manifest and the secret key, so pages rendered by other code (or
holes signed with another key) are never served.

Cost: one cache round trip per request (the versions and the page, in one
get_many); a miss also stores the page. When the cache cannot be reached,
pages are rendered as if nothing were cached, and a failed version change is
logged: run `manage.py invalidate_pages` once the cache is back.
"""

import functools
import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import signals
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers, set_response_etag
from django.utils.crypto import salted_hmac
from django.utils.text import compress_string

from . import personal
from .models import Comment, Series, Speaker, Tag, Talk

logger = logging.getLogger(__name__)

SITE_VERSION = "pages:version:site"
# A stored page nobody asks for leaves the cache after a day; nothing relies on it.
PAGE_TIMEOUT = 24 * 60 * 60
# "hit" or "miss" on cacheable requests, for operators and the benchmark.
CACHE_HEADER = "X-Page-Cache"
ACCEPTS_GZIP = re.compile(r"\bgzip\b")
# Where the fingerprint looks for code and templates, under BASE_DIR.
SOURCE_FOLDERS = ("config", "seminars", "accounts", "templates")
SOURCE_SUFFIXES = {".py", ".html", ".txt", ".xml"}


def thread_version(slug: str) -> str:
    return f"pages:version:thread:{slug}"


# Writes: new versions.


def change_versions(keys) -> None:
    """Give each key a new token now and, inside a transaction, again once it commits.

    The first makes the change visible to reads in the same transaction; the
    second outdates any page another process rendered from data read before
    the commit. Never raises: a write must not fail because the cache is down.
    """

    def set_new_tokens():
        try:
            cache.set_many({key: secrets.token_hex(8) for key in keys}, timeout=None)
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


def comment_talk_slug(comment) -> str | None:
    """The slug of the comment's talk; None once the talk is deleted."""
    if Comment.talk.is_cached(comment):
        return comment.talk.slug
    return Talk.objects.filter(pk=comment.talk_id).values_list("slug", flat=True).first()


def changes_public_thread(comment, created: bool, update_fields) -> bool:
    """Whether saving `comment` changes what anonymous visitors see of its thread.

    A held comment is invisible to them, unless this save changed its status
    (an approval, or an edit that held a published comment).
    """
    if comment.status == Comment.Status.PUBLISHED:
        return True
    if created:
        return False
    return update_fields is None or "status" in update_fields


def comment_saved(sender, instance, created, update_fields, **kwargs):
    if changes_public_thread(instance, created, update_fields):
        threads_changed(filter(None, [comment_talk_slug(instance)]))


def comment_deleted(sender, instance, **kwargs):
    if instance.status == Comment.Status.PUBLISHED:
        threads_changed(filter(None, [comment_talk_slug(instance)]))


def site_data_changed(sender, **kwargs):
    site_changed()


def talk_links_changed(sender, action, **kwargs):
    if action.startswith("post_"):
        site_changed()


def user_saved(sender, instance, created, update_fields, **kwargs):
    """A new public name shows on every comment of the user's, anywhere."""
    if not created and (update_fields is None or "display_name" in update_fields):
        site_changed()


def connect_signals() -> None:
    """Called from the app's ready()."""
    for model in (Series, Speaker, Tag, Talk):
        uid = f"page-cache-{model.__name__}"
        signals.post_save.connect(site_data_changed, sender=model, dispatch_uid=uid)
        signals.post_delete.connect(site_data_changed, sender=model, dispatch_uid=uid)
    for relation in (Talk.speakers, Talk.tags):
        signals.m2m_changed.connect(
            talk_links_changed,
            sender=relation.through,
            dispatch_uid=f"page-cache-{relation.field.name}",
        )
    signals.post_save.connect(comment_saved, sender=Comment, dispatch_uid="page-cache-comment")
    signals.post_delete.connect(comment_deleted, sender=Comment, dispatch_uid="page-cache-comment")
    user_model = get_user_model()
    # A deleted user's comments now read "deleted user" (set by an UPDATE, without signals).
    uid = "page-cache-user"
    signals.post_save.connect(user_saved, sender=user_model, dispatch_uid=uid)
    signals.post_delete.connect(site_data_changed, sender=user_model, dispatch_uid=uid)


# Time.


def next_talk_start(now):
    """When the next public talk starts: then it moves from the upcoming talks to the past."""
    upcoming = Talk.objects.public().filter(start__gte=now).order_by("start")
    return upcoming.values_list("start", flat=True).first()


# Reads: the decorator.


@dataclass(frozen=True)
class StoredPage:
    tokens: tuple[str, ...]
    # A Unix time, or None for a page the clock does not change.
    valid_until: float | None
    headers: dict[str, str]
    content: bytes
    # The content compressed once, as GZipMiddleware would on every request (a
    # calendar's 200 KB costs milliseconds); None for pages with holes to fill,
    # or too small to gain.
    gzipped: bytes | None = None

    def is_current(self, tokens: tuple, now: float) -> bool:
        return self.tokens == tokens and (self.valid_until is None or now < self.valid_until)

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
    no secret (a page using a CSRF token is never stored) and no reflected input
    but its own URL.
    """
    if len(content) < 200:
        return None
    gzipped = compress_string(content)
    return gzipped if len(gzipped) < len(content) else None


@functools.cache
def code_fingerprint() -> str:
    """A digest of the code, templates, static manifest and secret key this process
    serves pages with."""
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    sources = [
        path
        for folder in SOURCE_FOLDERS
        for path in (base / folder).rglob("*")
        if path.suffix in SOURCE_SUFFIXES
    ]
    for path in sorted(sources):
        # Relative: servers with the same code in other folders share their pages.
        digest.update(str(path.relative_to(base)).encode())
        digest.update(path.read_bytes())
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.exists():
        digest.update(manifest.read_bytes())
    # Signed-in visitors' pages hold holes signed with the key (seminars.personal).
    digest.update(salted_hmac("seminars.caching", "holes").digest())
    return digest.hexdigest()[:16]


def page_key(request, audience: str) -> str:
    # The host and scheme too: feeds and calendars hold absolute URLs.
    address = request.build_absolute_uri().encode()
    return f"pages:page:{code_fingerprint()}:{audience}:{hashlib.sha256(address).hexdigest()}"


def audience(request, same_for_everyone: bool) -> str:
    """Who shares the stored copy of a page: everyone, anonymous visitors, or the
    signed-in visitors who see talk times in the same zone (see seminars.personal)."""
    if same_for_everyone:
        return "everyone"
    if not request.user.is_authenticated:
        return "anonymous"
    return f"signed-in:{request.user.timezone}"


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
    )


def read_cache(keys: list[str]) -> dict:
    try:
        return cache.get_many(keys)
    except Exception:
        logger.exception("Page cache unavailable; rendering without it")
        return {}


def write_cache(key: str, value, timeout) -> None:
    try:
        cache.set(key, value, timeout)
    except Exception:
        logger.exception("Page cache unavailable; page not stored")


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
                if not cache.add(version, token, timeout=None):
                    return None
            except Exception:
                logger.exception("Page cache unavailable; page not stored")
                return None
        claimed.append(token)
    return tuple(claimed)


def shared_value(name: str, compute):
    """compute(), kept in the shared cache for every visitor, signed in or not, until the
    site changes: for a costly part of a page that is the same for everyone."""
    key = f"pages:value:{code_fingerprint()}:{name}"
    found = read_cache([SITE_VERSION, key])
    token, stored = found.get(SITE_VERSION), found.get(key)
    if token is not None and stored is not None and stored[0] == token:
        return stored[1]
    value = compute()
    tokens = claim_missing_versions([SITE_VERSION], (token,))
    if tokens is not None:
        write_cache(key, (tokens[0], value), PAGE_TIMEOUT)
    return value


def cache_public_page(
    *, params=(), thread_kwarg=None, expires=None, signed_in="shared", own_page=None
):
    """Answer visitors from the shared cache (see the module docstring).

    params: the query parameters the page reads; any other means no caching.
    thread_kwarg: the URL argument holding a talk's slug, for pages that show
        its comments.
    expires: a function of the time now giving when the page's content next
        changes by itself (None: never), for pages the clock changes. A view
        that knows it from its own queries sets `changes_at` on its response
        instead, computed from a time taken before it read the database.
    signed_in: what signed-in visitors get. "shared": a copy shared by those
        in the same time zone, its personal parts filled per request
        (seminars.personal); "same": the anonymous visitors' copy, for
        responses that never depend on the visitor (calendars, comment feeds).
    own_page: a function of the request and the view's arguments, true when
        the signed-in visitor's page is their own: it is then rendered afresh.

    Every response gets Cache-Control: no-cache (browsers ask again each time
    and get a 304 while the ETag matches); a signed-in user's also `private`.
    A page with personal parts gets no 304: its CSRF and one-time tokens are
    new on each request, and so is its ETag.
    """
    params = frozenset(params)

    def decorator(view):
        @functools.wraps(view)
        def cached_view(request, *args, **kwargs):
            if may_use_cache(request, params) and not (
                own_page and request.user.is_authenticated and own_page(request, *args, **kwargs)
            ):
                versions = [SITE_VERSION]
                if thread_kwarg:
                    versions.append(thread_version(kwargs[thread_kwarg]))
                render = functools.partial(view, request, *args, **kwargs)
                key = page_key(request, audience(request, signed_in == "same"))
                holes = request.user.is_authenticated and signed_in == "shared"
                response = from_cache_or_rendered(request, key, render, versions, expires, holes)
            else:
                response = view(request, *args, **kwargs)
            patch_cache_control(response, no_cache=True)
            if request.user.is_authenticated:
                patch_cache_control(response, private=True)
            return response

        return cached_view

    return decorator


def from_cache_or_rendered(
    request, key, render, versions: list[str], expires, holes: bool
) -> HttpResponse:
    """The stored page if it is current; otherwise render() it, and store it if allowed.

    With `holes` (a signed-in visitor's shared page), the page is stored with
    holes for the visitor's personal parts, filled in the response.
    """
    found = read_cache([*versions, key])
    tokens = tuple(found.get(version) for version in versions)
    stored = found.get(key)
    now = timezone.now()
    if stored is not None and stored.is_current(tokens, now.timestamp()):
        response = stored.response(request)
        response[CACHE_HEADER] = "hit"
        return with_personal_parts(response, request) if holes else response
    # `now` is from before rendering: a talk that starts while the view runs ends the page's life.
    valid_until = expires(now) if expires else None
    if holes:
        personal.leave_holes(request)
    response = render()
    response[CACHE_HEADER] = "miss"
    if None in tokens:
        tokens = claim_missing_versions(versions, tokens)
    valid_until = getattr(response, "changes_at", valid_until)
    if tokens is not None and may_store(request, response):
        set_response_etag(response)
        patch_cache_control(response, no_cache=True)
        page = StoredPage(
            tokens=tokens,
            valid_until=valid_until.timestamp() if valid_until else None,
            headers=dict(response.headers),
            content=response.content,
            # Filled per request, a page with holes is compressed per request too.
            gzipped=None if holes else compressed(response.content),
        )
        write_cache(key, page, PAGE_TIMEOUT)
    return with_personal_parts(response, request) if holes else response


def with_personal_parts(response, request) -> HttpResponse:
    """The response with its holes filled for this visitor, and its ETag of the result."""
    response.content = personal.fill_holes(response.content, request)
    del response["ETag"]
    set_response_etag(response)
    return response
