"""QuerySets: what the public may see, and the exact queries each page runs."""

from functools import cached_property

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    Min,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    When,
    prefetch_related_objects,
)
from django.utils import timezone


class SeriesQuerySet(models.QuerySet):
    def for_series_page(self):
        """A series with its organisers, whose public names its page lists (one query more)."""
        organisers = apps.get_model(settings.AUTH_USER_MODEL).objects.order_by("display_name", "pk")
        return self.prefetch_related(Prefetch("organisers", queryset=organisers))


class TalkQuerySet(models.QuerySet):
    def public(self):
        return self.filter(status__in=self.model.PUBLIC_STATUSES)

    def upcoming(self, now=None):
        """Talks not over at `now`: to come, and live (started, not ended), soonest first."""
        now = now or timezone.now()
        # The start bound changes no result: it lets the (start, id) index be read
        # from the first talk not over instead of from the archive's first talk.
        first = self.model._base_manager.filter(end__gt=now).order_by("start").values("start")
        return self.filter(end__gt=now, start__gte=Subquery(first[:1])).order_by("start")

    def past(self, now=None):
        """Talks over at `now`, most recent first (start < now follows from the end; it
        is written for the index on start)."""
        now = now or timezone.now()
        return self.filter(start__lt=now, end__lte=now).order_by("-start")

    def for_talk_page(self):
        """A talk in full, with its series, speakers and tags, in a constant number of
        queries: for its page, and wherever a talk is shown whole (calendar events,
        feed entries, exports, emails)."""
        return self.select_related("series").prefetch_related(*talk_card_prefetches())

    def with_series_neighbours(self):
        """Each talk with the slug and title of the public talks before and after it in its
        series (`previous_slug`, `previous_title`, `next_slug`, `next_title`; None at
        either end), in the same query: four subqueries along the (series, status, start)
        index. Order is by start, then id, as lists of talks are."""
        public = self.model.objects.public().filter(series=OuterRef("series"))
        start, pk = OuterRef("start"), OuterRef("pk")
        before = Q(start__lt=start) | Q(start=start, pk__lt=pk)
        after = Q(start__gt=start) | Q(start=start, pk__gt=pk)
        previous = public.filter(before).order_by("-start", "-pk")
        following = public.filter(after).order_by("start", "pk")
        return self.annotate(
            previous_slug=Subquery(previous.values("slug")[:1]),
            previous_title=Subquery(previous.values("title")[:1]),
            next_slug=Subquery(following.values("slug")[:1]),
            next_title=Subquery(following.values("title")[:1]),
        )

    def for_cards(self):
        """What a talk card shows (lists, the API's lists): without the abstract, which
        cards do not show, so the rows a list reads stay small however long the
        abstracts; speakers and tags in one query each."""
        return (
            self.select_related("series")
            .defer("abstract", "abstract_html", "search_names")
            .prefetch_related(*talk_card_prefetches())
        )


def speakers_in_order():
    """Talks' speakers in the order they were given: one query for any number of talks.
    The order joins the link table the prefetch reads anyway."""
    from .models import Speaker

    speakers = Speaker.objects.order_by("talk_links__position", "talk_links__id")
    return Prefetch("speakers", queryset=speakers)


def talk_card_prefetches():
    """A talk card's speakers (in the talk's order) and tags (by name): one query each for
    any number of talks."""
    from .models import Tag

    return [speakers_in_order(), Prefetch("tags", queryset=Tag.objects.order_by("name"))]


class UpcomingThenPast:
    """Talks upcoming first (soonest first), then past ones (most recent first), for a
    Paginator (pages) or a slice (the API) to read: the one "upcoming first" order.

    Sorting every talk on each page read would grow with the archive. Here a page
    is read from the upcoming talks in start order and the past ones in reverse,
    each a range of the start index: a count, one query or two (on the page where
    the upcoming talks end), and the cards' speakers and tags. Each talk gets
    `is_past`.
    The count also says when the list next changes (`changes_at()`: a talk starts
    and shows as live, or a live one ends and becomes past), for the page cache.
    """

    def __init__(self, talks):
        self.talks = talks
        self.now = timezone.now()

    # Built when a page is read: one whose cards come from a public fragment is not.
    @cached_property
    def cards(self):
        # The speakers and tags of both parts are read together (read()).
        return self.talks.for_cards().prefetch_related(None)

    @cached_property
    def upcoming(self):
        # Read along the start index from the first talk not over (read() reads this
        # only when there is one).
        first = self.counts["first_start"]
        return self.cards.filter(start__gte=first, end__gt=self.now).order_by("start", "id")

    @cached_property
    def past(self):
        return self.cards.filter(start__lt=self.now, end__lte=self.now).order_by("-start", "-id")

    @cached_property
    def counts(self) -> dict:
        not_over = Q(end__gt=self.now)
        return self.talks.aggregate(
            total=Count("pk"),
            upcoming=Count("pk", filter=not_over),
            first_start=Min("start", filter=not_over),
            changes_at=Min(next_change_of_a_talk(self.now), filter=not_over),
        )

    def changes_at(self):
        """When the list next changes by itself: a talk starts (it is live) or ends (past)."""
        return self.counts["changes_at"]

    def __len__(self):
        return self.counts["total"]

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.step is not None:
            raise TypeError("UpcomingThenPast takes slices without a step")
        start, stop = index.start or 0, len(self) if index.stop is None else index.stop
        return LazyRows(self, start, min(stop, len(self)))

    def read(self, start, stop) -> list:
        upcoming = self.counts["upcoming"]
        talks = list(rows(self.upcoming, start, stop)) if start < upcoming else []
        if stop > upcoming:
            talks += rows(self.past, max(start - upcoming, 0), stop - upcoming)
        for talk in talks:
            talk.is_past = talk.end <= self.now
        prefetch_related_objects(talks, *talk_card_prefetches())
        return talks


