"""The portal's user: an email login with a public display name."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse

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

    class Meta(AbstractUser.Meta):
        ordering = ["display_name", "id"]

    def __str__(self):
        return self.display_name or self.email or self.username

    def get_absolute_url(self):
        return reverse("accounts:profile")

    @property
    def public_name(self) -> str:
        """The name the public sees; never the email address or the login."""
        return self.display_name or f"User {self.pk}"
