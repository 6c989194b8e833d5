"""The page cache (pagecache): what it serves, and that it is never stale.

Every change a visitor can see shows on the very next request, here in one
process; tests/caching/ checks the same across two app servers. The
X-Page-Cache header says whether a response came from the cache, and
test_a_hit_runs_no_query shows that it tells the truth.
"""

import datetime
import gzip
import io
import re
import uuid

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.management import call_command
from django.db import connection
from django.http import HttpResponse
from django.template import RequestContext, Template
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import path, reverse
from django.utils import timezone

from pagecache.pages import cache_public_page
from pagecache.versions import SITE_VERSION, page_cache, site_changed
from seminars.models import Comment, Series, Talk
from tests.factories import (
    CommentFactory,
    OrganisedSeriesFactory,
    OrganiserFactory,
    SeriesFactory,
    SpeakerFactory,
    TagFactory,
    TalkFactory,
    UserFactory,
    soft_delete,
)

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def talk():
    """A public talk with a speaker, a tag, a series and a published comment."""
    talk = TalkFactory(
        title="Vortex rings",
        slug="vortex-rings",
        abstract="Rings of fluid.",
        speakers=[SpeakerFactory(name="Ada Okafor", slug="ada")],
        tags=[TagFactory(name="Fluids", slug="fluids")],
        series=SeriesFactory(name="Applied seminar", slug="applied"),
    )
    CommentFactory(talk=talk, body="A first remark")
    return talk


# Every cached URL, given the talk fixture's slugs.
CACHED_URLS = [
    "/",
    "/talks/",
    "/talks/?when=upcoming",
    "/talks/?when=past",
    "/talks/archive/2020/",
    "/talks/vortex-rings/",
    "/talks/vortex-rings/?page=1",
    "/tags/",
    "/tags/fluids/",
    "/speakers/ada/",
    "/series/",
    "/series/applied/",
    "/feed/",
    "/tags/fluids/feed/",
    "/series/applied/feed/",
    "/talks/vortex-rings/comments/feed/",
    "/calendar.ics",
    "/tags/fluids/calendar.ics",
    "/series/applied/calendar.ics",
    "/speakers/ada/calendar.ics",
    "/talks/vortex-rings/calendar.ics",
]


