"""The parts of a shared page that belong to one signed-in visitor, filled per request.

Signed-in visitors share cached pages too (seminars.caching), one copy per time
zone, since talk times are shown in the visitor's chosen zone. What is theirs
alone (the account menu, whether they follow a tag, a comment form with its
one-time token) is rendered for the cache as a hole: an HTML comment naming a
part and its arguments, signed with the SECRET_KEY. Each request fills the
holes of the page it sends, so a cached page never holds anyone's name or CSRF
token, and nothing a user writes can open a hole (their text is escaped, and
they cannot sign one).

Templates mark such a part with `{% personal "name" arg ... %}`; outside the
shared cache (anonymous visitors, pages never cached) it renders in place.
"""

import re

from django.core import signing
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString

from accounts.follows import FOLLOWABLE

from .forms import NewCommentForm

SALT = "seminars.personal"
HOLE = re.compile(r"<!--personal ([\w.:-]+)-->")


def account_menu(request) -> SafeString:
    return render_to_string("includes/account_menu.html", request=request)


def follow_button(request, kind: str, slug: str) -> SafeString:
    """Follow or Unfollow for a visitor, or a "Log in to follow" link."""
    _, followed_field = FOLLOWABLE[kind]
    user = request.user
    followed = user.is_authenticated and getattr(user, followed_field).filter(slug=slug).exists()
    target = {"slug": slug, "followed": followed}
    return render_to_string(
        "accounts/follow_button.html", {"kind": kind, "target": target}, request=request
    )


def comment_form(request, talk_slug: str) -> SafeString:
    """A fresh comment form, with its own one-time token."""
    context = {"form": NewCommentForm(), "talk_slug": talk_slug}
    return render_to_string("includes/comment_form.html", context, request=request)


PARTS = {"account-menu": account_menu, "follow-button": follow_button, "comment-form": comment_form}


def leave_holes(request) -> None:
    """Render this request's personal parts as holes: its page is for the shared cache."""
    request.leaves_personal_holes = True


def leaves_holes(request) -> bool:
    """Whether this request's page is for the shared cache: views must then show
    what every visitor may see, nothing of this one's."""
    return getattr(request, "leaves_personal_holes", False)


def render_part(request, name: str, *args: str) -> SafeString:
    """The part, in place or as a hole (arguments are strings: they travel in the hole)."""
    if leaves_holes(request):
        return format_html("<!--personal {}-->", signing.dumps([name, args], salt=SALT))
    return PARTS[name](request, *args)


def fill_holes(content: bytes, request) -> bytes:
    """The page with each hole replaced by this request's part."""

    def fill(match) -> str:
        name, args = signing.loads(match[1], salt=SALT)
        return PARTS[name](request, *args)

    return HOLE.sub(fill, content.decode()).encode()
