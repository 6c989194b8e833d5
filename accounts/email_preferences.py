"""The emails a user can turn off, and the signed one-click links that turn them off.

An unsubscribe link carries a token signed with SECRET_KEY (django.core.signing)
naming the user and the kind of email, so it works without signing in and
cannot be forged for another user. Tokens do not expire: a link in an old email
must still work.
"""

from dataclasses import dataclass

from django.core import signing

SALT = "accounts.unsubscribe"


@dataclass(frozen=True)
class EmailKind:
    field: str  # the User field that switches it on
    description: str  # what it is, as "Stop emails about …" reads


EMAIL_KINDS = {
    "reply": EmailKind("email_on_reply", "replies to your comments"),
    "held": EmailKind("email_on_held_comment", "comments awaiting approval in your series"),
    "digest": EmailKind("email_weekly_digest", "the weekly digest of talks you follow"),
}


def unsubscribe_token(user, kind: str) -> str:
    return signing.dumps({"user": user.pk, "kind": kind}, salt=SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """The (user id, kind) a token names; signing.BadSignature for any other string."""
    data = signing.loads(token, salt=SALT)
    if not isinstance(data, dict) or data.get("kind") not in EMAIL_KINDS:
        raise signing.BadSignature("Not an unsubscribe token.")
    return data["user"], data["kind"]


def unsubscribe(user, kind: str) -> None:
    field = EMAIL_KINDS[kind].field
    setattr(user, field, False)
    user.save(update_fields=[field])
