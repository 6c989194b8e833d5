"""`{% public_fragment %}`: a part of a signed-in visitor's page that everyone may share.

Signed-in pages are rendered per request (pagecache.pages); their costly public
parts (a page of talk cards, the tag cloud) are kept in the page cache as
fragments, under the version tokens of the data they show:

    {% public_fragment "talk-cards" zone until=changes_at thread=talk.slug %}
      ... nothing but what every visitor may see ...
    {% end_public_fragment %}

Fragments serve signed-in visitors only. A fragment is keyed by its name, the
page's address and the values after the name (the visitor's time zone, where
times show), and counts while the site's
tokens (and the talk's thread, with `thread=`) are current and `until` (a
datetime) has not passed. Only what a template puts between the tags is shared;
a fragment that holds a CSRF token is never stored.
"""

import hashlib
import logging

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.safestring import mark_safe

from ..versions import (
    SITE_VERSION,
    claim_missing_versions,
    page_cache,
    read_versions_and,
    thread_version,
)

logger = logging.getLogger(__name__)
register = template.Library()

FRAGMENT_TIMEOUT = 24 * 60 * 60
CSRF_FIELD = b"csrfmiddlewaretoken"


class PublicFragmentNode(template.Node):
    def __init__(self, nodelist, name, vary_on, options):
        self.nodelist, self.name, self.vary_on, self.options = nodelist, name, vary_on, options

    def render(self, context):
        request = context.get("request")
        # Anonymous visitors' pages are stored whole (pagecache.pages), under
        # tokens read before the page: a fragment claiming one first would keep
        # the page from being stored.
        if settings.DEBUG or request is None or not request.user.is_authenticated:
            return self.nodelist.render(context)
        options = {key: value.resolve(context) for key, value in self.options.items()}
        versions = [SITE_VERSION]
        if options.get("thread"):
            versions.append(thread_version(options["thread"]))
        key = self.key(context, request)
        tokens, stored = read_versions_and(versions, key)
        now = timezone.now().timestamp()
        if stored is not None and stored[0] == tokens and (stored[1] is None or now < stored[1]):
            return mark_safe(stored[2])  # noqa: S308  # nosec B308, B703 # this tag stored it from a rendered template
        html = self.nodelist.render(context)
        if CSRF_FIELD not in html.encode():
            self.store(key, versions, tokens, options.get("until"), html)
        return html

    def key(self, context, request) -> str:
        name = self.name.resolve(context)
        varies = [str(value.resolve(context)) for value in self.vary_on]
        address = "\n".join([request.get_full_path(), *varies]).encode()
        return f"pages:fragment:{settings.RELEASE}:{name}:{hashlib.sha256(address).hexdigest()}"

    def store(self, key, versions, tokens, until, html) -> None:
        if None in tokens:
            tokens = claim_missing_versions(versions, tokens)
        if tokens is None:
            return
        valid_until = until.timestamp() if until else None
        try:
            page_cache().set(key, (tokens, valid_until, html), FRAGMENT_TIMEOUT)
        except Exception:
            logger.exception("Page cache unavailable; fragment not stored")


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
