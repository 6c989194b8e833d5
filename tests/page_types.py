"""Every page type of the portal, on a small site: for the checks that walk them all
(axe in tests/browser/test_accessibility.py, the Nu Html Checker in
tests/test_html_validity.py)."""

import datetime

from django.urls import reverse
from django.utils import timezone

from accounts.models import CalendarLink, SavedTalk
from seminars.models import Comment
from tests.factories import (
    CommentFactory,
    OrganisedSeriesFactory,
    SpeakerFactory,
    TagFactory,
    TalkFactory,
    UserFactory,
)

ABSTRACT = """We bound the error of gradient descent on a network of width $m$:

$$\\|\\theta_t - \\theta_0\\|_2 = O\\left(m^{-1/2}\\right)$$

uniformly in $t \\ge 0$, for every $\\ell_2$-regularised loss."""


def make_site():
    """A small portal: talks to come and past, tags, a speaker, a discussion with math."""
    # Staff and one of the series' organisers: the moderation controls show.
    # (Not OrganiserFactory: its group, made by a migration, is gone after a live-server test.)
    organiser = UserFactory(display_name="Ada Organiser", is_staff=True)
    series = OrganisedSeriesFactory(
        name="Analysis Seminar",
        description="Weekly talks on analysis and its applications.",
        organisers=[organiser],
    )
    tag = TagFactory(name="Analysis", description="Inequalities, operators and PDE.")
    speaker = SpeakerFactory(name="Emmy Noether", affiliation="University of Göttingen")
    now = timezone.now()
    talk = TalkFactory(
        title="Gradient descent in wide networks",
        series=series,
        abstract=ABSTRACT,
        venue="Lecture Theatre 2",
        online_url="https://meet.example.org/analysis",
        speakers=[speaker],
        tags=[tag, TagFactory(name="Machine learning")],
    )
    past = TalkFactory(
        title="Sharp constants in Sobolev inequalities",
        series=series,
        start=now - datetime.timedelta(days=400),
        speakers=[speaker],
        tags=[tag],
    )
    TalkFactory(title="A cancelled talk", series=series, tags=[tag], status="cancelled")
    question = CommentFactory(talk=talk, body="Does the bound hold for $\\ell_1$ losses too?")
    CommentFactory(talk=talk, parent=question, author=organiser, body="Yes, with a log factor.")
    CommentFactory(talk=talk, status=Comment.Status.HELD, held_reason="Too many links")
    CommentFactory(talk=talk, author=organiser, body="Slides are online.")
    CommentFactory(talk=talk, removed=True, body="Spam")
    # "My talks" lists a saved talk, a past saved one and a followed one.
    SavedTalk.objects.create(user=organiser, talk=talk)
    SavedTalk.objects.create(user=organiser, talk=past)
    organiser.followed_tags.add(tag)
    CalendarLink.objects.create(user=organiser, label="Work laptop", token_hash="0" * 64)
    return {
        "organiser": organiser,
        "series": series,
        "tag": tag,
        "speaker": speaker,
        "talk": talk,
        "past": past,
        "question": question,
    }


def public_pages(site):
    return {
        "home": reverse("seminars:home"),
        "talk list": reverse("seminars:talk-list"),
        "talk with comments and math": site["talk"].get_absolute_url(),
        "tag list": reverse("seminars:tag-list"),
        "tag": site["tag"].get_absolute_url(),
        "speaker": site["speaker"].get_absolute_url(),
        "series list": reverse("seminars:series-list"),
        "series": site["series"].get_absolute_url(),
        "search with results": reverse("seminars:search") + "?q=gradient",
        "formatting help": reverse("seminars:formatting-help"),
        "archive": reverse(
            "seminars:talk-archive", args=[timezone.localtime(site["past"].start).year]
        ),
        "user's comments": reverse("users:user-detail", args=[site["organiser"].pk]),
        "embedded series": reverse("syndication:series-embed", args=[site["series"].slug])
        + "?past=1",
        "embedded tag, dark": reverse("syndication:tag-embed", args=[site["tag"].slug])
        + "?theme=dark",
        "embedded speaker, light": reverse("syndication:speaker-embed", args=[site["speaker"].slug])
        + "?tz=Asia/Tokyo&theme=light",
        "404": "/no-such-page/",
    }


def signed_out_pages(site):
    return {
        **public_pages(site),
        "login": reverse("account_login"),
        "signup": reverse("account_signup"),
        "password reset": reverse("account_reset_password"),
    }


def signed_in_pages(site):
    """The organiser's view: moderation controls, held comments, their own comments' links."""
    own_comment = Comment.objects.get(body="Slides are online.")
    return {
        **public_pages(site),
        "profile": reverse("accounts:profile"),
        "email preferences": reverse("accounts:preferences"),
        "my talks": reverse("accounts:my-talks"),
        "personal calendars": reverse("accounts:calendars"),
        "reply form": reverse("discussion:comment-reply", args=[site["question"].pk]),
        "comment edit": reverse("discussion:comment-edit", args=[own_comment.pk]),
        "comment delete": reverse("discussion:comment-delete", args=[own_comment.pk]),
    }
