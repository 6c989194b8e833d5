"""Atom feeds: newly announced talks (all, by tag, by series) and a talk's comments.

Each feed holds the latest FEED_LENGTH entries, so it stays small however
long the portal runs. Drafts, held and removed comments never appear.
"""

import re

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from seminars.models import Series, Tag, Talk
from seminars.plaintext import title_as_text

FEED_LENGTH = 50
# Characters XML 1.0 cannot hold at all. People do type them (a pasted terminal
# colour code, say), and Django's XML writer raises on them, failing the whole feed.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(value):
    """`value` without the characters XML cannot hold, for strings and lists of them."""
    if isinstance(value, str):
        return NOT_XML.sub("", value)
    if isinstance(value, list | tuple):
        return type(value)(xml_safe(item) for item in value)
    return value


class XMLSafeAtomFeed(Atom1Feed):
    """An Atom feed that drops characters XML cannot hold instead of failing on them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.feed = {key: xml_safe(value) for key, value in self.feed.items()}

    def add_item(self, *args, **kwargs):
        super().add_item(*args, **kwargs)
        self.items[-1] = {key: xml_safe(value) for key, value in self.items[-1].items()}


class ETagFeed(Feed):
    """A feed whose 304 answers rest on its ETag alone (ConditionalGetMiddleware's).

    Django dates a feed (Last-Modified) by its newest entry. When an entry
    leaves it (a talk unpublished, a comment removed), the feed changes but
    that date may stay or go back, and If-Modified-Since would wrongly answer
    "not modified". The ETag, a digest of the feed itself, is always right.
    """

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        response.headers.pop("Last-Modified", None)
        return response


def site_title(name: str) -> str:
    """A feed's title as the pages' titles read: "Machine learning · Seminar portal"."""
    return f"{name} · {settings.SITE_NAME}"


class TalkFeed(ETagFeed):
    """Every public talk, most recently announced first."""

    feed_type = XMLSafeAtomFeed
    description_template = "feeds/talk_description.html"
    author_name = settings.SITE_NAME

    def title(self):
        return site_title(_("New talks"))

    def subtitle(self):
        return "Talks as they are announced."

    def link(self):
        return reverse("seminars:talk-list")

    def items(self, obj):
        talks = self.select_talks(Talk.objects.public(), obj)
        return talks.for_talk_page().order_by("-created", "-id")[:FEED_LENGTH]

    def select_talks(self, talks, obj):
        return talks

    def item_title(self, talk):
        # Atom titles are plain text (formulas as Unicode; summaries keep their MathML):
        # the XML writer escapes them, so no escape() here.
        return title_as_text(talk.headline)

    def item_pubdate(self, talk):
        return talk.created

    def item_updateddate(self, talk):
        return talk.updated

    def item_author_name(self, talk):
        # None lets the entry fall back to the feed's author.
        return ", ".join(speaker.name for speaker in talk.speakers.all()) or None

    def item_categories(self, talk):
        return [tag.name for tag in talk.tags.all()]


class TagTalkFeed(TalkFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Tag.objects.public(), slug=slug)

    def title(self, tag):
        return site_title(tag.name)

    def subtitle(self, tag):
        return f"New talks tagged {tag.name}."

    def link(self, tag):
        return tag.get_absolute_url()

    def select_talks(self, talks, tag):
        return talks.filter(tags=tag)


class SeriesTalkFeed(TalkFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Series, slug=slug)

    def title(self, series):
        return site_title(series.name)

    def subtitle(self, series):
        return f"New talks in {series.name}."

    def link(self, series):
        return series.get_absolute_url()

    def select_talks(self, talks, series):
        return talks.filter(series=series)


class CommentFeed(ETagFeed):
    """A public talk's published comments and replies, newest first (never held or removed)."""

    feed_type = XMLSafeAtomFeed
    description_template = "feeds/comment_description.html"
    author_name = settings.SITE_NAME

    def get_object(self, request, slug):
        return get_object_or_404(Talk.objects.public(), slug=slug)

    def title(self, talk):
        return site_title(_("Comments on %(title)s") % {"title": title_as_text(talk.title)})

    def link(self, talk):
        return f"{talk.get_absolute_url()}#comments"

    def items(self, talk):
        # The related manager hands each comment this talk, so links cost no query.
        comments = talk.comments.public().select_related("author")
        return comments.order_by("-created", "-id")[:FEED_LENGTH]

    def item_title(self, comment):
        return f"{comment.author_name} on {title_as_text(comment.talk.title)}"

    def item_pubdate(self, comment):
        return comment.created

    def item_updateddate(self, comment):
        return comment.edited or comment.created

    def item_author_name(self, comment):
        # The public name only: an email address is never shown.
        return comment.author_name
