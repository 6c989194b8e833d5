"""Following tags and series: what a user's weekly digest is about."""

from seminars.models import Series, Tag

# The URL's word for a followable thing: its model and the User field that lists them.
FOLLOWABLE = {
    "tag": (Tag, "followed_tags"),
    "series": (Series, "followed_series"),
}
