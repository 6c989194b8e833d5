"""The main navigation's "you are here" marker, and the links every page shows."""

import functools

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html
from django.utils.translation import get_language

register = template.Library()

# Each main-navigation item: the pages (URL name, ?when= value or None for any)
# it leads to, and the pages that belong to its section.
NAV_ITEMS = {
    "home": {"page": [("home", None)], "section": []},
    "upcoming": {"page": [("talk-list", "upcoming")], "section": []},
    "past": {"page": [("talk-list", "past")], "section": [("talk-archive", None)]},
    "tags": {"page": [("tag-list", None)], "section": [("tag-detail", None)]},
    "series": {"page": [("series-list", None)], "section": [("series-detail", None)]},
}


@register.simple_tag(takes_context=True)
def nav_current(context, item):
    """` aria-current="page"` on the item's own page, `="true"` elsewhere in its section.

    Error pages render without a request (500) or without a resolved URL (404):
    nothing is current there.
    """
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if match is None or match.namespace != "seminars":
        return ""
    when = request.GET.get("when")
    for kind, value in (("page", "page"), ("section", "true")):
        pages = NAV_ITEMS[item][kind]
        if any(match.url_name == name and wanted in (None, when) for name, wanted in pages):
            return format_html(' aria-current="{}"', value)
    return ""


# What `{% site_link %}` takes, and the URL name it stands for: the links of every
# page's header, footer and account menu.
SITE_LINKS = {
    "home": "seminars:home",
    "talks": "seminars:talk-list",
    "tags": "seminars:tag-list",
    "series": "seminars:series-list",
    "search": "seminars:search",
    "feed": "syndication:feed",
    "login": "account_login",
    "signup": "account_signup",
    "logout": "account_logout",
    "profile": "accounts:profile",
    "preferences": "accounts:preferences",
    "my-talks": "accounts:my-talks",
    "calendars": "accounts:calendars",
}


@register.simple_tag
def site_link(key: str) -> str:
    """`{% site_link "talks" %}`: the address of SITE_LINKS["talks"], reversed once.

    Reversing a URL name costs about 60 µs (Django looks up the active language
    and script prefix many times over); base.html shows a dozen on every page
    rendered, which was half its rendering time for a signed-in visitor. An
    address depends only on the URLconf, the script prefix and the language,
    which key the memo.
    """
    urlconf = get_urlconf(settings.ROOT_URLCONF)
    return reversed_link(SITE_LINKS[key], urlconf, get_script_prefix(), get_language())


@functools.lru_cache(maxsize=256)
def reversed_link(name: str, urlconf: str, prefix: str, language: str) -> str:
    # prefix and language key the memo; reverse() reads them itself.
    return reverse(name, urlconf=urlconf)
