"""Absolute links, calendar links and structured data for page heads and talk pages."""

from django import template
from django.urls import reverse

from syndication import sharing

register = template.Library()


@register.simple_tag(takes_context=True)
def absolute_url(context, path):
    return context["request"].build_absolute_uri(path)


@register.simple_tag(takes_context=True)
def webcal_url(context, url_name, *args):
    """`{% webcal_url "syndication:tag-calendar" tag.slug %}`: a calendar subscription link."""
    return sharing.webcal_url(context["request"].build_absolute_uri(reverse(url_name, args=args)))


@register.filter
def webcal(absolute_url):
    """`{{ address|webcal }}`: an https calendar address as a webcal:// subscription link."""
    return sharing.webcal_url(absolute_url)


@register.filter
def google_subscribe(absolute_url):
    """`{{ address|google_subscribe }}`: Google Calendar's page that subscribes to it."""
    return sharing.google_subscribe_url(absolute_url)


@register.simple_tag(takes_context=True)
def google_calendar_url(context, talk):
    talk_url = context["request"].build_absolute_uri(talk.get_absolute_url())
    return sharing.google_calendar_url(talk, talk_url)


@register.simple_tag(takes_context=True)
def talk_json_ld(context, talk):
    return sharing.json_ld_script(sharing.talk_event_data(talk, context["request"]))


@register.filter
def headline(talk):
    """The talk's title, saying "Cancelled" where a page's banner is not shown."""
    return talk.headline
