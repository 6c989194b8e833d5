"""The discussion on a talk's page: the thread, posting comments and replies, editing
and deleting one's own, and the organisers' moderation (approve, remove, restore).

The holding rules are in discussion.moderation, the posting rate limit in
discussion.ratelimits. A new comment goes through, in order: the form; the
one-time token (a double submit lands on the comment the first submit stored);
the rate limit (429, nothing saved, the text kept in the form); the holding
rules; then it is saved, and once committed accounts.notifications hears of it.

Every comment form also previews: its Preview button posts the text to the same
view, which renders it and shows the form again with nothing saved;
static/js/comment-box.js previews as the writer types, through `comment_preview`.
"""

import time
from datetime import timedelta
from functools import cached_property, partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import notifications, saved
from pagecache.pages import cache_public_page, require_canonical_page
from seminars.models import Comment, Talk
from seminars.rendering import contains_math, render_comment

from . import moderation
from .forms import DAMAGED_FORM, CommentForm, NewCommentForm, RemovalForm, ReplyForm
from .ratelimits import PREVIEWS, limit_reached
from .threads import comment_url, page_number, page_of, thread_page

HELD_MESSAGE = "Thank you! Your comment is awaiting approval by the series’ organisers."


def get_public_talk(slug, user):
    """A public talk for its page, with its series' previous and next talks and
    `is_saved`: whether `user` saved it (read with the talk, so the page's Save
    button costs no query of its own)."""
    talks = Talk.objects.public().for_talk_page().with_series_neighbours()
    return get_object_or_404(saved.with_is_saved(talks, user), slug=slug)


@require_GET
@cache_public_page(params=["page"], thread_kwarg="slug")
def talk_detail(request, slug):
    require_canonical_page(request, page_number(request.GET.get("page")))
    return render_talk(request, get_public_talk(slug, request.user))


def removal_form(comment_pk, data=None):
    """The form under a comment that removes it; its element ids are the comment's own."""
    return RemovalForm(data, auto_id=f"remove-{comment_pk}-%s")


def mark_thread(comments, user, moderates, removal):
    """Set what each comment shows; `removal` is (comment id, a RemovalForm with errors).

    Organisers see the text of a comment they removed (to restore it); a comment
    its author deleted stays a notice for everyone.
    """
    for comment in comments:
        comment.takes_replies = moderation.reply_refusal(comment) is None
        for entry in [comment, *comment.thread_replies]:
            entry.is_held = entry.status == Comment.Status.HELD
            entry.is_own = user.is_authenticated and entry.author_id == user.pk
            entry.shows_text = not entry.removed or (moderates and not entry.removed_by_author)
            if moderates and not entry.removed:
                posted = removal and removal[0] == entry.pk
                entry.removal_form = removal[1] if posted else removal_form(entry.pk)


def thread_shows_math(comments) -> bool:
    entries = [entry for comment in comments for entry in [comment, *comment.thread_replies]]
    return any(contains_math(entry.body_html) for entry in entries if not entry.removed)


class Thread:
    """The page of a talk's thread that `user` sees, marked for the template, read when
    first used: the public's thread may come from a public fragment, unread."""

    def __init__(self, talk, user, number: int, moderates: bool, removal):
        self.talk, self.user, self.number = talk, user, number
        self.moderates, self.removal = moderates, removal

    @cached_property
    def page(self):
        page = thread_page(self.talk, self.user, self.number)
        mark_thread(page.comments, self.user, self.moderates, self.removal)
        return page

    # What templates read, from the ThreadPage.

    @property
    def comments(self) -> list:
        return self.page.comments

    @property
    def is_past_the_end(self) -> bool:
        return self.page.is_past_the_end

    @property
    def url(self) -> str:
        return self.page.url

    @property
    def has_previous(self) -> bool:
        return self.page.has_previous

    @property
    def has_next(self) -> bool:
        return self.page.has_next

    @property
    def previous_url(self) -> str:
        return self.page.previous_url

    @property
    def next_url(self) -> str:
        return self.page.next_url

    @property
    def shows_math(self) -> bool:
        return thread_shows_math(self.page.comments)


def sees_the_public_thread(user, talk, moderates: bool) -> bool:
    """Whether `user`'s thread is the public's: not a moderator's (held comments and
    controls), nor a commenter's (their links, their held comments)."""
    if moderates:
        return False
    return not user.is_authenticated or not talk.comments.filter(author=user).exists()


