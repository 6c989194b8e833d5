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
