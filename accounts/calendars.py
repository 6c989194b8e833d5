"""Personal calendars: the secret addresses a user makes on /accounts/calendars/, and
the calendars they serve (their saved talks and the talks of what they follow).

A token is shown once, as the address itself, when it is made or regenerated;
only its SHA-256 is stored. Every fetch looks the hash up in the database, so a
revoked or regenerated address answers 404 at once on every app server (no
process keeps tokens), and a personal calendar never enters the shared page
cache (its view is not cache_public_page's).
"""

import datetime
import hashlib
import secrets

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from seminars.icalendar import calendar_response, talks_in_window

from .models import CalendarLink
from .saved import saved_or_followed_by

# 32 random bytes: 43 URL-safe characters.
TOKEN_BYTES = 32
# Enough for every device a person has; a clear refusal beyond it.
MAX_LINKS = 20
# last_fetched is written at most this often: a calendar app polling every few
# seconds does not cost a write each time.
FETCH_RECORD_INTERVAL = datetime.timedelta(minutes=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(link: CalendarLink) -> str:
    """Give `link` a new token (not saved); return it, the only time it is known."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link.token_hash = hash_token(token)
    return token


def regenerate(link: CalendarLink) -> str:
    """A new address for `link`; the old one answers 404 from now on."""
    token = new_token(link)
    link.save(update_fields=["token_hash"])
    return token


def record_fetch(link: CalendarLink, now) -> None:
    """Note that the calendar was fetched, unless that was noted less than a minute ago."""
    since = now - FETCH_RECORD_INTERVAL
    if link.last_fetched is None or link.last_fetched < since:
        # The condition again in SQL: of two fetches at once, one writes.
        stale = Q(last_fetched__isnull=True) | Q(last_fetched__lt=since)
        CalendarLink.objects.filter(stale, pk=link.pk).update(last_fetched=now)


class CalendarLinkForm(forms.ModelForm):
    class Meta:
        model = CalendarLink
        fields = ["label", "alarm_minutes"]

    def clean_label(self):
        label = " ".join(self.cleaned_data["label"].split())
        if not label:
            raise forms.ValidationError(gettext_lazy("Give the link a label."))
        return label


def calendar_address(request, token: str) -> str:
    return request.build_absolute_uri(reverse("calendars:personal", args=[token]))


def links_page(request, form, new_link=None, new_address="", status=200):
    """The page of the user's links; `new_address` is `new_link`'s, shown this once."""
    context = {
        "links": CalendarLink.objects.filter(user=request.user),
        "form": form,
        "new_link": new_link,
        "address": new_address,
    }
    return render(request, "accounts/calendars.html", context, status=status)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def calendar_links(request):
    """GET: the user's calendar links. POST: make one, and show its address once.

    The page with the new address is the POST's answer, not a redirect's: the
    address is never stored anywhere to be shown later.
    """
    if request.method == "GET":
        return links_page(request, CalendarLinkForm())
    form = CalendarLinkForm(request.POST)
    if CalendarLink.objects.filter(user=request.user).count() >= MAX_LINKS:
        message = _("You have %(count)d calendar links already: revoke one first.")
        form.add_error(None, message % {"count": MAX_LINKS})
    if not form.is_valid():
        return links_page(request, form, status=400)
    link = form.save(commit=False)
    link.user = request.user
    token = new_token(link)
    link.save()
    address = calendar_address(request, token)
    return links_page(request, CalendarLinkForm(), new_link=link, new_address=address)


def own_link(request, pk) -> CalendarLink:
    """The signed-in user's link; anyone else's is not found."""
    return get_object_or_404(CalendarLink, pk=pk, user=request.user)


@login_required
@never_cache
@require_POST
def regenerate_link(request, pk):
    link = own_link(request, pk)
    token = regenerate(link)
    address = calendar_address(request, token)
    return links_page(request, CalendarLinkForm(), new_link=link, new_address=address)


@login_required
@require_POST
def revoke_link(request, pk):
    link = own_link(request, pk)
    link.delete()
    messages.success(
        request, _("“%(label)s” is revoked: its address no longer works.") % {"label": link.label}
    )
    return redirect("accounts:calendars")


@require_GET
def personal_calendar(request, token):
    """The calendar behind a secret address: the owner's saved talks and the talks of
    the tags, series and speakers they follow, in the public calendars' window."""
    links = CalendarLink.objects.select_related("user").filter(user__is_active=True)
    link = get_object_or_404(links, token_hash=hash_token(token))
    record_fetch(link, timezone.now())
    talks = talks_in_window().filter(saved_or_followed_by(link.user))
    name = _("%(site)s: my talks") % {"site": settings.SITE_NAME}
    response = calendar_response(request, name, talks, alarm_minutes=link.alarm_minutes)
    # Its owner's alone: no shared cache on the way may keep it.
    patch_cache_control(response, private=True, no_cache=True)
    response["X-Robots-Tag"] = "noindex"
    return response
