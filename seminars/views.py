"""Public pages: talk listings, tags, speakers, series and search (a talk's page, with
its discussion, is discussion.views.talk_detail)."""

from functools import cached_property, partial

from django.db.models import prefetch_related_objects
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from pagecache.pages import cache_public_page

from .groups import GROUPS
from .models import Series, Tag, Talk
from .pagination import paginate
from .queries import UpcomingThenPast, next_list_change, talk_card_prefetches
from .search import SearchForm, search_hits, search_talks

TAGS_PER_PAGE = 100
SERIES_PER_PAGE = 50
HOME_UPCOMING = 10
HOME_RECENT = 5
HOME_TAGS = 30


def upcoming_then_past(**filters):
    """Public talks matching `filters`, upcoming first, for paginate()."""
    return UpcomingThenPast(Talk.objects.public().filter(**filters))


def until_a_talk_starts(response, talks: UpcomingThenPast):
    """The response, which the page cache keeps until one of `talks` starts or ends (its
    cards, as a public fragment, too: the views pass `changes_at` to the template).
    Asked only when a page or fragment is stored: a fragment's hit reads no count."""
    response.changes_at = talks.changes_at
    return response


class HomeTalks:
    """The home page's upcoming and recent talks, read together when first shown: for
    a signed-in visitor they are a public fragment, which may need no reading at all."""

    def __init__(self, now):
        self.now = now

    @cached_property
    def lists(self) -> tuple[list, list]:
        # The speakers and tags of both lists in one query each, after both are read.
        talks = Talk.objects.public().for_cards().prefetch_related(None)
        upcoming = list(talks.upcoming(self.now)[:HOME_UPCOMING])
        recent = list(talks.past(self.now)[:HOME_RECENT])
        prefetch_related_objects([*upcoming, *recent], *talk_card_prefetches())
        return upcoming, recent

    @property
    def upcoming(self) -> list:
        return self.lists[0]

    @property
    def recent(self) -> list:
        return self.lists[1]


@require_GET
@cache_public_page()
def home(request):
    now = timezone.now()
    context = {
        "talks": HomeTalks(now),
        # When a talk next goes live or ends and the lists change: the page's (and
        # the lists' fragment's) end, asked only when one of them is stored.
        "changes_at": partial(next_list_change, now),
        # Counting every talk's tags grows with the archive: the template keeps the
        # cloud as a public fragment, so this runs once per change.
        "tags": most_used_tags(),
    }
    response = render(request, "seminars/home.html", context)
    response.changes_at = context["changes_at"]
    return response


def most_used_tags():
    tags = Tag.objects.public().with_public_talk_counts()
    return tags.order_by("-talk_count", "name")[:HOME_TAGS]


# /talks/?when=: "upcoming" or "past" narrows the list; anything else keeps all talks.
TALK_LIST_TITLES = {"": "All talks", "upcoming": "Upcoming talks", "past": "Past talks"}


@require_GET
@cache_public_page(params=["when", "page"])
def talk_list(request):
    when = request.GET.get("when", "")
    if when in ("upcoming", "past"):
        # One instant for the list and for when it changes: a talk that starts is
        # live, and one that ends moves from the upcoming talks to the past ones.
        now = timezone.now()
        cards = Talk.objects.public().for_cards()
        talks = cards.upcoming(now) if when == "upcoming" else cards.past(now)
        changes_at = partial(next_list_change, now)
    else:
        when, talks = "", upcoming_then_past()
        changes_at = talks.changes_at
    page = paginate(request, talks)
    context = {
        "page": page,
        "when": when,
        "title": TALK_LIST_TITLES[when],
        "changes_at": changes_at,
    }
    if when == "past" and page:
        # The archive opens at the year of the newest talk on this page.
        context["archive_year"] = timezone.localtime(page[0].start).year
    response = render(request, "seminars/talk_list.html", context)
    response.changes_at = context["changes_at"]
    return response


def archive_years():
    """Years with past public talks, newest first (years in the site's time zone)."""
    talks = Talk.objects.public().past()
    return [moment.year for moment in talks.datetimes("start", "year", order="DESC")]


@require_GET
@cache_public_page(params=["page"], expires=next_list_change)
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
        "page": paginate(
            request, Talk.objects.public().for_cards().past().filter(start__year=year)
        ),
    }
    return render(request, "seminars/archive.html", context)


@require_GET
# Never stored: a stored page would tell the next visitor (by how fast it comes)
# what someone else searched for, and every query typed would take room.
@cache_control(no_cache=True, private=True)
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


@require_GET
@cache_public_page(params=["page"])
def tag_list(request):
    tags = Tag.objects.public().with_public_talk_counts().order_by("name", "id")
    page = paginate(request, tags, TAGS_PER_PAGE)
    return render(request, "seminars/tag_list.html", {"tags": page, "page": page})


@require_GET
@cache_public_page(params=["page"])
def series_list(request):
    page = paginate(request, Series.objects.order_by("name", "id"), SERIES_PER_PAGE)
    return render(request, "seminars/series_list.html", {"series_list": page, "page": page})


@require_GET
@cache_public_page(params=["page"])
def group_detail(request, slug, kind):
    """A tag's, a speaker's or a series' page (seminars.groups): its talks, upcoming first."""
    group = GROUPS[kind]
    owner = get_object_or_404(group.for_page(), slug=slug)
    talks = upcoming_then_past(**{group.lookup: owner})
    context = {kind: owner, "page": paginate(request, talks), "changes_at": talks.changes_at}
    return until_a_talk_starts(render(request, f"seminars/{kind}_detail.html", context), talks)
