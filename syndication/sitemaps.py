"""Discovery for search engines: /sitemap.xml and /robots.txt.

The sitemap lists the public pages worth indexing: every public talk, and
the tags, speakers and series that have public talks.
"""

from django.contrib.sitemaps import Sitemap
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from seminars.models import Series, Speaker, Tag, Talk


class ListPageSitemap(Sitemap):
    def items(self):
        return ["seminars:home", "seminars:talk-list", "seminars:tag-list", "seminars:series-list"]

    def location(self, name):
        return reverse(name)


class TalkSitemap(Sitemap):
    def items(self):
        return Talk.objects.public().order_by("start", "id")

    def lastmod(self, talk):
        return talk.updated


class TagSitemap(Sitemap):
    def items(self):
        return Tag.objects.public().order_by("id")

    def lastmod(self, tag):
        return tag.updated


class SpeakerSitemap(Sitemap):
    def items(self):
        return Speaker.objects.public().order_by("id")

    def lastmod(self, speaker):
        return speaker.updated


class SeriesSitemap(Sitemap):
    def items(self):
        public_series = Series.objects.filter(talks__status__in=Talk.PUBLIC_STATUSES)
        return public_series.distinct().order_by("id")

    def lastmod(self, series):
        return series.updated


SITEMAPS = {
    "pages": ListPageSitemap,
    "talks": TalkSitemap,
    "tags": TagSitemap,
    "speakers": SpeakerSitemap,
    "series": SeriesSitemap,
}


@require_GET
def robots_txt(request):
    sitemap_url = request.build_absolute_uri(reverse("syndication:sitemap"))
    return render(request, "robots.txt", {"sitemap_url": sitemap_url}, content_type="text/plain")
