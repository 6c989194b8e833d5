"""`{% public_fragment %}`: a part of a signed-in visitor's page that everyone may share.

Signed-in pages are rendered per request (pagecache.pages); their costly public
parts (a page of talk cards, the tag cloud, the public's thread) are kept in the
page cache as fragments, under the version tokens of the data they show:

    {% public_fragment "talk-cards" zone until=changes_at thread=talk.slug %}
      ... nothing but what every visitor may see ...
    {% end_public_fragment %}

Fragments serve signed-in visitors on pages decorated with cache_public_page,
which reads the version tokens before the view runs (FragmentContext); anywhere
else the part is rendered in place. A fragment is keyed by its name, the page's
address (only the query parameters the page knows) and the values after the
name (the visitor's time zone, where times show), and counts while those
tokens (the site's, and the talk's thread with `thread=`) are current and
`until` (a datetime) has not passed. Only what a template puts between the
tags is shared, and a fragment that used the visitor's CSRF token is never
stored. Whether a part is the same for every visitor is the template's (and
its view's) to ensure: discussion.views renders the thread of a fragment as
the public sees it.
"""

import functools
import hashlib
import logging
from dataclasses import dataclass

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.safestring import mark_safe

from ..versions import SITE_VERSION, Versioned, page_cache, store_versioned, thread_version

logger = logging.getLogger(__name__)
register = template.Library()

FRAGMENT_TIMEOUT = 24 * 60 * 60
# Set by django.middleware.csrf.get_token() whenever a template asks for the token.
CSRF_USED = "CSRF_COOKIE_NEEDS_UPDATE"


@dataclass(frozen=True)
class StoredFragment(Versioned):
    html: str


class PublicFragmentNode(template.Node):
    def __init__(self, nodelist, name, vary_on, options):
        self.nodelist, self.name, self.vary_on, self.options = nodelist, name, vary_on, options

    def render(self, context):
        request = context.get("request")
        fragments = getattr(request, "public_fragments", None)
        if settings.DEBUG or fragments is None:
            return self.nodelist.render(context)
        versions = [SITE_VERSION]
        thread = self.resolve_option("thread", context)
        if thread:
            versions.append(thread_version(thread))
        if not set(versions) <= fragments.tokens.keys():
            return self.nodelist.render(context)
        tokens = tuple(fragments.tokens[version] for version in versions)
        key = self.key(context, fragments.address)
        stored = self.stored(key)
        if isinstance(stored, StoredFragment) and stored.is_current(
            tokens, timezone.now().timestamp()
        ):
            return mark_safe(stored.html)  # noqa: S308 # nosec B308, B703 # stored by this tag
        html, used_csrf_token = self.render_watching_csrf(context, request)
        if not used_csrf_token:
            # Only now: finding when the part changes may take a query (a count).
            until = self.resolve_option("until", context)
            valid_until = until.timestamp() if until else None
            fragment = functools.partial(StoredFragment, valid_until=valid_until, html=html)
            store_versioned(key, versions, tokens, fragment, FRAGMENT_TIMEOUT)
        return html

    def resolve_option(self, name, context):
        option = self.options.get(name)
        return option.resolve(context) if option is not None else None

    def key(self, context, address: str) -> str:
        name = self.name.resolve(context)
        varies = [str(value.resolve(context)) for value in self.vary_on]
        digest = hashlib.sha256("\n".join([address, *varies]).encode()).hexdigest()
        return f"pages:fragment:{settings.RELEASE}:{name}:{digest}"

    def render_watching_csrf(self, context, request) -> tuple[str, bool]:
        """The rendered part, and whether it asked for the visitor's CSRF token."""
        before = request.META.get(CSRF_USED, False)
        request.META[CSRF_USED] = False
        html = self.nodelist.render(context)
        used = request.META.get(CSRF_USED, False)
        request.META[CSRF_USED] = before or used
        return html, used

    def stored(self, key):
        try:
            return page_cache().get(key)
        except Exception:
            logger.exception("Page cache unavailable; rendering the fragment")
            return None


@register.tag
def public_fragment(parser, token):
    bits = token.split_contents()[1:]
    if not bits:
        raise template.TemplateSyntaxError("public_fragment needs a name")
    nodelist = parser.parse(("end_public_fragment",))
    parser.delete_first_token()
    name, *rest = bits
    vary_on = [parser.compile_filter(bit) for bit in rest if "=" not in bit]
    options = {
        key: parser.compile_filter(value)
        for key, value in (bit.split("=", 1) for bit in rest if "=" in bit)
    }
    unknown = set(options) - {"until", "thread"}
    if unknown:
        raise template.TemplateSyntaxError(f"public_fragment: unknown option {sorted(unknown)}")
    return PublicFragmentNode(nodelist, parser.compile_filter(name), vary_on, options)
