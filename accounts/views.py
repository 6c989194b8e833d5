"""A user's own pages (profile, email preferences, account deletion), follows,
one-click unsubscribing, and the public page that lists a user's comments."""

from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from seminars.models import Comment, Talk

from .email_preferences import EMAIL_KINDS, read_unsubscribe_token, unsubscribe
from .follows import FOLLOWABLE
from .forms import DeleteAccountForm, PreferencesForm, ProfileForm
from .models import User

COMMENTS_PER_PAGE = 20

TOO_MANY_PROFILE_CHANGES = (
    "You are changing your profile too often. Nothing was saved; please try again in a minute."
)


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        if not form.has_changed():
            # Nothing to save, and nothing for the page cache to forget.
            messages.success(request, "Your profile has been saved.")
            return redirect("accounts:profile")
        if ratelimit.consume(request, action="change_profile", user=request.user):
            form.save(commit=False).save(update_fields=form.changed_data)
            messages.success(request, "Your profile has been saved.")
            return redirect("accounts:profile")
        form.add_error(None, TOO_MANY_PROFILE_CHANGES)
        return render(request, "accounts/profile.html", {"form": form}, status=429)
    return render(request, "accounts/profile.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    data = request.POST if request.method == "POST" else None
    form = PreferencesForm(data, instance=request.user, organiser=request.user.is_staff)
    if form.is_bound and form.is_valid():
        form.save_preferences()
        messages.success(request, "Your email preferences have been saved.")
        return redirect("accounts:preferences")
    status = 400 if form.is_bound else 200
    return render(request, "accounts/preferences.html", {"form": form}, status=status)


# RFC 8058: mail clients POST here for a one-click unsubscribe, with no CSRF
# token and no session. The signed token in the URL is what proves the request
# comes from the recipient, and all it can do is switch one kind of email off.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe_view(request, token):
    try:
        user_id, kind = read_unsubscribe_token(token)
    except signing.BadSignature:
        context = {"invalid": True}
        return render(request, "accounts/unsubscribe.html", context, status=400)
    user = get_object_or_404(User, pk=user_id, is_active=True)
    context = {"kind": EMAIL_KINDS[kind], "token": token}
    if request.method == "POST":
        unsubscribe(user, kind)
        context["done"] = True
    return render(request, "accounts/unsubscribe.html", context)


@login_required
@require_POST
def follow(request, kind, slug, following):
    """Follow (or stop following) a tag, series or speaker; both are safe to repeat."""
    if kind not in FOLLOWABLE:
        raise Http404("Only tags, series and speakers can be followed.")
    model, field = FOLLOWABLE[kind]
    target = get_object_or_404(model, slug=slug)
    if following:
        getattr(request.user, field).add(target)
        messages.success(request, f"You follow {target}: its talks will be in your weekly digest.")
    else:
        getattr(request.user, field).remove(target)
        messages.success(request, f"You no longer follow {target}.")
    return redirect(target)


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request):
    user = request.user
    if not user.has_usable_password():
        # Signed up through ORCID (say): a password set first confirms it is them.
        context = {"needs_password": True}  # nosec B105 # a template flag, not a password
        return render(request, "accounts/delete_account.html", context)
    form = DeleteAccountForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        logout(request)
        delete_user(user)
        messages.success(request, "Your account has been deleted.")
        return redirect("seminars:home")
    status = 400 if form.is_bound else 200
    return render(request, "accounts/delete_account.html", {"form": form}, status=status)


def delete_user(user) -> None:
    """Delete a user and their personal data; keep their comments, by "deleted user".

    Deleting the row cascades to their email addresses and social accounts
    (allauth), follows, digests and organiser roles; Comment.author and
    Comment.removed_by become NULL, so threads keep their text.
    """
    with transaction.atomic():
        user.delete()


@require_GET
def user_detail(request, pk):
    person = get_object_or_404(User, pk=pk, is_active=True)
    comments = (
        Comment.objects.public()
        .filter(author=person, talk__status__in=Talk.PUBLIC_STATUSES)
        .select_related("talk")
        .order_by("-created", "-id")
    )
    page = Paginator(comments, COMMENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "accounts/user_detail.html", {"person": person, "page": page})
