"""Public pages: talk listings, a talk with its comments, and comment actions."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from .forms import CommentForm
from .models import Comment, Series, Speaker, Tag, Talk
from .rendering import contains_math
from .search import SearchForm, search_hits, search_talks

TALKS_PER_PAGE = 20
HOME_UPCOMING = 10
HOME_RECENT = 5
HOME_TAGS = 30


def paginate(request, queryset):
    """The requested page; a missing, malformed or out-of-range ?page= gives a sensible page."""
    return Paginator(queryset, TALKS_PER_PAGE).get_page(request.GET.get("page"))


def public_talks():
    return Talk.objects.public().for_list_page()


@require_GET
def home(request):
    tags = Tag.objects.with_public_talk_counts().filter(talk_count__gt=0)
    context = {
        "upcoming": public_talks().upcoming()[:HOME_UPCOMING],
        "recent": public_talks().past()[:HOME_RECENT],
        "tags": tags.order_by("-talk_count", "name")[:HOME_TAGS],
    }
    return render(request, "seminars/home.html", context)


# /talks/?when=: "upcoming" or "past" narrows the list; anything else keeps all talks.
TALK_LIST_TITLES = {"": "All talks", "upcoming": "Upcoming talks", "past": "Past talks"}


@require_GET
def talk_list(request):
    when = request.GET.get("when", "")
    if when == "upcoming":
        talks = public_talks().upcoming()
    elif when == "past":
        talks = public_talks().past()
    else:
        when, talks = "", public_talks().upcoming_first()
    page = paginate(request, talks)
    context = {"page": page, "when": when, "title": TALK_LIST_TITLES[when]}
    if when == "past" and page:
        # The archive opens at the year of the newest talk on this page.
        context["archive_year"] = timezone.localtime(page[0].start).year
    return render(request, "seminars/talk_list.html", context)


def archive_years():
    """Years with past public talks, newest first (years in the site's time zone)."""
    talks = Talk.objects.public().past()
    return [moment.year for moment in talks.datetimes("start", "year", order="DESC")]


@require_GET
def talk_archive(request, year):
    years = archive_years()
    if year not in years:
        # Checked before any date arithmetic, so years like 0 or 99999 are just absent.
        context = {"year": year, "years": years}
        return render(request, "seminars/archive.html", context, status=404)
    position = years.index(year)
    context = {
        "year": year,
        "years": years,
        "newer_year": years[position - 1] if position > 0 else None,
        "older_year": years[position + 1] if position + 1 < len(years) else None,
        "page": paginate(request, public_talks().past().filter(start__year=year)),
    }
    return render(request, "seminars/archive.html", context)


@require_GET
def search(request):
    form = SearchForm(request.GET)
    if not form.is_valid():
        return render(request, "seminars/search.html", {"form": form}, status=400)
    query = form.cleaned_data["q"]
    if not query:
        return render(request, "seminars/search.html", {"form": form})
    page = paginate(request, search_talks(query))
    context = {"form": form, "query": query, "page": page, "hits": search_hits(page, query)}
    return render(request, "seminars/search.html", context)


def get_public_talk(slug):
    return get_object_or_404(public_talks(), slug=slug)


def render_talk(request, talk, form, status=200):
    comments = list(talk.comments.for_thread())
    context = {
        "talk": talk,
        "comments": comments,
        "form": form,
        # The math stylesheet and its font load only where math is shown.
        "shows_math": contains_math(talk.abstract_html)
        or any(contains_math(c.body_html) for c in comments if not c.removed),
    }
    return render(request, "seminars/talk_detail.html", context, status=status)


@require_GET
def talk_detail(request, slug):
    talk = get_public_talk(slug)
    form = CommentForm() if request.user.is_authenticated else None
    return render_talk(request, talk, form)


@login_required
@require_POST
def comment_create(request, slug):
    talk = get_public_talk(slug)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return render_talk(request, talk, form, status=400)
    comment = form.save(commit=False)
    comment.talk = talk
    comment.author = request.user
    comment.save()
    return redirect(comment)


def get_own_comment(request, pk):
    """The signed-in user's live comment; someone else's is forbidden."""
    comment = get_object_or_404(
        Comment.objects.select_related("talk", "author").filter(
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
    if request.method == "POST" and form.is_valid():
        comment = form.save(commit=False)
        comment.edited = timezone.now()
        comment.save(update_fields=["body", "edited", "updated"])
        return redirect(comment)
    status = 400 if form.is_bound else 200
    return render(
        request, "seminars/comment_edit.html", {"comment": comment, "form": form}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def comment_delete(request, pk):
    comment = get_own_comment(request, pk)
    if request.method == "POST":
        comment.remove(by=request.user)
        return redirect(comment)
    return render(request, "seminars/comment_delete.html", {"comment": comment})


@require_GET
def tag_list(request):
    tags = Tag.objects.with_public_talk_counts().order_by("name")
    return render(request, "seminars/tag_list.html", {"tags": tags})


@require_GET
def tag_detail(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    page = paginate(request, public_talks().filter(tags=tag).upcoming_first())
    return render(request, "seminars/tag_detail.html", {"tag": tag, "page": page})


@require_GET
def speaker_detail(request, slug):
    speaker = get_object_or_404(Speaker, slug=slug)
    page = paginate(request, public_talks().filter(speakers=speaker).upcoming_first())
    return render(request, "seminars/speaker_detail.html", {"speaker": speaker, "page": page})


@require_GET
def series_list(request):
    return render(request, "seminars/series_list.html", {"series_list": Series.objects.all()})


@require_GET
def series_detail(request, slug):
    series = get_object_or_404(Series, slug=slug)
    page = paginate(request, public_talks().filter(series=series).upcoming_first())
    return render(request, "seminars/series_detail.html", {"series": series, "page": page})


@never_cache
@require_safe  # GET or HEAD: load balancers and monitors use either
def healthz(request):
    """For load balancers: 200 while the database answers, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
