"""Comment moderation: which new comments are held for approval, and who moderates.

A new comment (or reply) is held when any of these says so:

- its series holds every comment (Series.Moderation.ALL);
- its series holds first-time commenters (FIRST_TIME) and the author has no
  approved comment anywhere on the portal yet: approved means published and not
  removed, as WordPress's "comment author must have a previously approved
  comment". Once an organiser approves one, the author's later comments go
  straight through, in every series that holds first-timers;
- it has more links than the series allows (Series.max_links): Markdown links,
  autolinks and bare addresses (http://…, https://…, www.…) all count;
- it contains one of the series' blocked words or phrases (Series.blocked_words,
  one a line), matched case-insensitively as whole words.

An author's edit is checked again for links and blocked words, so a published
comment cannot be edited into spam; a held comment stays held until approved.

The organisers of a talk's series and superusers moderate its comments.
Organisers are staff (the Organisers group), so a non-staff user who is still
listed on a series moderates nothing. Their own comments in the series are never
held.
"""

import re

from django.db import transaction
from django.utils import timezone

from accounts import notifications
from pagecache import versions
from seminars.models import Comment
from seminars.rendering import COMMENT_PARSER

# Addresses written out in text: markdown-it (without linkify) leaves them as text.
BARE_URL = re.compile(r"(?:\bhttps?://|\bwww\.)\S", re.IGNORECASE)
# held_reason's column width.
HELD_REASON_LENGTH = Comment._meta.get_field("held_reason").max_length


def count_links(body: str) -> int:
    """Links in a comment's Markdown: each [link](…), <autolink> and bare address once."""
    count = 0
    for block in COMMENT_PARSER.parse(body):
        if block.type in ("code_block", "fence"):
            count += len(BARE_URL.findall(block.content))
        inside_link = False
        for token in block.children or []:
            if token.type == "link_open":
                count += 1
                inside_link = True
            elif token.type == "link_close":
                inside_link = False
            elif not inside_link and token.type in ("text", "code_inline"):
                # A link's own text is part of that link, even when it is an address.
                count += len(BARE_URL.findall(token.content))
    return count


def blocked_words(series) -> list[str]:
    return [line.strip() for line in series.blocked_words.splitlines() if line.strip()]


def blocked_word_in(series, body: str) -> str | None:
    """The first of the series' blocked words or phrases the body contains, if any."""
    for phrase in blocked_words(series):
        # Whole words only ("ass" does not block "class"); any spacing inside a phrase.
        words = r"\s+".join(re.escape(word) for word in phrase.split())
        if re.search(rf"(?<!\w){words}(?!\w)", body, re.IGNORECASE):
            return phrase
    return None


def content_hold_reasons(series, body: str) -> list[str]:
    """Why the text alone must wait for approval: too many links, a blocked word."""
    reasons = []
    links = count_links(body)
    if links > series.max_links:
        reasons.append(f"{links} links (the series allows {series.max_links})")
    phrase = blocked_word_in(series, body)
    if phrase is not None:
        reasons.append(f"contains the blocked word “{phrase}”")
    return reasons


def has_approved_comment(user) -> bool:
    return Comment.objects.public().filter(author=user).exists()


def author_hold_reasons(series, author) -> list[str]:
    """Why the series' policy holds this author's new comment."""
    if series.comment_moderation == series.Moderation.ALL:
        return ["the series holds every comment"]
    if series.comment_moderation == series.Moderation.FIRST_TIME and not has_approved_comment(
        author
    ):
        return ["first comment by this author"]
    return []


def describe(reasons: list[str]) -> str:
    text = "; ".join(reasons)
    return text[:1].upper() + text[1:HELD_REASON_LENGTH]


def hold(comment, reasons: list[str]) -> None:
    """Mark an unsaved or edited comment held, saying why (the caller saves it)."""
    comment.status = Comment.Status.HELD
    comment.held_reason = describe(reasons)


def hold_new_comment_if_needed(comment) -> None:
    """Apply the series' rules to a comment about to be created.

    The series' own moderators are never held, as in WordPress.
    """
    series = comment.talk.series
    if can_moderate(comment.author, series):
        return
    reasons = author_hold_reasons(series, comment.author) + content_hold_reasons(
        series, comment.body
    )
    if reasons:
        hold(comment, reasons)


def hold_edit_if_needed(comment) -> bool:
    """Hold a published comment whose edited text breaks the rules; True if it did."""
    reasons = content_hold_reasons(comment.talk.series, comment.body)
    if comment.status == Comment.Status.HELD or not reasons:
        return False
    hold(comment, reasons)
    return True


def can_moderate(user, series) -> bool:
    """Superusers, and staff listed among the series' organisers."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.is_staff and series.organisers.filter(pk=user.pk).exists()


def reply_refusal(parent) -> str | None:
    """Why `parent` cannot take a reply, as the user is told; None if it can."""
    if parent.parent_id is not None:
        return "Replies go one level deep: reply to the comment this one answers instead."
    if parent.removed:
        return "This comment has been removed, so it cannot take replies."
    if parent.status == Comment.Status.HELD:
        return "This comment is awaiting approval, so it cannot take replies yet."
    return None


# Every change of a comment's state goes through one of these (views, the admin's
# forms and bulk actions, tasks): the rules live here once.


def approve(comment) -> None:
    """Publish a held comment; a reply's parent author now gets the email it waited for."""
    comment.status = Comment.Status.PUBLISHED
    comment.held_reason = ""
    comment.save(update_fields=["status", "held_reason", "updated"])
    transaction.on_commit(lambda: notifications.comment_approved(comment), robust=True)


def hold_by_moderator(comment, moderator) -> None:
    """Take a published comment back into the queue, by a moderator's choice."""
    hold(comment, [f"held by {moderator.public_name}"])
    comment.save(update_fields=["status", "held_reason", "updated"])


def delete_by_author(comment) -> None:
    """The author's own soft delete: the thread says so, and it stays deleted for good."""
    comment.removed = True
    comment.removed_by = comment.author
    comment.deleted_by_author = True
    comment.save(update_fields=["removed", "removed_by", "deleted_by_author", "updated"])


def remove(comment, by, reason: str) -> None:
    """An organiser's soft delete: the thread shows a notice, the text stays in the database."""
    comment.removed = True
    comment.removed_by = by
    comment.removal_reason = reason
    comment.save(update_fields=["removed", "removed_by", "removal_reason", "updated"])


def restore(comment) -> bool:
    """Undo an organiser's removal; False (and nothing changed) for an author's deletion,
    which stays deleted (README)."""
    if comment.deleted_by_author:
        return False
    comment.removed = False
    comment.removed_by = None
    comment.removal_reason = ""
    comment.save(update_fields=["removed", "removed_by", "removal_reason", "updated"])
    return True


def remove_many(comments, by, reason: str) -> int:
    """remove() for a queryset, in one UPDATE; the count of comments removed."""
    live = comments.filter(removed=False)
    slugs = set(live.values_list("talk__slug", flat=True))
    count = live.update(removed=True, removed_by=by, removal_reason=reason, updated=timezone.now())
    # update() sends no signals: outdate the talks' cached pages here.
    versions.threads_changed(slugs)
    return count


def restore_many(comments) -> int:
    """restore() for a queryset: organisers' removals only; the count restored."""
    restorable = comments.filter(removed=True, deleted_by_author=False)
    slugs = set(restorable.values_list("talk__slug", flat=True))
    count = restorable.update(
        removed=False, removed_by=None, removal_reason="", updated=timezone.now()
    )
    versions.threads_changed(slugs)
    return count
