"""The portal's user: an email login with a public display name."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from seminars.validators import validate_timezone


class User(AbstractUser):
    display_name = models.CharField(
        max_length=100,
        blank=True,
        help_text="Shown next to your comments. Your email address is never shown.",
    )
    affiliation = models.CharField(max_length=200, blank=True)
    timezone = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_timezone],
        help_text="Times are also shown in this zone. Leave empty to use your browser's.",
    )
    followed_tags = models.ManyToManyField("seminars.Tag", blank=True, related_name="followers")
    followed_series = models.ManyToManyField(
        "seminars.Series", blank=True, related_name="followers"
    )
    followed_speakers = models.ManyToManyField(
        "seminars.Speaker", blank=True, related_name="followers"
    )
    email_on_reply = models.BooleanField(
        "email me when someone replies to my comments", default=True
    )
    email_on_held_comment = models.BooleanField(
        "email me when a comment in my series awaits approval", default=True
    )
    email_weekly_digest = models.BooleanField(
        "email me a weekly digest of talks I follow", default=True
    )

    class Meta(AbstractUser.Meta):
        ordering = ["display_name", "id"]

    def __str__(self):
        return self.display_name or self.email or self.username

    def get_absolute_url(self):
        return reverse("accounts:profile")

    def get_short_name(self):
        """What the admin greets its user by: never the generated login (createsuperuser)."""
        return self.display_name or self.email

    @property
    def public_name(self) -> str:
        """The name the public sees; never the email address or the login."""
        return self.display_name or f"User {self.pk}"


def user_display(user) -> str:
    return user.public_name


class Digest(models.Model):
    """A weekly digest queued for a user: the record that makes send_digests idempotent."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="digests")
    # The Monday of the week it was sent in: one digest per user and week.
    week = models.DateField()
    talks = models.ManyToManyField("seminars.Talk", related_name="digests")
    created = models.DateTimeField(auto_now_add=True)
    # When the mail server accepted it; empty while it waits in the queue.
    sent = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-week", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "week"], name="digest_one_per_user_week"),
        ]

    def __str__(self):
        return f"Digest for {self.user} in the week of {self.week}"


class SavedTalk(models.Model):
    """A talk a user saved: on their "My talks" page and in their personal calendars."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="saved_talks")
    talk = models.ForeignKey("seminars.Talk", on_delete=models.CASCADE, related_name="saves")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "id"]
        constraints = [
            # Saving twice (a double click, two tabs) keeps one row. Its index also
            # serves "has this user saved this talk" and a user's saved talks.
            models.UniqueConstraint(fields=["user", "talk"], name="savedtalk_one_per_user_talk"),
        ]

    def __str__(self):
        return f"{self.user} saved {self.talk}"


class CalendarLink(models.Model):
    """A secret address of a user's personal calendar (their saved talks and what they
    follow). Only the token's SHA-256 is stored: the address is shown once, when made;
    a leaked database holds no working address."""

    class Alarm(models.IntegerChoices):
        NONE = 0, _("No alarm")
        TEN_MINUTES = 10, _("10 minutes before")
        HALF_AN_HOUR = 30, _("30 minutes before")
        AN_HOUR = 60, _("1 hour before")
        A_DAY = 24 * 60, _("1 day before")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="calendar_links")
    label = models.CharField(_("label"), max_length=100, help_text=_("Such as “work laptop”."))
    token_hash = models.CharField(max_length=64, editable=False)
    alarm_minutes = models.PositiveIntegerField(
        _("alarm"), choices=Alarm.choices, default=Alarm.NONE
    )
    created = models.DateTimeField(auto_now_add=True)
    # Written at most once a minute (accounts.calendars.record_fetch), not on every fetch.
    last_fetched = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["created", "id"]
        constraints = [
            # A fetch finds its link by the token's hash, along this index.
            models.UniqueConstraint(fields=["token_hash"], name="calendarlink_token_hash_unique"),
        ]

    def __str__(self):
        return f"{self.label} ({self.user})"
