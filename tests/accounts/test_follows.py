"""Following tags, series and speakers: POST buttons on their pages, for signed-in users."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import SeriesFactory, SpeakerFactory, TagFactory, TalkFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["tag", "series", "speaker"])
def followable(request):
    """(kind, the tag, series or speaker, the User field listing what the user follows)."""
    if request.param == "tag":
        # A tag's page is public once a public talk uses it.
        tag = TagFactory(name="Topology")
        TalkFactory(tags=[tag])
        return "tag", tag, "followed_tags"
    if request.param == "speaker":
        speaker = SpeakerFactory(name="Grace Hopper")
        TalkFactory(speakers=[speaker])
        return "speaker", speaker, "followed_speakers"
    return "series", SeriesFactory(name="Geometry seminar"), "followed_series"


def follow_url(kind, target):
    return reverse("accounts:follow", args=[kind, target.slug])


def unfollow_url(kind, target):
    return reverse("accounts:unfollow", args=[kind, target.slug])


def follows(user, field):
    return list(getattr(user, field).all())


def test_following_and_unfollowing(client, followable):
    kind, target, field = followable
    user = UserFactory()
    client.force_login(user)

    response = client.post(follow_url(kind, target))
    assert response.status_code == 302
    assert response["Location"] == target.get_absolute_url()
    assert follows(user, field) == [target]

    response = client.post(unfollow_url(kind, target), follow=True)
    assert follows(user, field) == []
    assert f"You no longer follow {target}." in response.content.decode()


def test_following_twice_or_unfollowing_what_you_do_not_follow_is_harmless(client, followable):
    kind, target, field = followable
    user = UserFactory()
    client.force_login(user)
    client.post(follow_url(kind, target))
    assert client.post(follow_url(kind, target)).status_code == 302
    assert follows(user, field) == [target]
    client.post(unfollow_url(kind, target))
    assert client.post(unfollow_url(kind, target)).status_code == 302
    assert follows(user, field) == []


def test_the_page_shows_a_follow_button_then_an_unfollow_button(client, followable):
    kind, target, field = followable
    user = UserFactory()
    client.force_login(user)
    content = client.get(target.get_absolute_url()).content.decode()
    assert f'action="{follow_url(kind, target)}"' in content
    assert f"Follow this {kind}</button>" in content
    assert "csrfmiddlewaretoken" in content

    getattr(user, field).add(target)
    content = client.get(target.get_absolute_url()).content.decode()
    assert f'action="{unfollow_url(kind, target)}"' in content
    assert f"Unfollow this {kind}</button>" in content


def test_another_users_follow_does_not_show_as_yours(client, followable):
    kind, target, field = followable
    getattr(UserFactory(), field).add(target)
    client.force_login(UserFactory())
    content = client.get(target.get_absolute_url()).content.decode()
    assert f'action="{follow_url(kind, target)}"' in content


def test_anonymous_visitors_are_invited_to_log_in_and_cannot_follow(client, followable):
    kind, target, field = followable
    content = client.get(target.get_absolute_url()).content.decode()
    assert f'action="{follow_url(kind, target)}"' not in content
    login = reverse("account_login")
    assert f'href="{login}?next={target.get_absolute_url()}">Log in</a> to follow' in content

    response = client.post(follow_url(kind, target))
    assert response.status_code == 302
    assert response["Location"].startswith(login)


def test_following_needs_a_csrf_token(followable):
    kind, target, field = followable
    user = UserFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post(follow_url(kind, target)).status_code == 403
    assert follows(user, field) == []


def test_following_is_a_post_only(client, followable):
    kind, target, field = followable
    user = UserFactory()
    client.force_login(user)
    assert client.get(follow_url(kind, target)).status_code == 405
    assert follows(user, field) == []


@pytest.mark.parametrize("kind", ["talk", "user"])
def test_only_tags_series_and_speakers_can_be_followed(client, kind):
    talk = TalkFactory()
    client.force_login(UserFactory())
    assert client.post(reverse("accounts:follow", args=[kind, talk.slug])).status_code == 404


def test_following_a_missing_tag_is_not_found(client):
    client.force_login(UserFactory())
    assert client.post(reverse("accounts:follow", args=["tag", "no-such-tag"])).status_code == 404


@pytest.mark.parametrize("rows", [1, 20])
def test_the_follow_state_costs_one_query(client, followable, rows, django_assert_num_queries):
    kind, target, field = followable
    user = UserFactory()
    for _ in range(rows):
        other = UserFactory()
        getattr(other, field).add(target)
    getattr(user, field).add(target)
    client.force_login(user)
    # session, user; the tag, series or speaker; the count for the paginator; the
    # follow flag, rendered for this visitor. A series' page also names its
    # organisers; tags and speakers have a talk (their pages are public only
    # then): its card, its speakers and its tags.
    own_queries = 1 if kind == "series" else 3
    with django_assert_num_queries(5 + own_queries):
        response = client.get(target.get_absolute_url())
    assert f"Unfollow this {kind}" in response.content.decode()