def get(client, url, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code in (200, 304), (url, response.status_code)
    return response


def warm(client, url):
    """Visit `url` until the cache serves it, and return that response."""
    get(client, url)
    response = get(client, url)
    assert response["X-Page-Cache"] == "hit", url
    return response


def fresh(client, url) -> str:
    """The page after a change: rendered anew, never the stored copy."""
    response = get(client, url)
    assert response["X-Page-Cache"] == "miss", url
    return response.content.decode()


def signed_in_client(user=None) -> Client:
    client = Client()
    client.force_login(user or UserFactory())
    return client


# What is served from the cache


@pytest.mark.parametrize("url", CACHED_URLS)
def test_a_hit_runs_no_query(client, talk, url, django_assert_num_queries):
    # The archive needs a past talk.
    TalkFactory(start=datetime.datetime(2020, 6, 1, 9, tzinfo=datetime.UTC), title="Earlier")
    first = get(client, url)
    with django_assert_num_queries(0):
        second = get(client, url)

    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    # Anonymous pages use no CSRF token and set no cookie, or they could not be stored.
    assert not first.cookies
    assert b"csrfmiddlewaretoken" not in first.content


@pytest.mark.parametrize("rows", [1, 20])
def test_a_hit_costs_one_query_with_the_database_cache(client, rows):
    # No django_assert_num_queries (it swaps in per-process caches): the page
    # cache is a database table, as in production without Redis.
    TalkFactory.create_batch(rows, speakers=[SpeakerFactory()], tags=[TagFactory()])
    warm(client, "/talks/")

    with CaptureQueriesContext(connection) as queries:
        response = get(client, "/talks/")

    # The versions and the page, in one SELECT.
    assert response["X-Page-Cache"] == "hit"
    assert len(queries) == 1
    assert "django_page_cache" in queries[0]["sql"]


def test_the_calendar_download_of_a_talk_keeps_its_attachment_name(client, talk):
    response = warm(client, "/talks/vortex-rings/calendar.ics")

    assert response["Content-Disposition"] == 'attachment; filename="vortex-rings.ics"'


# Never stale: each change shows on the next request.


def test_a_new_comment_shows_on_the_talk_page_and_its_feed(client, talk):
    warm(client, talk.get_absolute_url())
    warm(client, "/talks/vortex-rings/comments/feed/")

    response = signed_in_client().post(
        reverse("discussion:comment-create", args=[talk.slug]),
        {"body": "Kelvin would agree", "submission_token": str(uuid.uuid4())},
    )

    assert response.status_code == 302
    assert "Kelvin would agree" in fresh(client, talk.get_absolute_url())
    assert "Kelvin would agree" in fresh(client, "/talks/vortex-rings/comments/feed/")


def test_a_held_comment_leaves_the_public_page_in_the_cache(client, talk):
    Series.objects.filter(pk=talk.series_id).update(comment_moderation=Series.Moderation.ALL)
    warm(client, talk.get_absolute_url())

    CommentFactory(talk=talk, body="Awaiting approval", status=Comment.Status.HELD)

    assert "Awaiting approval" not in warm(client, talk.get_absolute_url()).content.decode()


def test_approving_removing_and_restoring_show_at_once(client, talk):
    organiser = OrganiserFactory()
    talk.series.organisers.add(organiser)
    moderator = signed_in_client(organiser)
    held = CommentFactory(talk=talk, body="Held remark", status=Comment.Status.HELD)
    url = talk.get_absolute_url()
    warm(client, url)

    moderator.post(reverse("discussion:comment-approve", args=[held.pk]))
    assert "Held remark" in fresh(client, url)
    warm(client, url)

    moderator.post(reverse("discussion:comment-remove", args=[held.pk]), {"reason": "Spam"})
    assert "Held remark" not in fresh(client, url)
    warm(client, url)

    moderator.post(reverse("discussion:comment-restore", args=[held.pk]))
    assert "Held remark" in fresh(client, url)


def test_removing_comments_in_bulk_in_the_admin_shows_at_once(client, talk):
    organiser = OrganiserFactory()
    talk.series.organisers.add(organiser)
    url = talk.get_absolute_url()
    warm(client, url)

    signed_in_client(organiser).post(
        reverse("admin:seminars_comment_changelist"),
        {
            "action": "remove_comments",
            ACTION_CHECKBOX_NAME: [c.pk for c in talk.comments.all()],
            "apply": "yes",
            "reason": "Off topic",
        },
    )

    assert "A first remark" not in fresh(client, url)


def test_an_edited_comment_shows_its_new_text(client, talk):
    comment = talk.comments.get()
    url = talk.get_absolute_url()
    warm(client, url)

    signed_in_client(comment.author).post(
        reverse("discussion:comment-edit", args=[comment.pk]), {"body": "A better remark"}
    )

    assert "A better remark" in fresh(client, url)


def test_a_comment_on_another_talk_leaves_this_talks_page_and_the_lists_cached(client, talk):
    other = TalkFactory()
    warm(client, talk.get_absolute_url())
    warm(client, "/talks/")

    CommentFactory(talk=other)

    warm(client, talk.get_absolute_url())
    warm(client, "/talks/")


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/talks/",
        "/talks/vortex-rings/",
        "/tags/fluids/",
        "/speakers/ada/",
        "/series/applied/",
        "/feed/",
        "/calendar.ics",
        "/talks/vortex-rings/calendar.ics",
    ],
)
def test_an_edited_talk_shows_everywhere(client, talk, url):
    warm(client, url)

    talk.title = "Smoke rings"
    talk.save()

    assert "Smoke rings" in fresh(client, url)


def test_search_pages_are_never_stored_so_nobody_learns_what_others_searched(client, talk):
    first, second = get(client, "/search/?q=vortex"), get(client, "/search/?q=vortex")

    assert "X-Page-Cache" not in first and "X-Page-Cache" not in second
    assert "private" in first["Cache-Control"]
    talk.abstract = "Rings of smoke."
    talk.save()
    assert "No talks match" not in get(client, "/search/?q=smoke").content.decode()


