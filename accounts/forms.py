import functools
import zoneinfo

from django import forms

from .models import User

# The select offers zones named after a place; tzdata's legacy aliases
# (US/Eastern, Etc/GMT+5, Japan) stay valid but would only clutter it.
ZONE_REGIONS = (
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
)


@functools.cache
def regional_zones() -> dict[str, list[tuple[str, str]]]:
    """Each region's zones as (name, label) pairs: "America/New_York" reads "New York"."""
    zones = sorted(zoneinfo.available_timezones())
    return {
        region: [
            (zone, zone.removeprefix(f"{region}/").replace("_", " "))
            for zone in zones
            if zone.startswith(f"{region}/")
        ]
        for region in ZONE_REGIONS
    }


def zone_choices(current: str) -> list:
    """Grouped choices for the zone <select>; blank means "use the browser's zone"."""
    choices = [("", "My browser's time zone"), ("UTC", "UTC"), *regional_zones().items()]
    offered = {"UTC"}.union(zone for zones in regional_zones().values() for zone, _ in zones)
    if current and current not in offered:
        # A legacy alias set elsewhere stays selected, so saving the profile keeps it.
        choices.append(("Other", [(current, current)]))
    return choices


class SignupForm(forms.Form):
    """Extra fields on allauth's signup form (allauth calls `signup`)."""

    display_name = forms.CharField(
        max_length=100,
        help_text="Shown next to your comments. Your email address is never shown.",
    )

    def clean_display_name(self):
        name = self.cleaned_data["display_name"].strip()
        if not name:
            raise forms.ValidationError("Please enter the name to show with your comments.")
        return name

    def signup(self, request, user):
        user.display_name = self.cleaned_data["display_name"]
        user.save(update_fields=["display_name"])


class ProfileForm(forms.ModelForm):
    timezone = forms.ChoiceField(
        label="Time zone",
        required=False,
        help_text=User._meta.get_field("timezone").help_text,
    )

    class Meta:
        model = User
        fields = ["display_name", "affiliation", "timezone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = zone_choices(self.instance.timezone)

    def clean_display_name(self):
        name = self.cleaned_data["display_name"].strip()
        if not name:
            raise forms.ValidationError("Please enter the name to show with your comments.")
        return name


class PreferencesForm(forms.ModelForm):
    """The emails a user gets, and the tags and series their digest covers."""

    EMAIL_FIELDS = ["email_on_reply", "email_on_held_comment", "email_weekly_digest"]

    class Meta:
        model = User
        fields = [
            "email_on_reply",
            "email_on_held_comment",
            "email_weekly_digest",
            "followed_tags",
            "followed_series",
        ]
        labels = {"followed_tags": "Tags I follow", "followed_series": "Series I follow"}
        widgets = {
            "followed_tags": forms.CheckboxSelectMultiple,
            "followed_series": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, organiser: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not organiser:
            # Only organisers are asked to approve comments.
            del self.fields["email_on_held_comment"]

    def save_preferences(self) -> None:
        """Save the email switches (only those) and the follows."""
        user = self.save(commit=False)
        user.save(update_fields=[name for name in self.EMAIL_FIELDS if name in self.fields])
        self.save_m2m()


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password
