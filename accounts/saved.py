"""Saved talks, and the talks a user's "My talks" page and personal calendars hold:
what they saved, and the talks of the tags, series and speakers they follow."""

from django.db.models import Exists, OuterRef, Q, Value, prefetch_related_objects

from seminars.models import Talk
from seminars.queries import talk_card_prefetches

from .models import SavedTalk, User

# "My talks" shows at most this many of each list; calendars have their own cap.
MY_UPCOMING = 100
MY_FOLLOWED = 20
MY_PAST = 20


def save_talk(user, talk) -> None:
    """Save `talk` for `user`; saving again changes nothing."""
    SavedTalk.objects.get_or_create(user=user, talk=talk)


def unsave_talk(user, talk) -> None:
    SavedTalk.objects.filter(user=user, talk=talk).delete()


def with_is_saved(talks, user):
    """`talks` with `is_saved`: whether `user` (maybe signed out) saved each."""
    if not user.is_authenticated:
        return talks.annotate(is_saved=Value(False))
    mine = SavedTalk.objects.filter(user=user, talk=OuterRef("pk"))
    return talks.annotate(is_saved=Exists(mine))


def followed_by(user) -> Q:
    """Talks in a series, with a tag or by a speaker `user` follows, as a filter.

    Subqueries rather than joins: a talk with two followed tags, or in a series
    others follow too, is still one row.
    """
    series = User.followed_series.through.objects.filter(user=user).values("series_id")
    return (
        Q(series_id__in=series)
        | Q(pk__in=Talk.tags.through.objects.filter(tag__followers=user).values("talk_id"))
        | Q(pk__in=Talk.speakers.through.objects.filter(speaker__followers=user).values("talk_id"))
    )


def saved_or_followed_by(user) -> Q:
    """What a user's personal calendar holds: their saved talks and what they follow."""
    saved = SavedTalk.objects.filter(user=user).values("talk_id")
    return Q(pk__in=saved) | followed_by(user)


class MyTalks:
    """A user's "My talks": saved talks to come (live ones included), then the coming
    talks of what they follow that they have not saved, then their saved past talks.
    Three queries and the cards' speakers and tags (one each), however many talks."""

    def __init__(self, user, now):
        cards = Talk.objects.public().for_cards().prefetch_related(None)
        saved = cards.filter(saves__user=user)
        self.upcoming = list(saved.upcoming(now)[:MY_UPCOMING])
        followed = cards.upcoming(now).filter(followed_by(user)).exclude(saves__user=user)
        self.followed = list(followed[:MY_FOLLOWED])
        self.past = list(saved.past(now)[:MY_PAST])
        prefetch_related_objects(
            [*self.upcoming, *self.followed, *self.past], *talk_card_prefetches()
        )
