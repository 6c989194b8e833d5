"""Tags, speakers and series: each groups talks, with a page and a calendar of them.

One description of each, so that their pages (seminars.views) and calendars
(syndication.calendars) are one view each rather than three copies.
"""

from dataclasses import dataclass

from django.conf import settings

from .models import Series, Speaker, Tag


@dataclass(frozen=True)
class TalkGroup:
    # The URL's and the template's word for the group: "tag", "speaker", "series".
    kind: str
    # The Talk field that holds the group.
    lookup: str

    def public(self):
        """The groups the public may see: tags and speakers of public talks, every series."""
        model = {"tag": Tag, "speaker": Speaker, "series": Series}[self.kind]
        return model.objects.all() if model is Series else model.objects.public()

    def for_page(self):
        """The public groups, with what the group's own page shows besides its talks."""
        return Series.objects.for_series_page() if self.kind == "series" else self.public()

    def calendar_name(self, group) -> str:
        if self.kind == "series":
            return group.name
        if self.kind == "speaker":
            return f"{settings.SITE_NAME}: talks by {group.name}"
        return f"{settings.SITE_NAME}: {group.name}"


GROUPS = {
    "tag": TalkGroup("tag", "tags"),
    "speaker": TalkGroup("speaker", "speakers"),
    "series": TalkGroup("series", "series"),
}
