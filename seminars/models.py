"""Series, speakers, tags, talks and their comments.

Model and field names are a contract: outside tools script against them.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pagecache.versions import site_changed

from .macros import read_macros, validate_latex_macros
from .queries import CommentQuerySet, SeriesQuerySet, SpeakerQuerySet, TagQuerySet, TalkQuerySet
from .rendering import RENDERER_VERSION, contains_math, render_abstract, render_comment
from .validators import validate_timezone


def render_into(instance, source, target, render, update_fields):
    """Store render(source text) in the target field whenever the source is saved, and
    the renderer's version in `<target>_version` (seminars.rendering.RENDERER_VERSION).

    Returns the update_fields for the save: the target and its version are added
    when only some fields are saved and the source is one of them.
    """
    if update_fields is not None and source not in update_fields:
        return update_fields
    setattr(instance, target, render(getattr(instance, source)))
    setattr(instance, f"{target}_version", RENDERER_VERSION)
    return None if update_fields is None else {*update_fields, target, f"{target}_version"}


class TimestampedModel(models.Model):
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Series(TimestampedModel):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True, help_text="Markdown; LaTeX between $…$ or $$…$$.")
    # Rendered when saved, like a talk's abstract (`manage.py rerender` updates old rows).
    description_html = models.TextField(blank=True, editable=False)
    description_html_version = models.PositiveSmallIntegerField(default=0, editable=False)
    homepage = models.URLField(blank=True, help_text="The series' own web page, if it has one.")
    contact_email = models.EmailField(
        blank=True, help_text="Where the audience can write to the organisers."
    )
    show_contact_email = models.BooleanField(
        "show the contact email on the series' page",
        default=False,
        help_text="Left off, the address is kept for the portal's administrators only.",
    )
    timezone = models.CharField(
        max_length=64,
        default="Europe/London",
        validators=[validate_timezone],
        help_text="IANA time zone the talks are given in, e.g. Europe/London.",
    )
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="organised_series"
    )

    class Moderation(models.TextChoices):
        NONE = "none", "Publish comments at once"
        FIRST_TIME = "first_time", "Hold comments from first-time commenters"
        ALL = "all", "Hold every comment for approval"

    comment_moderation = models.CharField(
        max_length=12, choices=Moderation.choices, default=Moderation.NONE
    )
    max_links = models.PositiveSmallIntegerField(
        "most links in a comment",
        default=2,
        help_text="Comments with more links than this are held for approval.",
    )
    blocked_words = models.TextField(
        blank=True,
        help_text="One word or phrase a line; comments containing one are held for approval.",
    )
    latex_macros = models.TextField(
        "LaTeX macros",
        blank=True,
        validators=[validate_latex_macros],
        help_text=(
            "One a line, e.g. \\R = \\mathbb{R} or \\abs = \\left|#1\\right|. They apply "
            "to this series' abstracts and comments (\\R \\N \\Z \\Q \\C \\E \\P are "
            "predefined everywhere)."
        ),
    )

    # Defaults: a new talk of the series starts from them (the admin's add form,
    # generated talks). The weekday and time are wall-clock, in the series' zone.
    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    default_weekday = models.PositiveSmallIntegerField(
        _("usual weekday"), choices=Weekday.choices, null=True, blank=True
    )
    default_start_time = models.TimeField(
        _("usual start time"), null=True, blank=True, help_text=_("In the series' time zone.")
    )
    default_duration = models.DurationField(
        _("usual length"),
        default=datetime.timedelta(hours=1),
        help_text=_("Hours and minutes, e.g. 1:30:00."),
    )
    default_venue = models.CharField(_("usual venue"), max_length=300, blank=True)
    default_online_url = models.URLField(_("usual online link"), blank=True)
    default_tags = models.ManyToManyField(
        "Tag", blank=True, related_name="+", verbose_name=_("usual tags")
    )

    objects = SeriesQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "series"

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        kwargs["update_fields"] = render_into(
            self, "description", "description_html", render_abstract, kwargs.get("update_fields")
        )
        macros_changed = self.macros_changed(kwargs.get("update_fields"))
        super().save(*args, **kwargs)
        if macros_changed:
            self.outdate_rendered_math()

    def get_absolute_url(self):
        return reverse("seminars:series-detail", args=[self.slug])

    def clean(self):
        if self.default_duration is not None and not (
            datetime.timedelta(0) < self.default_duration <= datetime.timedelta(hours=24)
        ):
            raise ValidationError(
                {"default_duration": _("A talk lasts more than no time and at most a day.")}
            )

    @property
    def macros(self) -> dict[str, str]:
        return read_macros(self.latex_macros)

    def macros_changed(self, update_fields) -> bool:
        """Whether this save changes the macros (one query, for an existing series)."""
        if self._state.adding or "latex_macros" not in (update_fields or ["latex_macros"]):
            return False
        stored = type(self)._base_manager.filter(pk=self.pk).values_list("latex_macros", flat=True)
        return stored.first() != self.latex_macros

    def outdate_rendered_math(self):
        """Mark the series' abstracts and comments for rendering with the new macros.

        Two UPDATEs, however large the series; the task worker renders them again
        in batches (seminars.tasks), so the admin's save stays quick. `manage.py
        rerender` does the same if the worker is not running.
        """
        from .tasks import rerender_out_of_date  # tasks imports the models

        Talk.objects.filter(series=self).update(abstract_html_version=0)
        Comment.objects.filter(talk__series=self).update(body_html_version=0)
        rerender_out_of_date.enqueue()

    @property
    def description_shows_math(self) -> bool:
        """Whether the series' page needs the math stylesheet for its description."""
        return contains_math(self.description_html)

    @property
    def public_contact_email(self) -> str:
        """The contact address the public may see: empty unless the organisers chose to show it."""
        return self.contact_email if self.show_contact_email else ""


class Speaker(TimestampedModel):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    affiliation = models.CharField(max_length=200, blank=True)
    homepage = models.URLField(blank=True)

    objects = SpeakerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("seminars:speaker-detail", args=[self.slug])


class Tag(TimestampedModel):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    objects = TagQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            # "Fluids" and "fluids" are the same tag.
            models.UniqueConstraint(
                Lower("name"),
                name="tag_name_unique_ci",
                violation_error_message="A tag with this name already exists.",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("seminars:tag-detail", args=[self.slug])


class Talk(TimestampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        CANCELLED = "cancelled", "Cancelled"

    class Attendance(models.TextChoices):
        """How one attends, from the venue and the online link (no field of its own)."""

        IN_PERSON = "in-person", _("In person")
        ONLINE = "online", _("Online")
        HYBRID = "hybrid", _("Hybrid")

    # What the public may see; drafts stay in the admin.
    PUBLIC_STATUSES = (Status.PUBLISHED, Status.CANCELLED)
    # What a calendar event shows (attribute names): editing one raises `sequence`.
    CALENDAR_FIELDS = ("title", "start", "end", "venue", "online_url", "status", "series_id")

    series = models.ForeignKey(Series, on_delete=models.PROTECT, related_name="talks")
    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True)
    # In the order the organiser (or the imported file) gave them: TalkSpeaker.position.
    speakers = models.ManyToManyField(
        Speaker, blank=True, related_name="talks", through="TalkSpeaker"
    )
    abstract = models.TextField(blank=True, help_text="Markdown; LaTeX between $…$ or $$…$$.")
    # The abstract rendered to sanitized HTML when it is saved, so pages do no rendering.
    abstract_html = models.TextField(blank=True, editable=False)
    # The renderer that made abstract_html (`manage.py rerender` updates old rows).
    abstract_html_version = models.PositiveSmallIntegerField(default=0, editable=False)
    start = models.DateTimeField(help_text="In the time zone shown; stored in UTC.")
    end = models.DateTimeField()
    venue = models.CharField(max_length=300, blank=True)
    online_url = models.URLField("online link", blank=True)
    recording_url = models.URLField("recording", blank=True)
    slides_url = models.URLField("slides", blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="talks")
    # Speaker and tag names copied onto the talk so search reads one row per talk;
    # seminars.search keeps it in step (see its docstring).
    search_names = models.TextField(blank=True, editable=False)
    # The UID of the calendar event a talk was imported from, so re-imports update it.
    import_uid = models.CharField(max_length=255, blank=True, db_index=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # iCalendar SEQUENCE: goes up each time an edit changes what a calendar shows.
    sequence = models.PositiveIntegerField(default=0, editable=False)

    objects = TalkQuerySet.as_manager()

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="talk_ends_after_start"
            ),
        ]
        indexes = [
            # Public listings: filter on status, order by start (home, /talks/, tag pages).
            models.Index(fields=["status", "start"], name="talk_status_start_idx"),
            # Pages of public talks read in (start, id) order, either way, without a sort:
            # an IN on status cannot use the index above for ordering. (PUBLIC_STATUSES:
            # a Meta class cannot see its model's attributes.)
            models.Index(
                fields=["start", "id"],
                condition=Q(status__in=["published", "cancelled"]),
                name="talk_public_start_idx",
            ),
            # Series pages list a series' public talks by start.
            models.Index(fields=["series", "status", "start"], name="talk_series_status_start_idx"),
            # Talks not over yet (upcoming and live): when lists next change, and where
            # the upcoming talks begin in the start index (TalkQuerySet.upcoming).
            models.Index(fields=["end"], name="talk_end_idx"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        kwargs["update_fields"] = render_into(
            self, "abstract", "abstract_html", self.abstract_to_html, kwargs.get("update_fields")
        )
        update_fields = kwargs.get("update_fields")
        if self.bump_sequence_if_calendar_changed(update_fields) and update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "sequence"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("discussion:talk-detail", args=[self.slug])

    def abstract_to_html(self, text: str) -> str:
        return render_abstract(text, self.series_macros(text))

    def series_macros(self, text: str) -> dict[str, str]:
        """The series' macros, when the text could use one: only then is the series read."""
        return self.series.macros if "\\" in text and self.series_id else {}

    def clean(self):
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": "The talk must end after it starts."})

    @property
    def headline(self) -> str:
        """The title for calendars and feeds, which readers show without the page's banner."""
        return f"Cancelled: {self.title}" if self.is_cancelled else self.title

    @property
    def attendance(self) -> "Talk.Attendance | None":
        """In person (a venue), online (a link), hybrid (both); None when neither is known."""
        if self.venue and self.online_url:
            return self.Attendance.HYBRID
        if self.venue:
            return self.Attendance.IN_PERSON
        if self.online_url:
            return self.Attendance.ONLINE
        return None

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def is_live(self) -> bool:
        """Started, not ended and not cancelled: "Live now" on its card and page."""
        return not self.is_cancelled and self.start <= timezone.now() < self.end

    @property
    def join_opens(self):
        """When the talk page's "Join now" button appears (settings.JOIN_WINDOW_MINUTES)."""
        return self.start - datetime.timedelta(minutes=settings.JOIN_WINDOW_MINUTES)

    def changes_after(self, now):
        """When the talk's page next changes by the clock (the join window opens, the
        talk goes live, it ends), or None once it has ended: for the page cache."""
        moments = (self.join_opens, self.start, self.end)
        return next((moment for moment in moments if moment > now), None)

    def bump_sequence_if_calendar_changed(self, update_fields=None) -> bool:
        """Raise SEQUENCE when this save changes what calendar clients show.

        Calendar clients keep their copy of an event unless SEQUENCE goes up.
        The stored row is the reference (one query per save of an existing
        talk), so this holds however the instance was loaded or edited.
        """
        fields = self.CALENDAR_FIELDS
        if update_fields is not None:
            saving = {self._meta.get_field(name).attname for name in update_fields}
            fields = [name for name in fields if name in saving]
        if self._state.adding or not fields:
            return False
        stored = type(self)._base_manager.filter(pk=self.pk).values(*fields, "sequence").first()
        if stored is None or all(getattr(self, name) == stored[name] for name in fields):
            return False
        self.sequence = stored["sequence"] + 1
        return True


class TalkSpeaker(models.Model):
    """A talk's speaker at their place in its list: "Noor Haddad; Ada Okafor" stays so.

    The table is the one Django made for the plain many-to-many relation before
    (migration 0014 took it over with its rows), hence its name.
    """

    talk = models.ForeignKey(Talk, on_delete=models.CASCADE, related_name="speaker_links")
    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="talk_links")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        db_table = "seminars_talk_speakers"
        ordering = ["position", "id"]
        unique_together = [("talk", "speaker")]

    def __str__(self):
        return f"{self.speaker} at {self.position + 1} in {self.talk}"


def set_speakers(talk: Talk, speakers) -> None:
    """Give `talk` these speakers, in this order (a repeated speaker counts once).

    Through the relation's manager, so search and the page cache hear of who
    speaks; the positions are then written in one more query, and a new order
    alone outdates the cached pages too.
    """
    speakers = list(dict.fromkeys(speakers))
    talk.speakers.set(speakers)
    links = {link.speaker_id: link for link in talk.speaker_links.all()}
    moved = []
    for position, speaker in enumerate(speakers):
        link = links[speaker.pk]
        if link.position != position:
            link.position = position
            moved.append(link)
    if moved:
        TalkSpeaker.objects.bulk_update(moved, ["position"])
        site_changed()


class Comment(TimestampedModel):
    class Status(models.TextChoices):
        PUBLISHED = "published", "Published"
        HELD = "held", "Held for approval"

    talk = models.ForeignKey(Talk, on_delete=models.CASCADE, related_name="comments")
    # Null once the author deletes their account: the comment stays, by "deleted user".
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
    )
    # One level of replies: a reply's parent is always a top-level comment.
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replies"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    held_reason = models.CharField(max_length=200, blank=True)
    # The comment form's one-time token: a double-submitted form stores one comment.
    submission_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    body = models.TextField()
    body_html = models.TextField(blank=True, editable=False)
    body_html_version = models.PositiveSmallIntegerField(default=0, editable=False)
    edited = models.DateTimeField(
        null=True, blank=True, help_text="When the author last edited it."
    )
    # The thread says a moderator changed the author's words (superusers only, in the admin).
    moderator_edited = models.DateTimeField(
        null=True, blank=True, help_text="When a moderator last changed its text."
    )
    # Moderation is a soft delete: the text stays in the database.
    removed = models.BooleanField(default=False)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    removal_reason = models.CharField(max_length=300, blank=True)
    # Its author deleted it: kept when the author's account (and so removed_by) is
    # gone, so that nobody can make the comment public again.
    deleted_by_author = models.BooleanField(default=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created", "id"]
        indexes = [
            # A talk's thread, oldest first.
            models.Index(fields=["talk", "created"], name="comment_talk_created_idx"),
        ]

    def __str__(self):
        return f"Comment {self.pk} by {self.author_name} on {self.talk}"

    def save(self, *args, **kwargs):
        kwargs["update_fields"] = render_into(
            self, "body", "body_html", self.body_to_html, kwargs.get("update_fields")
        )
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        # Not the talk page itself: which page of its thread shows the comment
        # changes as comments are added, so this address redirects to it.
        return reverse("discussion:comment", args=[self.pk])

    def body_to_html(self, text: str) -> str:
        return render_comment(text, self.talk.series_macros(text) if self.talk_id else {})

    @property
    def author_name(self) -> str:
        return self.author.public_name if self.author else "deleted user"

    @property
    def removed_by_author(self) -> bool:
        return self.removed and self.deleted_by_author
