from django import template

from ..follows import FOLLOWABLE

register = template.Library()


@register.inclusion_tag("accounts/follow_button.html", takes_context=True)
def follow_button(context, kind, target):
    """Follow or Unfollow `target` (a tag or series) for the visitor, or a "Log in to follow"
    link. Signed-in pages are rendered per request, so this is theirs alone."""
    request = context["request"]
    user = request.user
    _, followed_field = FOLLOWABLE[kind]
    followed = user.is_authenticated and getattr(user, followed_field).filter(pk=target.pk).exists()
    return {
        "kind": kind,
        "target": {"slug": target.slug, "followed": followed},
        "user": user,
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