def stored_entries() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM django_page_cache")
        return cursor.fetchone()[0]


def test_a_junk_page_number_is_redirected_not_stored(client, talk):
    warm(client, "/talks/")
    before = stored_entries()

    for junk in ("junk", "0", "007", "99999", "1e3"):
        response = client.get("/talks/", {"page": junk})
        assert (response.status_code, response["Location"]) == (302, "/talks/")

    assert stored_entries() == before


def test_a_renamed_tag_shows_on_the_talk_and_the_tag_list(client, talk):
    warm(client, talk.get_absolute_url())
    warm(client, "/tags/")

    tag = talk.tags.get()
    tag.name = "Fluid dynamics"
    tag.save()

    assert "Fluid dynamics" in fresh(client, talk.get_absolute_url())
    assert "Fluid dynamics" in fresh(client, "/tags/")


def test_a_tag_taken_off_a_talk_leaves_its_page(client, talk):
    TalkFactory(title="Jets", tags=talk.tags.all())
    warm(client, "/tags/fluids/")

    talk.tags.clear()

    assert "Vortex rings" not in fresh(client, "/tags/fluids/")


def test_a_tag_taken_off_its_last_public_talk_is_no_longer_found(client, talk):
    warm(client, "/tags/fluids/")

    talk.tags.clear()

    assert client.get("/tags/fluids/").status_code == 404


def test_renamed_speakers_and_series_show_on_the_talk(client, talk):
    url = talk.get_absolute_url()
    warm(client, url)
    speaker = talk.speakers.get()
    speaker.name = "Ada O. Okafor"
    speaker.save()
    assert "Ada O. Okafor" in fresh(client, url)

    warm(client, url)
    talk.series.name = "Applied maths seminar"
    talk.series.save()
    assert "Applied maths seminar" in fresh(client, url)


def test_an_unpublished_talk_leaves_the_lists(client, talk):
    warm(client, "/talks/")

    talk.status = Talk.Status.DRAFT
    talk.save()

    assert "Vortex rings" not in fresh(client, "/talks/")


def test_a_new_public_name_shows_on_the_commenters_comments(client, talk):
    author = talk.comments.get().author
    warm(client, talk.get_absolute_url())

    signed_in_client(author).post(
        reverse("accounts:profile"), {"display_name": "Lord Kelvin", "affiliation": ""}
    )

    assert "Lord Kelvin" in fresh(client, talk.get_absolute_url())


def test_a_new_public_name_leaves_pages_without_the_users_comments_cached(client, talk):
    author = talk.comments.get().author
    warm(client, "/talks/")
    warm(client, "/tags/fluids/")

    signed_in_client(author).post(
        reverse("accounts:profile"), {"display_name": "Lord Kelvin", "affiliation": ""}
    )

    assert get(client, "/talks/")["X-Page-Cache"] == "hit"
    assert get(client, "/tags/fluids/")["X-Page-Cache"] == "hit"


def test_a_new_organiser_and_their_new_name_show_on_the_series_page(client, talk):
    url = talk.series.get_absolute_url()
    organiser = OrganiserFactory(display_name="Grace Ito")
    warm(client, url)

    talk.series.organisers.add(organiser)
    assert "Grace Ito" in fresh(client, url)

    warm(client, url)
    signed_in_client(organiser).post(
        reverse("accounts:profile"), {"display_name": "Grace Ito-Lund", "affiliation": ""}
    )
    assert "Grace Ito-Lund" in fresh(client, url)


def test_an_edited_series_description_shows_on_its_page(client, talk):
    url = talk.series.get_absolute_url()
    warm(client, url)

    talk.series.description = "Fridays *at four*."
    talk.series.save()

    assert "<em>at four</em>" in fresh(client, url)


def test_a_profile_save_that_changes_nothing_outdates_nothing(client, talk):
    author = talk.comments.get().author
    warm(client, talk.get_absolute_url())
    unchanged = {"display_name": author.display_name, "affiliation": author.affiliation}

    response = signed_in_client(author).post(reverse("accounts:profile"), unchanged)

    assert response.status_code == 302
    assert get(client, talk.get_absolute_url())["X-Page-Cache"] == "hit"


