"""Following tags, series and speakers: what a user's weekly digest is about."""

from seminars.models import Series, Speaker, Tag

# The URL's word for a followable thing: its model and the User field that lists them.
FOLLOWABLE = {
    "tag": (Tag, "followed_tags"),
    "series": (Series, "followed_series"),
    "speaker": (Speaker, "followed_speakers"),
}
