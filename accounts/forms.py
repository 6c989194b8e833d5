from django import forms

from .models import User


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
    class Meta:
        model = User
        fields = ["display_name", "affiliation"]

    def clean_display_name(self):
        name = self.cleaned_data["display_name"].strip()
        if not name:
            raise forms.ValidationError("Please enter the name to show with your comments.")
        return name