def test_a_changed_affiliation_or_zone_outdates_nothing(client, talk):
    author = talk.comments.get().author
    warm(client, talk.get_absolute_url())
    changed = {"display_name": author.display_name, "affiliation": "Elsewhere"}

    signed_in_client(author).post(reverse("accounts:profile"), changed)

    assert get(client, talk.get_absolute_url())["X-Page-Cache"] == "hit"


def test_signing_up_outdates_nothing(client, talk):
    warm(client, "/talks/")
    warm(client, talk.get_absolute_url())

    response = Client().post(
        reverse("account_signup"),
        {
            "email": "newcomer@example.org",
            "password1": "a long passphrase 42",
            "password2": "a long passphrase 42",
            "display_name": "Newcomer",
        },
    )

    assert response.status_code == 302
    assert get(client, "/talks/")["X-Page-Cache"] == "hit"
    assert get(client, talk.get_absolute_url())["X-Page-Cache"] == "hit"


def test_a_deleted_account_leaves_deleted_user_on_its_comments(client, talk):
    author = talk.comments.get().author
    warm(client, talk.get_absolute_url())

    author.delete()

    assert "deleted user" in fresh(client, talk.get_absolute_url())


def test_an_evicted_version_is_never_taken_for_current(client, talk):
    warm(client, talk.get_absolute_url())

    # A change without signals, and a cache that has lost the site's version.
    Talk.objects.filter(pk=talk.pk).update(title="Smoke rings")
    page_cache().delete(SITE_VERSION)

    assert "Smoke rings" in fresh(client, talk.get_absolute_url())
    # That request gave the version a new token and stored the page under it.
    assert "Smoke rings" in get(client, talk.get_absolute_url()).content.decode()
    assert get(client, talk.get_absolute_url())["X-Page-Cache"] == "hit"


def test_invalidate_pages_outdates_every_page_after_changes_without_signals(client, talk):
    warm(client, "/talks/")
    warm(client, talk.get_absolute_url())

    Talk.objects.filter(pk=talk.pk).update(title="Smoke rings")
    call_command("invalidate_pages", stdout=io.StringIO())

    assert "Smoke rings" in fresh(client, "/talks/")
    assert "Smoke rings" in fresh(client, talk.get_absolute_url())


def test_migrate_outdates_every_page_as_a_deploy_runs_it(client, talk):
    warm(client, "/talks/")

    call_command("migrate", verbosity=0)

    fresh(client, "/talks/")


def test_pages_of_another_release_are_never_served(client, talk, settings):
    warm(client, "/talks/")

    # As after a deploy that sets RELEASE.
    settings.RELEASE = "another-release"

    fresh(client, "/talks/")


# Time: upcoming talks become past ones.


