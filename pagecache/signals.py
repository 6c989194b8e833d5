"""The writes that change what the public sees, wired to new version tokens.

Models are looked up by name: the page cache imports no app's modules.
"""

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import signals

from .versions import site_changed, threads_changed


def comment_model():
    return apps.get_model("seminars", "Comment")


def comment_talk_slug(comment) -> str | None:
    """The slug of the comment's talk; None once the talk is deleted."""
    if comment_model().talk.is_cached(comment):
        return comment.talk.slug
    talks = apps.get_model("seminars", "Talk").objects.filter(pk=comment.talk_id)
    return talks.values_list("slug", flat=True).first()


def changes_public_thread(comment, created: bool, update_fields) -> bool:
    """Whether saving `comment` changes what anonymous visitors see of its thread.

    A held comment is invisible to them, unless this save changed its status
    (an approval, or an edit that held a published comment).
    """
    if comment.status == comment_model().Status.PUBLISHED:
        return True
    if created:
        return False
    return update_fields is None or "status" in update_fields


def comment_saved(sender, instance, created, update_fields, **kwargs):
    if changes_public_thread(instance, created, update_fields):
        threads_changed(filter(None, [comment_talk_slug(instance)]))


def comment_deleted(sender, instance, **kwargs):
    if instance.status == comment_model().Status.PUBLISHED:
        threads_changed(filter(None, [comment_talk_slug(instance)]))


def site_data_changed(sender, **kwargs):
    site_changed()


def relation_changed(sender, action, **kwargs):
    """A talk's speakers or tags, or a series' organisers: shown on public pages."""
    if action.startswith("post_"):
        site_changed()


def user_renamed(sender, instance, update_fields, **kwargs):
    """A new public name shows on the user's public comments: their talks' pages and
    comment feeds are outdated. Saves that leave the name alone outdate nothing."""
    if instance.pk is None or (update_fields is not None and "display_name" not in update_fields):
        return
    users = sender.objects.filter(pk=instance.pk)
    if users.values_list("display_name", flat=True).first() in (None, instance.display_name):
        return
    if instance.organised_series.exists():
        # A series' page lists its organisers' public names.
        site_changed()
        return
    comments = comment_model().objects.public().filter(author=instance)
    threads_changed(comments.values_list("talk__slug", flat=True).distinct())


def connect() -> None:
    """Called from the app's ready()."""
    Comment, Talk = comment_model(), apps.get_model("seminars", "Talk")
    for name in ("Series", "Speaker", "Tag", "Talk"):
        model = apps.get_model("seminars", name)
        uid = f"page-cache-{name}"
        signals.post_save.connect(site_data_changed, sender=model, dispatch_uid=uid)
        signals.post_delete.connect(site_data_changed, sender=model, dispatch_uid=uid)
    Series = apps.get_model("seminars", "Series")
    for relation in (Talk.speakers, Talk.tags, Series.organisers):
        signals.m2m_changed.connect(
            relation_changed,
            sender=relation.through,
            dispatch_uid=f"page-cache-{relation.field.name}",
        )
    signals.post_save.connect(comment_saved, sender=Comment, dispatch_uid="page-cache-comment")
    signals.post_delete.connect(comment_deleted, sender=Comment, dispatch_uid="page-cache-comment")
    user_model = get_user_model()
    # A deleted user's comments now read "deleted user" (set by an UPDATE, without signals).
    uid = "page-cache-user"
    signals.pre_save.connect(user_renamed, sender=user_model, dispatch_uid=uid)
    signals.post_delete.connect(site_data_changed, sender=user_model, dispatch_uid=uid)
