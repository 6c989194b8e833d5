"""Holding comments for approval (series policy, links, blocked words), who sees held
comments, and the organisers' approve / remove / restore endpoints on the talk page."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from accounts import notifications
from discussion import moderation
from discussion.moderation import count_links
from seminars.models import Comment, Series
from tests.factories import (
    CommentFactory,
    OrganiserFactory,
    SeriesFactory,
    SuperuserFactory,
    TalkFactory,
    UserFactory,
    soft_delete,
)
from tests.seminars.commenting import (
    comment_article,
    moderate,
    post_comment,
    shown_to,
    talk_url,
)

pytestmark = pytest.mark.django_db

AWAITING = "Awaiting approval"


def organiser_of(series):
    organiser = OrganiserFactory()
    series.organisers.add(organiser)
    return organiser


def posted(client, talk, body):
    """Post as a fresh user; the stored comment."""
    client.force_login(UserFactory())
    response = post_comment(client, talk, body)
    assert response.status_code == 302
    return Comment.objects.latest("id")


# Links


@pytest.mark.parametrize(
    ("body", "links"),
    [
        ("No links here, just a.b and httpfoo", 0),
        ("See https://example.org/paper and http://example.com", 2),
        ("www.example.org is bare", 1),
        ("[the paper](https://example.org/paper)", 1),
        # A link whose text is its address is one link.
        ("[https://example.org](https://example.org)", 1),
        ("<https://example.org/autolink>", 1),
        ("[a reference][1]\n\n[1]: https://example.org/ref", 1),
        ("`https://example.org/in-code`", 1),
        ("    https://example.org/in-a-code-block", 1),
        ("*https://example.org/emphasised*", 1),
        ("HTTPS://EXAMPLE.ORG/SHOUTED", 1),
        ("line one https://a.example\nline two https://b.example", 2),
    ],
)
def test_links_are_counted_in_markdown_and_bare(body, links):
    assert count_links(body) == links


def test_more_links_than_the_series_allows_holds_the_comment(client):
    talk = TalkFactory(series=SeriesFactory(max_links=2))
    at_limit = posted(client, talk, "https://a.example and https://b.example")
    over = posted(client, talk, "[one](https://a.example) https://b.example www.c.example")

    assert at_limit.status == Comment.Status.PUBLISHED
    assert over.status == Comment.Status.HELD
    assert over.held_reason == "3 links (the series allows 2)"


def test_a_series_can_hold_every_comment_with_a_link(client):
    talk = TalkFactory(series=SeriesFactory(max_links=0))
    assert posted(client, talk, "Plain text").status == Comment.Status.PUBLISHED
    assert posted(client, talk, "<https://a.example>").status == Comment.Status.HELD


# Blocked words


@pytest.mark.parametrize(
    ("body", "held"),
    [
        ("Cheap CASINO chips", True),
        ("casino.", True),
        ("Buy   now please", True),  # a phrase, with any spacing
        ("buy\nnow", True),
        ("casinos are not the word", False),  # whole words only
        ("a musical class", False),  # "ass" is not blocked inside a word
        ("an ass", True),
        ("buy it now", False),
    ],
)
def test_blocked_words_and_phrases_hold_case_insensitively_as_whole_words(client, body, held):
    series = SeriesFactory(blocked_words="casino\n\n  buy now  \nass\n")
    comment = posted(client, TalkFactory(series=series), body)
    expected = Comment.Status.HELD if held else Comment.Status.PUBLISHED
    assert comment.status == expected


def test_the_held_reason_names_the_blocked_word(client):
    series = SeriesFactory(blocked_words="casino")
    comment = posted(client, TalkFactory(series=series), "Casino night")
    assert comment.held_reason == "Contains the blocked word “casino”"


def test_a_series_without_blocked_words_blocks_nothing(client):
    comment = posted(client, TalkFactory(series=SeriesFactory(blocked_words="\n \n")), "anything")
    assert comment.status == Comment.Status.PUBLISHED


# The series' policy


def test_by_default_comments_are_published_at_once(client):
    comment = posted(client, TalkFactory(), "Straight through")
    assert (comment.status, comment.held_reason) == (Comment.Status.PUBLISHED, "")


def test_a_series_holding_every_comment_holds_even_regular_commenters(client):
    talk = TalkFactory(series=SeriesFactory(comment_moderation=Series.Moderation.ALL))
    regular = CommentFactory(talk=talk).author
    client.force_login(regular)

    post_comment(client, talk, "Again")

    comment = Comment.objects.latest("id")
    assert comment.status == Comment.Status.HELD
    assert comment.held_reason == "The series holds every comment"


def test_reasons_are_combined(client):
    series = SeriesFactory(
        comment_moderation=Series.Moderation.ALL, max_links=0, blocked_words="casino"
    )
    comment = posted(client, TalkFactory(series=series), "casino https://a.example")
    assert comment.held_reason == (
        "The series holds every comment; 1 links (the series allows 0); "
        "contains the blocked word “casino”"
    )


@pytest.fixture
def first_time_talk():
    return TalkFactory(series=SeriesFactory(comment_moderation=Series.Moderation.FIRST_TIME))


def test_first_time_commenters_are_held_until_one_comment_is_approved(client, first_time_talk):
    user = UserFactory()
    client.force_login(user)

    post_comment(client, first_time_talk, "Hello, first time here")
    post_comment(client, first_time_talk, "Still waiting")
    first, second = Comment.objects.order_by("id")
    assert [first.status, second.status] == [Comment.Status.HELD] * 2
    assert first.held_reason == "First comment by this author"

    client.force_login(organiser_of(first_time_talk.series))
    moderate(client, "approve", first)
    client.force_login(user)
    post_comment(client, first_time_talk, "Now I am known")

    assert Comment.objects.latest("id").status == Comment.Status.PUBLISHED


def test_an_approved_comment_in_any_series_counts(client, first_time_talk):
    elsewhere = CommentFactory()  # published, in another series
    client.force_login(elsewhere.author)
    post_comment(client, first_time_talk, "Known on the portal")
    assert Comment.objects.latest("id").status == Comment.Status.PUBLISHED


@pytest.mark.parametrize(
    "previous",
    [{"removed": True}, {"status": Comment.Status.HELD}],
    ids=["removed", "still-held"],
)
def test_a_removed_or_held_comment_is_not_an_approved_one(client, first_time_talk, previous):
    author = CommentFactory(**previous).author
    client.force_login(author)
    post_comment(client, first_time_talk, "Trying again")
    assert Comment.objects.latest("id").status == Comment.Status.HELD


def test_organisers_comments_in_their_own_series_are_never_held(client):
    series = SeriesFactory(
        comment_moderation=Series.Moderation.ALL, max_links=0, blocked_words="casino"
    )
    client.force_login(organiser_of(series))
    post_comment(client, TalkFactory(series=series), "casino https://a.example")
    assert Comment.objects.get().status == Comment.Status.PUBLISHED


def test_an_organiser_of_another_series_is_held_like_anyone(client):
    series = SeriesFactory(comment_moderation=Series.Moderation.ALL)
    client.force_login(organiser_of(SeriesFactory()))
    post_comment(client, TalkFactory(series=series), "Visiting")
    assert Comment.objects.get().status == Comment.Status.HELD


# Editing


def test_editing_a_published_comment_into_spam_holds_it(client):
    series = SeriesFactory(blocked_words="casino")
    comment = CommentFactory(talk=TalkFactory(series=series), body="Innocent")
    client.force_login(comment.author)

    client.post(reverse("discussion:comment-edit", args=[comment.pk]), {"body": "Visit my casino"})

    comment.refresh_from_db()
    assert (comment.body, comment.status) == ("Visit my casino", Comment.Status.HELD)
    assert "casino" in comment.held_reason
    assert not shown_to(Client(), comment)


def test_a_held_comment_stays_held_when_edited_clean(client):
    comment = CommentFactory(status=Comment.Status.HELD, held_reason="Original reason")
    client.force_login(comment.author)
    client.post(reverse("discussion:comment-edit", args=[comment.pk]), {"body": "All clean"})
    comment.refresh_from_db()
    assert (comment.status, comment.held_reason) == (Comment.Status.HELD, "Original reason")


# Who sees a held comment


@pytest.fixture
def held():
    talk = TalkFactory()
    CommentFactory(talk=talk, body="A published neighbour")
    return CommentFactory(
        talk=talk, body="Held <b>text</b>", status=Comment.Status.HELD, held_reason="Too many links"
    )


def test_the_author_sees_their_held_comment_marked_awaiting_approval(client, held):
    client.force_login(held.author)
    article = comment_article(client.get(talk_url(held.talk)), held)
    assert AWAITING in article
    assert escape("Held <b>text</b>") in article
    # The reason is for organisers: it would teach a spammer what to avoid.
    assert "Too many links" not in article


@pytest.mark.parametrize("role", ["anonymous", "another-user", "organiser-elsewhere"])
def test_everyone_else_does_not_see_a_held_comment(client, held, role):
    if role == "another-user":
        client.force_login(UserFactory())
    elif role == "organiser-elsewhere":
        client.force_login(organiser_of(SeriesFactory()))
    content = client.get(talk_url(held.talk)).content.decode()
    assert "A published neighbour" in content
    assert f'id="comment-{held.pk}"' not in content
    assert "Held" not in content and AWAITING not in content


@pytest.mark.parametrize("role", ["organiser", "superuser"])
def test_organisers_and_superusers_see_held_comments_with_the_reason(client, held, role):
    moderator = organiser_of(held.talk.series) if role == "organiser" else SuperuserFactory()
    client.force_login(moderator)
    article = comment_article(client.get(talk_url(held.talk)), held)
    assert AWAITING in article
    assert "Held for approval: Too many links." in article
    assert reverse("discussion:comment-approve", args=[held.pk]) in article


def test_held_comments_stay_out_of_the_feed_and_the_api(client, held):
    feed = client.get(reverse("syndication:comment-feed", args=[held.talk.slug])).content.decode()
    api = client.get(reverse("api:talk-detail", args=[held.talk.slug])).json()
    assert "A published neighbour" in feed and "Held" not in feed
    assert [comment["body"] for comment in api["comments"]] == ["A published neighbour"]


def test_removed_comments_stay_out_of_the_feed_and_the_api(client):
    comment = CommentFactory(body="Gone soon")
    soft_delete(comment, by=OrganiserFactory())
    feed = client.get(reverse("syndication:comment-feed", args=[comment.talk.slug]))
    api = client.get(reverse("api:talk-detail", args=[comment.talk.slug])).json()
    assert "Gone soon" not in feed.content.decode()
    assert api["comments"] == []


def test_posting_a_held_comment_says_it_awaits_approval(client):
    talk = TalkFactory(series=SeriesFactory(comment_moderation=Series.Moderation.ALL))
    client.force_login(UserFactory())
    response = post_comment(client, talk, "Please let me in")
    page = client.get(response.url).content.decode()
    assert "Your comment is awaiting approval by the series’ organisers." in page
    assert AWAITING in comment_article(page, Comment.objects.get())


def test_a_new_comment_is_handed_to_notifications_once_committed(
    client, django_capture_on_commit_callbacks, monkeypatch
):
    told = []
    monkeypatch.setattr(notifications, "comment_posted", told.append)
    talk = TalkFactory(series=SeriesFactory(comment_moderation=Series.Moderation.ALL))
    client.force_login(UserFactory())

    with django_capture_on_commit_callbacks() as callbacks:
        post_comment(client, talk, "Tell the organisers")
        assert told == []  # not before the transaction commits
    for callback in callbacks:
        callback()

    assert told == [Comment.objects.get()]
    assert told[0].status == Comment.Status.HELD


# The moderation endpoints: who may use them

ACTIONS = ["approve", "remove", "restore"]
ROLES = [
    "anonymous",
    "author",
    "another-user",
    "listed-but-not-staff",
    "organiser-of-another-series",
    "organiser",
    "superuser",
]


def comment_for(action):
    """A comment the action applies to: held to approve, published to remove, removed to restore."""
    comment = CommentFactory(body="Untouched")
    if action == "approve":
        comment.status = Comment.Status.HELD
        comment.save()
    elif action == "restore":
        soft_delete(comment, by=organiser_of(comment.talk.series))
    return comment


def log_in_as(client, role, comment):
    series = comment.talk.series
    users = {
        "author": lambda: comment.author,
        "another-user": UserFactory,
        "organiser-of-another-series": lambda: organiser_of(SeriesFactory()),
        "organiser": lambda: organiser_of(series),
        "superuser": SuperuserFactory,
    }
    if role == "listed-but-not-staff":
        user = UserFactory()
        series.organisers.add(user)
        users[role] = lambda: user
    if role in users:
        client.force_login(users[role]())


def moderation_state(comment):
    comment.refresh_from_db()
    return (comment.status, comment.removed, comment.removal_reason)


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_moderation_permission_matrix(client, role, action):
    comment = comment_for(action)
    before = moderation_state(comment)
    log_in_as(client, role, comment)
    url = reverse(f"discussion:comment-{action}", args=[comment.pk])

    response = client.post(url, {"reason": "Off topic"})

    if role == "anonymous":
        assert response.status_code == 302
        assert urlsplit(response.url).path == reverse("account_login")
        assert parse_qs(urlsplit(response.url).query)["next"] == [url]
    elif role in ("organiser", "superuser"):
        assert response.status_code == 302
        assert response.url == f"{talk_url(comment.talk)}#comment-{comment.pk}"
    else:
        assert response.status_code == 403
    changed = moderation_state(comment) != before
    assert changed == (role in ("organiser", "superuser"))


@pytest.mark.parametrize("action", ACTIONS)
def test_moderation_endpoints_take_only_posts(client, action):
    comment = comment_for(action)
    client.force_login(organiser_of(comment.talk.series))
    response = client.get(reverse(f"discussion:comment-{action}", args=[comment.pk]))
    assert response.status_code == 405


@pytest.mark.parametrize("action", ACTIONS)
def test_moderation_without_a_csrf_token_is_refused(action):
    comment = comment_for(action)
    before = moderation_state(comment)
    client = Client(enforce_csrf_checks=True)
    client.force_login(organiser_of(comment.talk.series))
    response = moderate(client, action, comment, reason="Forged")
    assert response.status_code == 403
    assert moderation_state(comment) == before


@pytest.mark.parametrize("action", ACTIONS)
def test_moderating_a_comment_on_a_draft_or_unknown_talk_is_not_found(client, action):
    comment = comment_for(action)
    comment.talk.status = comment.talk.Status.DRAFT
    comment.talk.save()
    client.force_login(SuperuserFactory())
    assert moderate(client, action, comment, reason="x").status_code == 404
    unknown = reverse(f"discussion:comment-{action}", args=[999_999])
    assert client.post(unknown, {"reason": "x"}).status_code == 404


def test_only_moderators_see_the_moderation_buttons(client, held):
    published = Comment.objects.exclude(pk=held.pk).get()
    remove_url = reverse("discussion:comment-remove", args=[published.pk])
    client.force_login(published.author)
    assert remove_url not in client.get(talk_url(held.talk)).content.decode()
    client.force_login(organiser_of(held.talk.series))
    assert remove_url in client.get(talk_url(held.talk)).content.decode()


# What each action does


def test_approving_publishes_a_held_comment(client, held):
    client.force_login(organiser_of(held.talk.series))

    response = moderate(client, "approve", held)

    held.refresh_from_db()
    assert (held.status, held.held_reason) == (Comment.Status.PUBLISHED, "")
    assert "Comment approved" in client.get(response.url).content.decode()
    assert shown_to(Client(), held)


def test_approving_a_published_comment_changes_nothing(client):
    comment = CommentFactory()
    client.force_login(organiser_of(comment.talk.series))
    assert moderate(client, "approve", comment).status_code == 302
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED


def test_removing_keeps_the_text_and_shows_a_notice(client):
    comment = CommentFactory(body="Rude remark")
    organiser = organiser_of(comment.talk.series)
    client.force_login(organiser)

    moderate(client, "remove", comment, reason="Not <i>kind</i>")

    comment.refresh_from_db()
    assert (comment.removed, comment.removed_by, comment.removal_reason) == (
        True,
        organiser,
        "Not <i>kind</i>",
    )
    assert comment.body == "Rude remark"
    public = comment_article(Client().get(talk_url(comment.talk)), comment)
    assert "Comment removed by an organiser." in public
    assert "Rude remark" not in public and "kind" not in public


def test_the_author_sees_why_their_comment_was_removed(client):
    comment = CommentFactory(body="Rude remark")
    moderation.remove(comment, by=OrganiserFactory(), reason="Not <i>kind</i>")
    client.force_login(comment.author)
    article = comment_article(client.get(talk_url(comment.talk)), comment)
    assert "Comment removed by an organiser. Reason: Not &lt;i&gt;kind&lt;/i&gt;" in article
    assert "Rude remark" not in article


def test_organisers_see_a_removed_comments_text_with_a_restore_button(client):
    comment = CommentFactory(body="Rude remark")
    organiser = organiser_of(comment.talk.series)
    client.force_login(organiser)
    moderate(client, "remove", comment, reason="Off topic")

    article = comment_article(client.get(talk_url(comment.talk)), comment)

    assert "Removed by an organiser" in article and "Off topic" in article
    assert "Rude remark" in article
    assert reverse("discussion:comment-restore", args=[comment.pk]) in article


@pytest.mark.parametrize(
    ("reason", "error"),
    [
        ("", "Please give a reason for removing the comment."),
        ("   ", "Please give a reason for removing the comment."),
        ("x" * 301, "Please keep the reason under 300 characters."),
    ],
    ids=["empty", "blank", "too-long"],
)
def test_removing_needs_a_reason(client, reason, error):
    comment = CommentFactory()
    client.force_login(organiser_of(comment.talk.series))

    response = moderate(client, "remove", comment, reason=reason)

    assert response.status_code == 400
    article = comment_article(response, comment)
    assert escape(error) in article
    assert "<details open>" in article  # the form is shown with its error
    assert 'class="site-header"' in response.content.decode()
    comment.refresh_from_db()
    assert (comment.removed, comment.removal_reason) == (False, "")


def test_restoring_brings_a_comment_back(client):
    comment = CommentFactory(body="Fine after all")
    client.force_login(organiser_of(comment.talk.series))
    moderate(client, "remove", comment, reason="Mistake")

    response = moderate(client, "restore", comment)

    comment.refresh_from_db()
    assert (comment.removed, comment.removed_by, comment.removal_reason) == (False, None, "")
    assert "Comment restored." in client.get(response.url).content.decode()
    assert shown_to(Client(), comment)


def test_a_comment_deleted_by_its_author_cannot_be_restored(client):
    comment = CommentFactory(body="I take it back")
    soft_delete(comment, by=comment.author)
    client.force_login(organiser_of(comment.talk.series))

    article = comment_article(client.get(talk_url(comment.talk)), comment)
    response = moderate(client, "restore", comment)

    assert "deleted by its author" in article and "I take it back" not in article
    assert reverse("discussion:comment-restore", args=[comment.pk]) not in article
    comment.refresh_from_db()
    assert comment.removed is True
    assert "stays deleted" in client.get(response.url).content.decode()


def test_a_removed_held_comment_stays_hidden_from_its_author(client, held):
    client.force_login(organiser_of(held.talk.series))
    moderate(client, "remove", held, reason="Spam")
    client.force_login(held.author)
    article = comment_article(client.get(talk_url(held.talk)), held)
    assert "Comment removed by an organiser." in article
    assert "Held" not in article