class LazyRows:
    """A slice of UpcomingThenPast, read when first used: a page whose cards come from a
    public fragment (pagecache) reads no talks, as a sliced QuerySet would not."""

    def __init__(self, talks: UpcomingThenPast, start: int, stop: int):
        self.talks, self.start, self.stop = talks, start, stop

    @cached_property
    def rows(self) -> list:
        return self.talks.read(self.start, self.stop)

    def __len__(self):
        return max(self.stop - self.start, 0)

    def __getitem__(self, index):
        return self.rows[index]

    def __iter__(self):
        return iter(self.rows)


def rows(queryset, start, stop):
    """queryset[start:stop], its offset walked in the index alone: a deep page does not
    read the rows it skips, only the ids (a "deferred join")."""
    return queryset.filter(pk__in=queryset.values("pk")[start:stop])


def used_by_public_talks(through, **link_to_row):
    """An Exists filter: at least one published or cancelled talk uses this row.

    What only drafts use is not public: its page 404s and lists, the API and the
    sitemap leave it out. Exists rather than a join: no duplicates, no extra query.
    """
    from .models import Talk

    return Exists(through.objects.filter(talk__status__in=Talk.PUBLIC_STATUSES, **link_to_row))


class SpeakerQuerySet(models.QuerySet):
    def public(self):
        from .models import Talk

        return self.filter(used_by_public_talks(Talk.speakers.through, speaker=OuterRef("pk")))


class TagQuerySet(models.QuerySet):
    def public(self):
        from .models import Talk

        return self.filter(used_by_public_talks(Talk.tags.through, tag=OuterRef("pk")))

    def with_public_talk_counts(self):
        from .models import Talk

        return self.annotate(
            talk_count=Count("talks", filter=Q(talks__status__in=Talk.PUBLIC_STATUSES))
        )


class CommentQuerySet(models.QuerySet):
    def public(self):
        """What feeds, the API, counts and search may show: published and not removed."""
        return self.filter(status=self.model.Status.PUBLISHED, removed=False)

    def visible_to(self, user):
        """The comments a thread shows `user` (removed ones appear as a notice).

        Everyone sees published comments; authors also see their own held ones;
        a series' organisers and superusers see every comment.
        """
        if user.is_superuser:
            return self
        visible = Q(status=self.model.Status.PUBLISHED)
        if user.is_authenticated:
            visible |= Q(author=user)
        if user.is_staff:
            # A subquery, not a join: a join on organisers would repeat each comment.
            visible |= Q(talk__series__in=user.organised_series.all())
        return self.filter(visible)

    def for_thread(self):
        return self.select_related("author").order_by("created", "id")

    def thread_for(self, user):
        """Top-level comments `user` may see, each with its visible replies in `thread_replies`.

        Two queries however many comments and replies: the comments, then their replies.
        """
        replies = self.model.objects.visible_to(user).for_thread()
        return (
            self.filter(parent=None)
            .visible_to(user)
            .for_thread()
            .prefetch_related(Prefetch("replies", queryset=replies, to_attr="thread_replies"))
        )


def next_change_of_a_talk(now):
    """For a talk not over at `now`: when it next changes by the clock (its start, when
    it goes live, or else its end, when it becomes past)."""
    return Case(When(start__gt=now, then=F("start")), default=F("end"))


def next_list_change(now):
    """When lists of public talks next change by the clock: a talk goes live or ends.

    One query, along the index on the end: only the talks not over are read.
    """
    talks = apps.get_model("seminars", "Talk").objects.public().filter(end__gt=now)
    return talks.aggregate(at=Min(next_change_of_a_talk(now)))["at"]