def render_talk(
    request,
    talk,
    *,
    form=None,
    reply_to=None,
    reply_form=None,
    refusal="",
    removal=None,
    preview="",
    status=200,
):
    """The talk page: its abstract, the thread the visitor may see, and the comment forms.

    form: the form at the end of the thread (a fresh one for a signed-in visitor);
    reply_to, reply_form: a reply being written, shown under its comment;
    refusal: why a reply was refused, shown above the form;
    removal: (comment id, RemovalForm) for a removal whose reason was missing;
    preview: the rendered text of the reply being written, or else of the comment form.
    """
    user = request.user
    moderates = moderation.can_moderate(user, talk.series)
    number = shown_page(request, talk, reply_to, removal)
    # The first page of the public's thread is a public fragment (talk_detail.html),
    # read as the public sees it, whoever asks; a later page is read here, since one
    # past the end answers 404.
    public_thread = (
        sees_the_public_thread(user, talk, moderates)
        and number == 1
        and reply_to is None
        and removal is None
    )
    if public_thread:
        thread = Thread(talk, AnonymousUser(), number, moderates=False, removal=None)
    else:
        thread = Thread(talk, user, number, moderates, removal)
    if form is None and user.is_authenticated:
        form = NewCommentForm()
    if not public_thread and thread.is_past_the_end and status == 200:
        status = 404
    abstract_shows_math = contains_math(talk.abstract_html)
    now = timezone.now()
    context = {
        "talk": talk,
        "timing": talk_timing(talk, now),
        # The Save button's state: per request, outside every public fragment.
        "saved": talk.is_saved,
        "thread": thread,
        "public_thread": public_thread,
        "form": form,
        "reply_to": reply_to,
        "reply_form": reply_form,
        "refusal": refusal,
        "moderates": moderates,
        "reply_preview": preview if reply_to is not None else "",
        "comment_preview": preview if reply_to is None else "",
        # The math stylesheet and its font load only where math is shown; the public
        # thread's fragment links it itself.
        "abstract_shows_math": abstract_shows_math,
        "shows_math": abstract_shows_math
        or contains_math(preview)
        or (not public_thread and thread.shows_math),
    }
    response = render(request, "discussion/talk_detail.html", context, status=status)
    # The page cache keeps the page until the clock changes it (the join window opens,
    # the talk goes live, it ends).
    response.changes_at = partial(talk.changes_after, now)
    return response


def talk_timing(talk, now) -> dict:
    """What the talk page shows by the clock, at `now`: "Live now" while it runs; its
    online link as "Join online (opens N minutes before)" until the join window opens,
    then as a "Join now" button until it ends, and then no more (the recording and
    slides stay)."""
    on = not talk.is_cancelled and now < talk.end
    online = on and bool(talk.online_url)
    return {
        "live": on and talk.start <= now,
        "join_later": online and now < talk.join_opens,
        "join_now": online and talk.join_opens <= now,
        "window_minutes": settings.JOIN_WINDOW_MINUTES,
    }


def shown_page(request, talk, reply_to, removal) -> int:
    """The thread page to show: the one with the comment being replied to or removed, if any."""
    if reply_to is not None:
        return page_of(reply_to, request.user)
    if removal is not None:
        return page_of(talk.comments.get(pk=removal[0]), request.user)
    return page_number(request.GET.get("page"))


def stored_with_token(token):
    """The comment already stored with this form token, if any."""
    return Comment.objects.filter(submission_token=token).first() if token else None


def save_new_comment(comment):
    """Save a new comment; tell accounts.notifications once it is committed.

    Returns the comment stored, which is an earlier one when the same form was
    posted twice at once (say, to two app servers) and the other request won.
    """
    moderation.hold_new_comment_if_needed(comment)

    def comment_committed():
        notifications.comment_posted(comment)

    try:
        with transaction.atomic():
            comment.save()
            # robust: a failing notification is logged and never loses the comment.
            transaction.on_commit(comment_committed, robust=True)
    except IntegrityError:
        earlier = stored_with_token(comment.submission_token)
        if earlier is None:
            raise
        return earlier
    return comment


def too_many_comments(limit, wait: int) -> str:
    """The 429 message: the limit, and how long until the window ends (`wait` seconds)."""
    now = timezone.now()
    later = "a minute" if wait <= 60 else timeuntil(now + timedelta(seconds=wait), now, depth=1)
    return (
        f"You are posting too quickly: at most {limit.count} comments a {limit.window_name}. "
        f"Your comment has not been posted yet; please try again in {later}."
    )


