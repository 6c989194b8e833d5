"""A user's own schedule: saving talks, and "My talks" (saved talks and what they follow)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from seminars.models import Talk

from .saved import MyTalks, save_talk, unsave_talk


def next_or(request, default: str) -> str:
    """The form's `next` if it is a path on this site, else `default`. (A path only:
    redirect() would read "0" or "home" as the name of a URL, and fail.)"""
    target = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target.startswith("/") and safe else default


@login_required
@require_POST
def save(request, slug, saving):
    """Save (or stop saving) a public talk; both are safe to repeat."""
    talk = get_object_or_404(Talk.objects.public(), slug=slug)
    if saving:
        save_talk(request.user, talk)
        messages.success(request, _("Saved: it is on your “My talks” page and calendars."))
    else:
        unsave_talk(request.user, talk)
        messages.success(request, _("No longer saved."))
    return redirect(next_or(request, talk.get_absolute_url()))


@login_required
@require_GET
def my_talks(request):
    context = {"talks": MyTalks(request.user, timezone.now())}
    return render(request, "accounts/my_talks.html", context)
