"""Saving talks (a plain form on the talk page) and the "My talks" page."""

import datetime
import re

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import SavedTalk
from accounts.views import delete_user
from seminars.models import Talk
from tests.factories import SeriesFactory, SpeakerFactory, TagFactory, TalkFactory, UserFactory
from tests.html import parse

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def save_url(talk):
    return reverse("accounts:save-talk", args=[talk.slug])


def unsave_url(talk):
    return reverse("accounts:unsave-talk", args=[talk.slug])


def saved_titles(user) -> set[str]:
    return set(SavedTalk.objects.filter(user=user).values_list("talk__title", flat=True))


def test_saving_a_talk_returns_to_its_page_which_then_offers_to_unsave(client, signed_in_user):
    talk = TalkFactory(title="Vortex rings")
    page = client.get(talk.get_absolute_url()).content.decode()
    assert f'action="{save_url(talk)}"' in page and f'action="{unsave_url(talk)}"' not in page

    response = client.post(save_url(talk), {"next": talk.get_absolute_url() + "?page=1"})

    assert response.status_code == 302
    assert response["Location"] == talk.get_absolute_url() + "?page=1"
    assert saved_titles(signed_in_user) == {"Vortex rings"}
    page = client.get(talk.get_absolute_url()).content.decode()
    assert f'action="{unsave_url(talk)}"' in page and f'action="{save_url(talk)}"' not in page


def test_saving_twice_keeps_one_and_unsaving_removes_it(client, signed_in_user):
    talk = TalkFactory()
    client.post(save_url(talk))
    client.post(save_url(talk))
    assert SavedTalk.objects.filter(user=signed_in_user, talk=talk).count() == 1

    response = client.post(unsave_url(talk))

    assert response["Location"] == talk.get_absolute_url()
    assert not SavedTalk.objects.filter(user=signed_in_user).exists()
    # Unsaving what is not saved is harmless.
    assert client.post(unsave_url(talk)).status_code == 302


def test_the_database_refuses_a_second_row_for_one_user_and_talk():
    user, talk = UserFactory(), TalkFactory()
    SavedTalk.objects.create(user=user, talk=talk)
    with pytest.raises(IntegrityError), transaction.atomic():
        SavedTalk.objects.create(user=user, talk=talk)


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example.org/",
        "//evil.example.org/",
        "javascript:alert(1)",
        "",
        "\\\\evil",
        # Not paths: redirect() would look them up as URL names (found by test_fuzz).
        "0",
        "home",
    ],
)
def test_a_next_address_off_the_site_is_ignored(client, signed_in_user, next_url):
    talk = TalkFactory()
    response = client.post(save_url(talk), {"next": next_url})
    assert response["Location"] == talk.get_absolute_url()


def test_a_draft_cannot_be_saved(client, signed_in_user):
    draft = TalkFactory(status=Talk.Status.DRAFT)
    assert client.post(save_url(draft)).status_code == 404
    assert not SavedTalk.objects.exists()


def test_anonymous_visitors_are_asked_to_log_in_and_save_nothing(client):
    talk = TalkFactory()
    page = client.get(talk.get_absolute_url())
    [notice] = [p for p in parse(page.content.decode()).iter("p") if p.has_class("save-talk")]
    assert "Log in to save this talk" in notice.text
    assert notice.find_all("a")[0].attrs["href"] == (
        f"{reverse('account_login')}?next=/talks/{talk.slug}/"
    )
    assert f'action="{save_url(talk)}"'.encode() not in page.content
    # The page is the public's, and stored for the next anonymous visitor.
    assert client.get(talk.get_absolute_url())["X-Page-Cache"] == "hit"

    response = client.post(save_url(talk))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert not SavedTalk.objects.exists()


def test_saving_needs_the_csrf_token(signed_in_user):
    talk = TalkFactory()
    member = Client(enforce_csrf_checks=True)
    member.force_login(signed_in_user)
    assert member.post(save_url(talk)).status_code == 403
    assert not SavedTalk.objects.exists()

    page = member.get(talk.get_absolute_url()).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    assert member.post(save_url(talk), {"csrfmiddlewaretoken": token}).status_code == 302
    assert SavedTalk.objects.filter(user=signed_in_user, talk=talk).exists()


def test_deleting_an_account_deletes_its_saved_talks():
    user = UserFactory()
    SavedTalk.objects.create(user=user, talk=TalkFactory())
    delete_user(user)
    assert not SavedTalk.objects.exists()


# My talks


def card_titles(section) -> list[str]:
    titles = [h for h in section.iter() if h.has_class("talk-title")]
    return [title.find_all("a")[0].text.strip() for title in titles]