def answer_resubmission(request, talk, form, parent, earlier):
    """A form posted again lands on the comment it stored."""
    if earlier.author_id == request.user.pk:
        return redirect(comment_url(earlier, request.user))
    # Only a tampered form carries someone else's token.
    form.add_error("submission_token", DAMAGED_FORM)
    return render_form_again(request, talk, form, parent, status=400)


def post_comment(request, talk, form, parent=None):
    """Store a valid NewCommentForm as a comment (or reply); the response.

    `form` is bound and valid; on a refusal the page is shown again with it.
    """
    earlier = stored_with_token(form.cleaned_data["submission_token"])
    if earlier is not None:
        return answer_resubmission(request, talk, form, parent, earlier)
    limit = limit_reached(request.user)
    if limit is not None:
        wait = limit.seconds_left(time.time())
        form.add_error(None, too_many_comments(limit, wait))
        response = render_form_again(request, talk, form, parent, status=429)
        response["Retry-After"] = str(wait)
        return response
    comment = form.save(commit=False)
    comment.talk, comment.author, comment.parent = talk, request.user, parent
    stored = save_new_comment(comment)
    if stored is not comment:
        return answer_resubmission(request, talk, form, parent, stored)
    if comment.status == Comment.Status.HELD:
        messages.info(request, HELD_MESSAGE)
    return redirect(comment_url(comment, request.user))


def wants_preview(request) -> bool:
    """Whether a comment form was sent with its Preview button: show the text, save nothing."""
    return "preview" in request.POST


def too_many_previews(limit) -> str:
    return _(
        "You are previewing too quickly: at most %(count)s previews a %(window)s. "
        "Your text is kept; please wait a moment before previewing again."
    ) % {"count": limit.count, "window": limit.window_name}


def preview_of(request, form, talk) -> tuple[str, int]:
    """The valid form's text rendered as it would be posted (with the macros of the
    talk's series), and the page's status.

    Previews run the renderer, so they count against their own rate limit: over
    it, the form gets the refusal, the preview is empty and the status is 429.
    """
    limit = limit_reached(request.user, counted=PREVIEWS)
    if limit is not None:
        form.add_error(None, too_many_previews(limit))
        return "", 429
    body = form.cleaned_data["body"]
    return render_comment(body, talk.series_macros(body)), 200


def render_form_again(request, talk, form, parent, status):
    if parent is None:
        return render_talk(request, talk, form=form, status=status)
    return render_talk(request, talk, reply_to=parent, reply_form=form, status=status)


@login_required
@require_POST
def comment_create(request, slug):
    talk = get_public_talk(slug, request.user)
    form = NewCommentForm(request.POST)
    if not form.is_valid():
        return render_talk(request, talk, form=form, status=400)
    if wants_preview(request):
        preview, status = preview_of(request, form, talk)
        return render_talk(request, talk, form=form, preview=preview, status=status)
    return post_comment(request, talk, form)


@login_required
@require_POST
@never_cache
def comment_preview(request):
    """The live preview of static/js/comment-box.js: the text of a comment form rendered
    as it would be posted (sanitized HTML), or why not, as plain text (400, 429)."""
    form = CommentForm(request.POST)
    if not form.is_valid():
        message = " ".join(form.errors.get("body", [DAMAGED_FORM]))
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    limit = limit_reached(request.user, counted=PREVIEWS)
    if limit is not None:
        response = HttpResponse(
            too_many_previews(limit), status=429, content_type="text/plain; charset=utf-8"
        )
        response["Retry-After"] = str(limit.seconds_left(time.time()))
        return response
    body = form.cleaned_data["body"]
    return HttpResponse(render_comment(body, previewed_talk_macros(request, body)))


def previewed_talk_macros(request, text: str) -> dict[str, str]:
    """The macros of the series whose talk a live preview is for (`?talk=<slug>`, which
    the forms put in their preview address): a comment is rendered with them."""
    slug = request.GET.get("talk", "")
    if not slug or "\\" not in text:
        return {}
    talk = Talk.objects.public().select_related("series").filter(slug=slug).first()
    return talk.series_macros(text) if talk else {}


def get_public_comment(pk, queryset=Comment.objects):
    """A comment on a public talk, with what its page and checks need."""
    return get_object_or_404(
        queryset.select_related("talk__series", "author").filter(
            talk__status__in=Talk.PUBLIC_STATUSES
        ),
        pk=pk,
    )


