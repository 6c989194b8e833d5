"""QuerySets: what the public may see, and the exact queries each page runs."""

from django.db import models
from django.db.models import BooleanField, Case, Count, F, Prefetch, Q, Value, When
from django.utils import timezone


class TalkQuerySet(models.QuerySet):
    def public(self):
        return self.filter(status__in=self.model.PUBLIC_STATUSES)

    def upcoming(self):
        return self.filter(start__gte=timezone.now()).order_by("start")

    def past(self):
        return self.filter(start__lt=timezone.now()).order_by("-start")

    def upcoming_first(self):
        """Upcoming talks soonest first, then past talks most recent first.

        One ordering, so a single paginated list can hold both.
        """
        now = timezone.now()
        return self.annotate(
            is_past=Case(
                When(start__lt=now, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        ).order_by(
            "is_past",
            Case(When(start__gte=now, then=F("start"))).asc(),
            F("start").desc(),
            "id",
        )

    def for_list_page(self):
        """Everything a talk card shows, in a constant number of queries."""
        from .models import Speaker, Tag

        return self.select_related("series").prefetch_related(
            Prefetch("speakers", queryset=Speaker.objects.order_by("name")),
            Prefetch("tags", queryset=Tag.objects.order_by("name")),
        )


class TagQuerySet(models.QuerySet):
    def with_public_talk_counts(self):
        from .models import Talk

        return self.annotate(
            talk_count=Count("talks", filter=Q(talks__status__in=Talk.PUBLIC_STATUSES))
        )


class CommentQuerySet(models.QuerySet):
    def for_thread(self):
        return self.select_related("author").order_by("created", "id")
