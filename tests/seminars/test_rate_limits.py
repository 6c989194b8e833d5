"""The posting rate limit: COMMENT_RATE_LIMITS, 429 with the text kept, counted per user in
the shared cache, replies included, and never losing a comment it let through."""

import logging
import re
import threading
import time

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from config.settings import envrates
from discussion import views as comment_views
from discussion.ratelimits import RateLimit, limit_reached
from seminars.models import Comment
from tests.factories import CommentFactory, TalkFactory, UserFactory
from tests.seminars.commenting import post_comment, post_reply
from tests.test_settings import import_settings, read_settings

pytestmark = pytest.mark.django_db

TOO_QUICK = "You are posting too quickly: at most {} comments a {}."
DAY = 86400


# The setting


@pytest.mark.parametrize(
    ("value", "rates"),
    [
        ("5/m,50/d", [(5, "m"), (50, "d")]),
        (" 3/s , 7/h ", [(3, "s"), (7, "h")]),
        ("100/d", [(100, "d")]),
    ],
)
def test_rate_limits_are_read_from_the_environment(monkeypatch, value, rates):
    monkeypatch.setenv("COMMENT_RATE_LIMITS", value)
    assert envrates("COMMENT_RATE_LIMITS", "1/m") == rates


@pytest.mark.parametrize(
    "value", ["", "5", "5/x", "0/m", "-1/m", "5/m,", "five/m", "5/m;50/d", "5/min", "٥/m"]
)
def test_a_malformed_rate_limit_is_an_error(monkeypatch, value):
    monkeypatch.setenv("COMMENT_RATE_LIMITS", value)
    with pytest.raises(ImproperlyConfigured, match="COMMENT_RATE_LIMITS"):
        envrates("COMMENT_RATE_LIMITS", "1/m")


def test_the_portal_refuses_to_start_with_a_malformed_rate_limit_and_defaults_to_5_50():
    process = import_settings({"COMMENT_RATE_LIMITS": "5 a minute"}, "COMMENT_RATE_LIMITS")
    assert process.returncode != 0
    assert "COMMENT_RATE_LIMITS" in process.stderr.splitlines()[-1]
    default = read_settings({}, "COMMENT_RATE_LIMITS")["COMMENT_RATE_LIMITS"]
    assert default == [[5, "m"], [50, "d"]]


# Posting over the limit


@pytest.fixture
def limits(settings):
    """Set COMMENT_RATE_LIMITS for the test: limits(count, unit, ...)."""

    def set_limits(*rates):
        settings.COMMENT_RATE_LIMITS = list(rates)

    return set_limits


def test_the_sixth_comment_in_a_minute_is_refused_with_429_and_kept_in_the_form(
    client, signed_in_user
):
    talk = TalkFactory()
    for number in range(5):
        assert post_comment(client, talk, f"Comment {number}").status_code == 302

    response = post_comment(client, talk, "One <em>too</em> many")

    assert response.status_code == 429
    content = response.content.decode()
    assert TOO_QUICK.format(5, "minute") in content
    assert "Your comment has not been posted yet; please try again in a minute." in content
    assert ">\nOne &lt;em&gt;too&lt;/em&gt; many</textarea>" in content
    assert 'class="site-header"' in content  # the site's layout, the talk page
    assert 0 < int(response["Retry-After"]) <= 60
    assert Comment.objects.count() == 5


def test_the_daily_limit_says_so(client, signed_in_user, limits):
    limits((10, "m"), (3, "d"))
    talk = TalkFactory()
    for number in range(3):
        post_comment(client, talk, f"Comment {number}")

    response = post_comment(client, talk, "A fourth today")

    assert response.status_code == 429
    content = response.content.decode()
    assert TOO_QUICK.format(3, "day") in content
    # Until the day's window ends (midnight UTC).
    assert re.search(r"please try again in (a minute|\d+\s(hour|minute)s?)\.", content)
    assert 0 < int(response["Retry-After"]) <= DAY
    assert Comment.objects.count() == 3


def test_the_limit_is_per_user(client, signed_in_user, limits):
    limits((1, "m"))
    talk = TalkFactory()
    post_comment(client, talk, "Mine")
    assert post_comment(client, talk, "Mine again").status_code == 429

    other = Client()
    other.force_login(UserFactory())
    assert post_comment(other, talk, "Someone else").status_code == 302


def test_replies_count_and_are_limited_too(client, signed_in_user, limits):
    limits((2, "m"))
    parent = CommentFactory()
    post_comment(client, parent.talk, "A comment")
    post_reply(client, parent, "A reply")

    response = post_reply(client, parent, "A reply too many")

    assert response.status_code == 429
    assert TOO_QUICK.format(2, "minute") in response.content.decode()
    # The refused reply is shown again in its form, under its comment.
    assert response.context["reply_to"] == parent
    assert response.context["reply_form"].data["body"] == "A reply too many"
    assert Comment.objects.count() == 3


def test_an_invalid_comment_is_not_counted(client, signed_in_user, limits):
    limits((1, "m"))
    talk = TalkFactory()
    assert post_comment(client, talk, "").status_code == 400
    assert post_comment(client, talk, "Now with text").status_code == 302


# Windows


def start_of_day():
    return time.time() // DAY * DAY


def test_each_window_starts_afresh(signed_in_user, limits):
    limits((1, "m"))
    minute = start_of_day() + 120
    assert limit_reached(signed_in_user, now=minute) is None
    assert limit_reached(signed_in_user, now=minute + 59) == RateLimit(1, "m")
    assert limit_reached(signed_in_user, now=minute + 60) is None


def test_a_post_refused_for_speed_does_not_use_up_the_day(signed_in_user, limits):
    limits((2, "d"), (1, "m"))  # checked shortest window first, whatever the order
    minute = start_of_day() + 120
    assert limit_reached(signed_in_user, now=minute) is None
    for second in range(1, 10):
        assert limit_reached(signed_in_user, now=minute + second) == RateLimit(1, "m")
    assert limit_reached(signed_in_user, now=minute + 60) is None
    assert limit_reached(signed_in_user, now=minute + 120) == RateLimit(2, "d")


def test_parallel_posts_never_get_more_than_the_limit(settings, limits):
    """Twenty requests at once, as on twenty app servers sharing one cache."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "race"}
    }
    limits((5, "m"))
    user = UserFactory()
    start = threading.Barrier(20)
    granted = []

    def post():
        start.wait()
        granted.append(limit_reached(user) is None)

    threads = [threading.Thread(target=post) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert granted.count(True) == 5


# Never losing a comment


def test_without_the_cache_comments_are_still_posted(client, signed_in_user, settings, caplog):
    # Nothing listens on port 1: every cache call fails at once.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    with caplog.at_level(logging.ERROR, logger="discussion.ratelimits"):
        response = post_comment(client, TalkFactory(), "Posted despite the outage")

    assert response.status_code == 302
    assert Comment.objects.get().body == "Posted despite the outage"
    assert "Comment rate limits unavailable" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_failing_notification_never_loses_the_comment(client, monkeypatch, caplog):
    def mail_server_down(comment):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(comment_views.notifications, "comment_posted", mail_server_down)
    client.force_login(UserFactory())

    response = post_comment(client, TalkFactory(), "Saved whatever happens next")

    assert response.status_code == 302
    assert Comment.objects.get().body == "Saved whatever happens next"
    assert "mail server down" in caplog.text
