"""A talk's comment thread a page at a time, and the page a given comment is on.

Top-level comments come COMMENTS_PER_PAGE at a time, oldest first, each with
its replies, so a talk with hundreds of comments costs what one with fifty
does. A page is read without counting the thread: it asks for one comment more
than it shows, to know whether a later page exists (two queries: the
comments, then their replies). Which page a comment is on depends on who asks,
since authors and organisers also see held comments: `comment_url` counts the
top-level comments the visitor sees before it (one query). Emails, feeds and
lists link to /comments/<id>/ (Comment.get_absolute_url), which does that count
for whoever follows the link.
"""

from dataclasses import dataclass

from django.db.models import Q

from seminars.models import Comment

COMMENTS_PER_PAGE = 50
# Far beyond any thread; keeps the database's OFFSET a sane number.
MAX_PAGE_NUMBER = 10_000


def thread_url(talk_url: str, number: int) -> str:
    """A page of a talk's thread; the first is the talk's own address."""
    return talk_url if number == 1 else f"{talk_url}?page={number}"


@dataclass
class ThreadPage:
    number: int
    comments: list
    has_next: bool
    talk_url: str

    @property
    def url(self) -> str:
        return thread_url(self.talk_url, self.number)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_url(self) -> str:
        return thread_url(self.talk_url, self.number - 1)

    @property
    def next_url(self) -> str:
        return thread_url(self.talk_url, self.number + 1)

    @property
    def is_past_the_end(self) -> bool:
        return self.number > 1 and not self.comments


def page_number(value) -> int:
    """?page= as a page number: anything but a positive whole number is the first page."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), MAX_PAGE_NUMBER)


def thread_page(talk, user, number: int) -> ThreadPage:
    """Page `number` of the top-level comments `user` sees on `talk`, with their replies."""
    start = (number - 1) * COMMENTS_PER_PAGE
    comments = list(talk.comments.thread_for(user)[start : start + COMMENTS_PER_PAGE + 1])
    return ThreadPage(
        number=number,
        comments=comments[:COMMENTS_PER_PAGE],
        has_next=len(comments) > COMMENTS_PER_PAGE,
        talk_url=talk.get_absolute_url(),
    )


def page_of(comment, user) -> int:
    """The page of its talk's thread that shows `comment` to `user` (a reply: its parent's)."""
    top = comment.parent if comment.parent_id else comment
    earlier = (
        Comment.objects.filter(talk_id=top.talk_id, parent=None)
        .visible_to(user)
        .filter(Q(created__lt=top.created) | Q(created=top.created, pk__lt=top.pk))
    )
    return earlier.count() // COMMENTS_PER_PAGE + 1


def comment_url(comment, user) -> str:
    """The talk page that shows `comment` to `user`, scrolled to it."""
    page_url = thread_url(comment.talk.get_absolute_url(), page_of(comment, user))
    return f"{page_url}#comment-{comment.pk}"
