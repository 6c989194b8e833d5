"""Following tags and series: what a user's weekly digest is about."""

from django.db.models import Exists, OuterRef, Value

from seminars.models import Series, Tag

# The URL's word for a followable thing: its model and the User field that lists them.
FOLLOWABLE = {
    "tag": (Tag, "followed_tags"),
    "series": (Series, "followed_series"),
}


def with_followed_flag(queryset, user):
    """Tags or series, each annotated `followed`: whether `user` follows it.

    An annotation, so that one query gives both the things and their flags.
    """
    if not user.is_authenticated:
        return queryset.annotate(followed=Value(False))
    # The through table's column for the tag or series is named after its model.
    follows = queryset.model.followers.through.objects.filter(
        user=user, **{queryset.model._meta.model_name: OuterRef("pk")}
    )
    return queryset.annotate(followed=Exists(follows))
