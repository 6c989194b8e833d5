from django import template

from seminars.personal import render_part

register = template.Library()


@register.simple_tag(takes_context=True)
def personal(context, name, *args):
    """A part of the page that is the visitor's own (seminars.personal): `name` and
    its arguments, which become strings (a tag's slug, say)."""
    return render_part(context["request"], name, *map(str, args))
