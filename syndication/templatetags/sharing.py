"""Absolute links, calendar links and structured data for page heads and talk pages."""

from django import template
from django.urls import reverse

from syndication import embeds, share_cards, sharing

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
    image_url = share_card_url(context, talk)
    return sharing.json_ld_script(sharing.talk_event_data(talk, context["request"], image_url))


@register.simple_tag(takes_context=True)
def share_card_url(context, talk):
    """The talk's share card (og:image), as an absolute URL."""
    return context["request"].build_absolute_uri(share_cards.share_card_path(talk))


@register.filter
def headline(talk):
    """The talk's title, saying "Cancelled" where a page's banner is not shown."""
    return talk.headline


@register.inclusion_tag("includes/embed_snippet.html", takes_context=True)
def embed_this_list(context, url_name, slug, title):
    """ "Embed this list": the <iframe> code for a group's list of talks, and a preview."""
    embed_url = context["request"].build_absolute_uri(reverse(url_name, args=[slug]))
    return {
        "embed_url": embed_url,
        "snippet": embeds.embed_snippet(embed_url, title),
        "title": title,
    }