def at(moment, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_a_talk_goes_live_when_it_starts_and_past_when_it_ends(client, monkeypatch):
    start = timezone.now().replace(microsecond=0) + HOUR
    TalkFactory(title="Vortex rings", start=start, end=start + HOUR)
    warm(client, "/talks/")

    at(start - datetime.timedelta(seconds=1), monkeypatch)
    assert "Live now" not in warm(client, "/talks/").content.decode()

    at(start + datetime.timedelta(microseconds=1), monkeypatch)
    live = fresh(client, "/talks/")
    assert "Live now" in live and 'id="past-talks"' not in live

    at(start + HOUR + datetime.timedelta(microseconds=1), monkeypatch)
    assert 'id="past-talks"' in fresh(client, "/talks/")


def test_a_talk_leaves_the_calendar_when_it_leaves_the_window(client, monkeypatch):
    start = timezone.now().replace(microsecond=0) - datetime.timedelta(days=30) + HOUR
    TalkFactory(title="Vortex rings", start=start)
    assert "Vortex rings" in warm(client, "/calendar.ics").content.decode()

    at(start + datetime.timedelta(days=30, seconds=1), monkeypatch)

    assert "Vortex rings" not in fresh(client, "/calendar.ics")


# Signed-in visitors: pages rendered for each, sharing only public fragments.


def test_signed_in_pages_are_rendered_for_each_visitor_and_never_stored(client, talk):
    grace = signed_in_client(UserFactory(display_name="Grace"))
    hedy = signed_in_client(UserFactory(display_name="Hedy"))

    first, second = grace.get("/talks/"), hedy.get("/talks/")
    anonymous = get(client, "/talks/")

    assert "X-Page-Cache" not in first and "X-Page-Cache" not in second
    assert "Grace" in first.content.decode() and "Hedy" not in first.content.decode()
    assert "Hedy" in second.content.decode() and "Grace" not in second.content.decode()
    assert "Vortex rings" in second.content.decode()
    # Nothing the members saw was stored for the public.
    assert anonymous["X-Page-Cache"] == "miss"


def test_the_log_out_button_carries_the_visitors_own_token(talk):
    signed_in_client().get("/talks/")
    member = Client(enforce_csrf_checks=True)
    member.force_login(UserFactory())

    page = member.get("/talks/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    response = member.post(reverse("account_logout"), {"csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert "_auth_user_id" not in member.session


def test_each_visitor_sees_whether_they_follow_the_tag(talk):
    follower = UserFactory()
    follower.followed_tags.add(talk.tags.get())
    other = signed_in_client()
    other_page = other.get("/tags/fluids/")

    follower_page = signed_in_client(follower).get("/tags/fluids/")
    other.post(reverse("accounts:follow", args=["tag", "fluids"]))
    after_following = other.get("/tags/fluids/")

    assert "Unfollow this tag" in follower_page.content.decode()
    assert "Unfollow this tag" not in other_page.content.decode()
    assert "Follow this tag" in other_page.content.decode()
    assert "Unfollow this tag" in after_following.content.decode()


def test_talk_cards_are_a_public_fragment_shared_until_a_change(talk, django_assert_num_queries):
    signed_in_client().get("/talks/?when=upcoming")
    member = signed_in_client()

    # session, user. The cards (talks, their speakers and tags) and the page links
    # (the paginator's count) come from the fragment the first member left.
    with django_assert_num_queries(2):
        shared = member.get("/talks/?when=upcoming")
    talk.title = "Smoke rings"
    talk.save()
    changed = member.get("/talks/?when=upcoming")

    assert "Vortex rings" in shared.content.decode()
    assert "Smoke rings" in changed.content.decode()
    assert "Vortex rings" not in changed.content.decode()


@pytest.mark.parametrize("page", ["2", "99"])
def test_a_signed_in_visitor_past_the_last_page_is_sent_to_it(page):
    """The count is read only when the cards' fragment misses (seminars.pagination):
    a page past the end must still redirect, with the first page's fragment stored."""
    TalkFactory()
    member = signed_in_client()
    member.get("/talks/")

    response = member.get("/talks/", {"page": page})

    assert response.status_code == 302
    assert response["Location"] == "/talks/"


def test_talk_cards_leave_upcoming_when_their_talk_ends(monkeypatch):
    start = timezone.now() + HOUR
    TalkFactory(title="Soon", start=start, end=start + HOUR)
    member = signed_in_client()
    before = member.get("/talks/").content.decode()

    at(start + HOUR + datetime.timedelta(minutes=1), monkeypatch)
    after = member.get("/talks/").content.decode()

    assert before.index("Upcoming talks") < before.index("Soon")
    assert "No upcoming talks here yet." not in before
    assert "No upcoming talks here yet." in after


def test_the_home_pages_lists_change_for_signed_in_visitors_when_a_talk_ends(monkeypatch):
    start = timezone.now() + HOUR
    TalkFactory(title="Soon", start=start, end=start + HOUR)
    member = signed_in_client()
    before = member.get("/").content.decode()

    at(start + HOUR + datetime.timedelta(minutes=1), monkeypatch)
    after = member.get("/").content.decode()

    assert "No upcoming talks yet." not in before
    assert "No upcoming talks yet." in after
    assert "Soon" in after.split("Recent talks")[1]


def test_talk_feeds_are_one_copy_per_time_zone_for_signed_in_readers(client, talk):
    tokyo = [signed_in_client(UserFactory(timezone="Asia/Tokyo")) for _ in range(2)]
    berlin = signed_in_client(UserFactory(timezone="Europe/Berlin"))

    first, second = tokyo[0].get("/feed/"), tokyo[1].get("/feed/")
    other_zone = berlin.get("/feed/")

    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    assert first.content == second.content
    assert other_zone["X-Page-Cache"] == "miss"
    assert first.content != other_zone.content


def test_visitors_in_another_time_zone_get_their_own_fragment(talk):
    signed_in_client().get("/talks/")
    tokyo = signed_in_client(UserFactory(timezone="Asia/Tokyo"))

    page = tokyo.get("/talks/").content.decode()

    assert "your time" in page
    assert 'title="Asia/Tokyo time"' in page


def test_the_home_pages_tag_cloud_is_shared_with_signed_in_visitors_until_a_change(
    django_assert_num_queries,
):
    TalkFactory(tags=[TagFactory(name="Fluids")])
    signed_in_client().get("/")
    member = signed_in_client()

    # session, user: the talk lists, the tag counts and when the next talk starts
    # (asked only to store a fragment) come from the fragments the first member left.
    with django_assert_num_queries(2):
        assert "Fluids" in member.get("/").content.decode()
    TalkFactory(tags=[TagFactory(name="Acoustics")])

    assert "Acoustics" in member.get("/").content.decode()


def test_the_public_thread_is_a_fragment_shared_until_a_comment_changes_it(
    talk, django_assert_num_queries
):
    signed_in_client().get(talk.get_absolute_url())
    member = signed_in_client()

    # session, user; the talk with its series, its speakers, its tags; whether the
    # member commented on it. The thread comes from the fragment.
    with django_assert_num_queries(6):
        shared = member.get(talk.get_absolute_url()).content.decode()
    CommentFactory(talk=talk, body="A second remark")
    changed = member.get(talk.get_absolute_url()).content.decode()

    assert "A first remark" in shared and "A second remark" not in shared
    assert "A second remark" in changed
    assert 'id="comment-form"' in shared


def test_a_commenter_gets_their_own_thread_not_the_fragment(talk):
    signed_in_client().get(talk.get_absolute_url())
    grace = UserFactory(display_name="Grace")
    mine = CommentFactory(talk=talk, author=grace, body="Mine", status=Comment.Status.HELD)

    page = signed_in_client(grace).get(talk.get_absolute_url()).content.decode()

    assert "Mine" in page
    assert reverse("discussion:comment-edit", args=[mine.pk]) in page


def test_a_talk_feed_read_in_a_chosen_time_zone_is_not_served_to_others(client, talk):
    tokyo = signed_in_client(UserFactory(timezone="Asia/Tokyo"))

    in_tokyo = tokyo.get("/feed/")
    anonymous = get(client, "/feed/")

    assert "your time" in in_tokyo.content.decode()
    assert anonymous["X-Page-Cache"] == "miss"
    assert "your time" not in anonymous.content.decode()


def test_calendars_are_one_copy_for_everyone(client, talk):
    anonymous = get(client, "/calendar.ics")
    member = signed_in_client().get("/calendar.ics")

    assert member["X-Page-Cache"] == "hit"
    assert member.content == anonymous.content


# Never from or into the cache: a signed-in user's talk page, messages, cookies, errors.


def test_a_commenters_talk_page_shows_their_held_comment_and_is_never_stored(client, talk):
    warm(client, talk.get_absolute_url())
    grace = UserFactory(display_name="Grace")
    # Held: only Grace (and the organisers) see it.
    CommentFactory(talk=talk, author=grace, body="My own remark", status=Comment.Status.HELD)
    member = signed_in_client(grace)

    response = member.get(talk.get_absolute_url())

    assert "My own remark" in response.content.decode()
    assert "X-Page-Cache" not in response
    assert "private" in response["Cache-Control"]
    assert reverse("discussion:comment-edit", args=[talk.comments.get(author=grace).pk]) in (
        response.content.decode()
    )
    # The member's visit stored nothing: the anonymous page is still the stored one.
    assert "Grace" not in warm(client, talk.get_absolute_url()).content.decode()


def test_a_page_with_a_message_is_neither_served_nor_stored(client):
    user = UserFactory()
    warm(client, "/talks/")
    client.force_login(user)
    # Logging out leaves the anonymous visitor a message for the next page.
    client.post(reverse("account_logout"))

    with_message = client.get("/talks/")
    after = client.get("/talks/")

    assert "You have signed out." in with_message.content.decode()
    assert "X-Page-Cache" not in with_message
    assert "You have signed out." not in after.content.decode()
    assert after["X-Page-Cache"] == "hit"


def test_a_query_the_page_does_not_know_is_not_cached(client, talk):
    response = client.get("/talks/", {"utm_source": "newsletter"})

    assert response.status_code == 200
    assert "X-Page-Cache" not in response


def test_errors_are_not_stored(client):
    TalkFactory()
    for _ in range(2):
        response = client.get(reverse("seminars:talk-archive", args=[1999]))
        assert response.status_code == 404
        assert response["X-Page-Cache"] == "miss"


@cache_public_page()
def page_with_a_form(request):
    return HttpResponse(Template("{% csrf_token %}").render(RequestContext(request)))


def render_fragment(request, part: str) -> HttpResponse:
    """A page whose only content is `part` (template source) as a public fragment;
    `fresh` is new on each render, so a stored fragment shows by repeating it."""
    template = Template(
        "{% load pagecache %}{% public_fragment 'part' %}" + part + "{% end_public_fragment %}"
    )
    return HttpResponse(template.render(RequestContext(request, {"fresh": uuid.uuid4()})))


@cache_public_page()
def page_with_a_token_in_a_fragment(request):
    return render_fragment(request, '<meta name="csrf" content="{{ csrf_token }}">')


@cache_public_page()
def page_with_a_public_fragment(request):
    return render_fragment(request, "{{ fresh }}")


WRITES_WHILE_RENDERING = []


@cache_public_page()
def page_changed_while_it_renders(request):
    """As when another process commits a change after this page read its data, and
    before its fragment is rendered: the first time only."""
    if not WRITES_WHILE_RENDERING:
        WRITES_WHILE_RENDERING.append(True)
        site_changed()
    return render_fragment(request, "{{ fresh }}")


urlpatterns = [
    path("form/", page_with_a_form),
    path("token/", page_with_a_token_in_a_fragment),
    path("fragment/", page_with_a_public_fragment),
    path("changed/", page_changed_while_it_renders),
]


@pytest.mark.urls(__name__)
def test_a_page_that_sets_the_csrf_cookie_is_never_stored(client):
    responses = [client.get("/form/") for _ in range(3)]

    assert "csrftoken" in responses[0].cookies
    assert [response["X-Page-Cache"] for response in responses] == ["miss"] * 3


@pytest.mark.urls(__name__)
def test_a_fragment_that_used_the_csrf_token_is_never_stored():
    pages = [signed_in_client().get("/token/").content.decode() for _ in range(2)]

    tokens = [page.split('content="')[1].split('"')[0] for page in pages]
    assert all(tokens) and tokens[0] != tokens[1]


@pytest.mark.urls(__name__)
def test_a_fragment_is_shared_and_its_address_holds_only_known_parameters():
    first = signed_in_client().get("/fragment/").content
    second = signed_in_client().get("/fragment/").content
    unknown = signed_in_client().get("/fragment/", {"junk": "1"}).content

    assert first == second
    # Unknown parameters: rendered in place, and nothing stored under them.
    assert unknown != first
    assert signed_in_client().get("/fragment/", {"junk": "1"}).content != unknown


@pytest.mark.urls(__name__)
def test_a_fragment_is_kept_under_the_tokens_read_before_the_view():
    """The data a page read before a write must not be stored as current after it."""
    WRITES_WHILE_RENDERING.clear()
    member = signed_in_client()

    during_the_write = member.get("/changed/").content
    after_it = member.get("/changed/").content
    again = member.get("/changed/").content

    assert after_it != during_the_write
    assert again == after_it


def test_pages_render_when_the_cache_is_down(client, talk, settings):
    # Nothing listens on port 1: every cache call fails at once.
    settings.CACHES = {
        alias: {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
        for alias in ("default", "pages")
    }

    talk.title = "Smoke rings"
    talk.save()
    response = client.get(talk.get_absolute_url())

    assert response.status_code == 200
    assert "Smoke rings" in response.content.decode()


# Conditional GET: ETags and 304s.


@pytest.mark.parametrize("url", ["/talks/vortex-rings/", "/feed/", "/calendar.ics"])
def test_an_unchanged_page_answers_304_until_it_changes(client, talk, url):
    etag = get(client, url)["ETag"]

    unchanged = client.get(url, headers={"If-None-Match": etag})
    talk.title = "Smoke rings"
    talk.save()
    changed = client.get(url, headers={"If-None-Match": etag})

    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_a_compressed_page_answers_304_to_its_weak_etag(client, talk):
    compressed = get(client, "/talks/", **{"Accept-Encoding": "gzip"})

    again = client.get(
        "/talks/", headers={"Accept-Encoding": "gzip", "If-None-Match": compressed["ETag"]}
    )

    assert compressed["Content-Encoding"] == "gzip"
    assert compressed["ETag"].startswith('W/"')
    assert again.status_code == 304


def test_a_hit_is_sent_compressed_as_stored_and_reads_as_the_page(client, talk):
    # Compressed by GZipMiddleware, then from the cache, then the page itself.
    first = get(client, "/calendar.ics", **{"Accept-Encoding": "gzip"})
    hit = get(client, "/calendar.ics", **{"Accept-Encoding": "gzip, br"})
    next_hit = get(client, "/calendar.ics", **{"Accept-Encoding": "gzip"})
    plain = get(client, "/calendar.ics")
    again = client.get(
        "/calendar.ics", headers={"Accept-Encoding": "gzip", "If-None-Match": hit["ETag"]}
    )

    assert (first["X-Page-Cache"], hit["X-Page-Cache"]) == ("miss", "hit")
    assert hit["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in hit["Vary"]
    assert gzip.decompress(hit.content) == gzip.decompress(first.content) == plain.content
    # The stored copy, byte for byte: GZipMiddleware adds random bytes each time.
    assert next_hit.content == hit.content
    assert first.content != hit.content
    assert hit["ETag"] == first["ETag"] == "W/" + plain["ETag"]
    assert again.status_code == 304


def test_if_modified_since_alone_never_hides_a_change(client, talk):
    # No Last-Modified is sent: a removed entry can leave a feed's newest date
    # unchanged, so the date cannot say whether the feed changed.
    feed = get(client, "/talks/vortex-rings/comments/feed/")
    soft_delete(talk.comments.get(), by=None)
    since = feed.get("Date") or "Sat, 01 Jan 2050 00:00:00 GMT"

    response = client.get(
        "/talks/vortex-rings/comments/feed/", headers={"If-Modified-Since": since}
    )

    assert not feed.has_header("Last-Modified")
    assert response.status_code == 200
    assert "A first remark" not in response.content.decode()


def test_browsers_must_ask_again_and_signed_in_pages_stay_private(client, talk):
    anonymous = get(client, "/talks/")
    member = signed_in_client().get("/talks/")

    assert anonymous["Cache-Control"] == "no-cache"
    assert set(member["Cache-Control"].split(", ")) == {"no-cache", "private"}
    assert "Cookie" in anonymous["Vary"]


def test_each_organiser_sees_their_own_series_moderation_not_a_cached_page(client):
    organiser = OrganiserFactory()
    series = OrganisedSeriesFactory(organisers=[organiser])
    talk = TalkFactory(series=series)
    CommentFactory(talk=talk, body="Held remark", status=Comment.Status.HELD)
    warm(client, talk.get_absolute_url())

    response = signed_in_client(organiser).get(talk.get_absolute_url())

    assert "Held remark" in response.content.decode()
