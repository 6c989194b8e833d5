"""The main navigation's "you are here" marker."""

from django import template
from django.utils.html import format_html

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
