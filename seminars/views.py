"""Public pages: talk listings, a talk (its thread is in comment_views), search, health."""

from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.db.models import prefetch_related_objects
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from .caching import cache_public_page, next_talk_start, shared_value
from .comment_views import get_public_talk, render_talk
from .models import Comment, Series, Speaker, Tag, Talk
from .queries import UpcomingThenPast, talk_card_prefetches
from .search import SearchForm, search_hits, search_talks

TALKS_PER_PAGE = 20
TAGS_PER_PAGE = 100
SERIES_PER_PAGE = 50
HOME_UPCOMING = 10
HOME_RECENT = 5
HOME_TAGS = 30


def paginate(request, queryset, per_page=TALKS_PER_PAGE):
    """The requested page; a missing, malformed or out-of-range ?page= gives a sensible page."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def public_talks():
    return Talk.objects.public().for_cards().prefetch_related(*talk_card_prefetches())


def upcoming_then_past(**filters):
    """Public talks matching `filters`, upcoming first, for paginate()."""
    return UpcomingThenPast(Talk.objects.public().filter(**filters))


def until_a_talk_starts(response, talks: UpcomingThenPast):
    """The response, which the page cache keeps until one of `talks` starts."""
    response.changes_at = talks.changes_at
    return response


@require_GET
@cache_public_page(expires=next_talk_start)
def home(request):
    talks = Talk.objects.public().for_cards()
    upcoming = list(talks.upcoming()[:HOME_UPCOMING])
    recent = list(talks.past()[:HOME_RECENT])
    # The speakers and tags of both lists in one query each.
    prefetch_related_objects([*upcoming, *recent], *talk_card_prefetches())
    context = {
        "upcoming": upcoming,
        "recent": recent,
        # Counting every talk's tags grows with the archive: done once per change.
        "tags": shared_value("home-tags", most_used_tags),
    }
    return render(request, "seminars/home.html", context)


def most_used_tags():
    tags = Tag.objects.with_public_talk_counts().filter(talk_count__gt=0)
    return list(tags.order_by("-talk_count", "name")[:HOME_TAGS])


# /talks/?when=: "upcoming" or "past" narrows the list; anything else keeps all talks.
TALK_LIST_TITLES = {"": "All talks", "upcoming": "Upcoming talks", "past": "Past talks"}


@require_GET
@cache_public_page(params=["when", "page"], expires=next_talk_start)
def talk_list(request):
    when = request.GET.get("when", "")
    if when == "upcoming":
        talks = public_talks().upcoming()
    elif when == "past":
        talks = public_talks().past()
    else:
        when, talks = "", upcoming_then_past()
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
@cache_public_page(params=["page"], expires=next_talk_start)
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
@cache_public_page(params=["q", "page"])
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


def sees_their_own_thread(request, slug) -> bool:
    """Whether the thread shows this signed-in visitor more than the public's: the
    moderation controls of staff, or their own comments' links and held ones."""
    user = request.user
    if user.is_staff or user.is_superuser:
        return True
    return Comment.objects.filter(talk__slug=slug, author=user).exists()


@require_GET
@cache_public_page(params=["page"], thread_kwarg="slug", own_page=sees_their_own_thread)
def talk_detail(request, slug):
    return render_talk(request, get_public_talk(slug))


@require_GET
@cache_public_page(params=["page"])
def tag_list(request):
    tags = Tag.objects.with_public_talk_counts().order_by("name", "id")
    page = paginate(request, tags, TAGS_PER_PAGE)
    return render(request, "seminars/tag_list.html", {"tags": page, "page": page})


@require_GET
@cache_public_page(params=["page"])
def tag_detail(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    talks = upcoming_then_past(tags=tag)
    context = {"tag": tag, "page": paginate(request, talks)}
    return until_a_talk_starts(render(request, "seminars/tag_detail.html", context), talks)


@require_GET
@cache_public_page(params=["page"])
def speaker_detail(request, slug):
    speaker = get_object_or_404(Speaker, slug=slug)
    talks = upcoming_then_past(speakers=speaker)
    context = {"speaker": speaker, "page": paginate(request, talks)}
    return until_a_talk_starts(render(request, "seminars/speaker_detail.html", context), talks)


@require_GET
@cache_public_page(params=["page"])
def series_list(request):
    page = paginate(request, Series.objects.order_by("name", "id"), SERIES_PER_PAGE)
    return render(request, "seminars/series_list.html", {"series_list": page, "page": page})


@require_GET
@cache_public_page(params=["page"])
def series_detail(request, slug):
    series = get_object_or_404(Series, slug=slug)
    talks = upcoming_then_past(series=series)
    context = {"series": series, "page": paginate(request, talks)}
    return until_a_talk_starts(render(request, "seminars/series_detail.html", context), talks)


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