def my_talks(client) -> dict[str, list[str]]:
    """The titles of each list on "My talks" (a list not shown is empty)."""
    response = client.get(reverse("accounts:my-talks"))
    assert response.status_code == 200
    document = parse(response.content.decode())
    lists = {"saved": [], "followed": [], "past": []}
    for part in lists:
        for section in document.find_all("section", aria_labelledby=f"{part}-heading"):
            lists[part] = card_titles(section)
    return lists


def test_my_talks_needs_a_sign_in(client):
    response = client.get(reverse("accounts:my-talks"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_my_talks_lists_saved_talks_upcoming_first_then_what_they_follow(client, signed_in_user):
    now = timezone.now()
    tag, series, speaker = TagFactory(), SeriesFactory(), SpeakerFactory()
    signed_in_user.followed_tags.add(tag)
    signed_in_user.followed_series.add(series)
    signed_in_user.followed_speakers.add(speaker)
    UserFactory().followed_series.add(series)
    later = TalkFactory(title="Later saved", start=now + 3 * DAY)
    sooner = TalkFactory(title="Sooner saved", start=now + DAY)
    live = TalkFactory(title="Live saved", start=now - datetime.timedelta(minutes=10))
    past = TalkFactory(title="Past saved", start=now - 3 * DAY)
    # Followed three times over, in a series others follow too: listed once.
    TalkFactory(
        title="Followed everything",
        start=now + 2 * DAY,
        series=series,
        tags=[tag, TagFactory()],
        speakers=[speaker],
    )
    TalkFactory(title="By tag", start=now + 4 * DAY, tags=[tag])
    TalkFactory(title="By speaker", start=now + 5 * DAY, speakers=[speaker])
    # Saved and followed: among the saved only.
    followed_and_saved = TalkFactory(title="Saved and followed", start=now + 6 * DAY, tags=[tag])
    TalkFactory(title="Past followed", start=now - DAY, series=series)
    TalkFactory(title="Draft followed", series=series, status=Talk.Status.DRAFT)
    TalkFactory(title="Not followed", start=now + DAY)
    saved_draft = TalkFactory(title="Saved then drafted")
    for talk in (later, sooner, live, past, followed_and_saved, saved_draft):
        SavedTalk.objects.create(user=signed_in_user, talk=talk)
    Talk.objects.filter(pk=saved_draft.pk).update(status=Talk.Status.DRAFT)
    # Someone else's saves are not theirs.
    SavedTalk.objects.create(user=UserFactory(), talk=TalkFactory(title="Another's"))

    lists = my_talks(client)

    assert lists["saved"] == ["Live saved", "Sooner saved", "Later saved", "Saved and followed"]
    assert lists["followed"] == ["Followed everything", "By tag", "By speaker"]
    assert lists["past"] == ["Past saved"]


def test_my_talks_when_nothing_is_saved_or_followed(client, signed_in_user):
    TalkFactory()
    text = client.get(reverse("accounts:my-talks")).content.decode()
    assert "No saved talks to come" in text and "Nothing coming up in what you follow" in text


@pytest.mark.parametrize("rows", [1, 20])
def test_my_talks_query_count(client, signed_in_user, rows, django_assert_num_queries):
    now = timezone.now()
    tag = TagFactory()
    signed_in_user.followed_tags.add(tag)
    for day in range(1, rows + 1):
        for start in (now + day * DAY, now - day * DAY):
            speakers, tags = [SpeakerFactory()], [TagFactory()]
            talk = TalkFactory(start=start, series=SeriesFactory(), speakers=speakers, tags=tags)
            SavedTalk.objects.create(user=signed_in_user, talk=talk)
        TalkFactory(start=now + day * DAY, tags=[tag], speakers=[SpeakerFactory()])
    # The session, the user; saved talks to come, followed talks, saved past talks
    # (each with its series); the cards' speakers, their tags.
    with django_assert_num_queries(7):
        lists = my_talks(client)
    assert [len(lists[part]) for part in ("saved", "followed", "past")] == [rows] * 3


@pytest.mark.parametrize("rows", [1, 20])
def test_talk_page_with_its_save_button_query_count(client, rows, django_assert_num_queries):
    user = UserFactory()
    client.force_login(user)
    talks = [TalkFactory(speakers=[SpeakerFactory()], tags=[TagFactory()]) for _ in range(rows)]
    for talk in talks:
        SavedTalk.objects.create(user=user, talk=talk)
    # The session, the user; the talk with its series and whether it is saved; its
    # speakers, its tags; whether the visitor commented on it; the public thread is a
    # fragment (stored by the first request, so the second reads no comments).
    client.get(talks[0].get_absolute_url())
    with django_assert_num_queries(6):
        page = client.get(talks[0].get_absolute_url()).content.decode()
    assert f'action="{unsave_url(talks[0])}"' in page