@require_GET
def comment_permalink(request, pk):
    """/comments/<id>/, the lasting address of a comment: the thread page that shows it."""
    comment = get_public_comment(pk, Comment.objects.visible_to(request.user))
    return redirect(comment_url(comment, request.user))


@login_required
@require_http_methods(["GET", "POST"])
def comment_reply(request, pk):
    """GET: the talk page with a reply form under the comment. POST: store the reply."""
    parent = get_public_comment(pk, Comment.objects.visible_to(request.user))
    talk = get_public_talk(parent.talk.slug, request.user)
    refusal = moderation.reply_refusal(parent)
    if refusal:
        # The typed text moves to the comment form, to post as a comment instead.
        form = NewCommentForm(request.POST) if request.method == "POST" else None
        return render_talk(request, talk, form=form, refusal=refusal, status=400)
    if request.method == "GET":
        form = ReplyForm(parent=parent)
        return render_talk(request, talk, reply_to=parent, reply_form=form)
    form = ReplyForm(request.POST, parent=parent)
    if not form.is_valid():
        return render_talk(request, talk, reply_to=parent, reply_form=form, status=400)
    if wants_preview(request):
        preview, status = preview_of(request, form, talk)
        return render_talk(
            request, talk, reply_to=parent, reply_form=form, preview=preview, status=status
        )
    return post_comment(request, talk, form, parent=parent)


def get_own_comment(request, pk):
    """The signed-in user's live comment; someone else's is forbidden."""
    comment = get_object_or_404(
        Comment.objects.select_related("talk__series", "author").filter(
            removed=False, talk__status__in=Talk.PUBLIC_STATUSES
        ),
        pk=pk,
    )
    if comment.author_id != request.user.pk:
        raise PermissionDenied("You can only change your own comments.")
    return comment


@login_required
@require_http_methods(["GET", "POST"])
def comment_edit(request, pk):
    comment = get_own_comment(request, pk)
    form = CommentForm(request.POST or None, instance=comment)
    preview, status = "", 400 if form.is_bound else 200
    if form.is_bound and form.is_valid() and wants_preview(request):
        preview, status = preview_of(request, form, comment.talk)
    elif form.is_bound and form.is_valid():
        comment = form.save(commit=False)
        comment.edited = timezone.now()
        fields = ["body", "edited", "updated"]
        if moderation.hold_edit_if_needed(comment):
            fields += ["status", "held_reason"]
            messages.info(request, HELD_MESSAGE)
        comment.save(update_fields=fields)
        return redirect(comment_url(comment, request.user))
    context = {
        "comment": comment,
        "form": form,
        "preview": preview,
        "shows_math": contains_math(preview),
    }
    return render(request, "discussion/comment_edit.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def comment_delete(request, pk):
    comment = get_own_comment(request, pk)
    if request.method == "POST":
        moderation.delete_by_author(comment)
        return redirect(comment_url(comment, request.user))
    return render(request, "discussion/comment_delete.html", {"comment": comment})


def get_moderated_comment(request, pk):
    """A comment on a public talk whose series the user moderates; 403 otherwise."""
    comment = get_public_comment(pk)
    if not moderation.can_moderate(request.user, comment.talk.series):
        raise PermissionDenied("Only the series’ organisers can moderate its comments.")
    return comment


@login_required
@require_POST
def comment_approve(request, pk):
    comment = get_moderated_comment(request, pk)
    if comment.status == Comment.Status.HELD:
        moderation.approve(comment)
        messages.success(request, "Comment approved: everyone can see it now.")
    return redirect(comment_url(comment, request.user))


@login_required
@require_POST
def comment_remove(request, pk):
    comment = get_moderated_comment(request, pk)
    form = removal_form(comment.pk, request.POST)
    if not form.is_valid():
        talk = get_public_talk(comment.talk.slug, request.user)
        return render_talk(request, talk, removal=(comment.pk, form), status=400)
    if not comment.removed:
        moderation.remove(comment, by=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, "Comment removed. Its text is kept, and it can be restored.")
    return redirect(comment_url(comment, request.user))


@login_required
@require_POST
def comment_restore(request, pk):
    comment = get_moderated_comment(request, pk)
    if comment.removed_by_author:
        messages.error(request, "Its author deleted this comment, so it stays deleted.")
    elif comment.removed and moderation.restore(comment):
        messages.success(request, "Comment restored.")
    return redirect(comment_url(comment, request.user))
