import uuid

from django import forms
from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from seminars.models import Comment

COMMENT_MAX_LENGTH = settings.COMMENT_MAX_LENGTH
REMOVAL_REASON_MAX_LENGTH = Comment._meta.get_field("removal_reason").max_length

# Only a tampered page posts a malformed token.
DAMAGED_FORM = "This form is damaged. Please reload the page and post again."


class CommentForm(forms.ModelForm):
    """A comment's text: for editing, and the base of the new-comment form.

    The length is checked here, not by the textarea's `maxlength`, which would cut
    a long paste short without a word: static/js/comment-box.js counts down instead
    (from `data-max-length`), and a text over the limit comes back with the excess.
    """

    body = forms.CharField(
        label="Your comment",
        help_text=format_lazy(_("At most {limit} characters."), limit=f"{COMMENT_MAX_LENGTH:,}"),
        widget=forms.Textarea(
            attrs={
                "rows": 5,
                "data-max-length": COMMENT_MAX_LENGTH,
                # What the script says near the limit ({n}: a number of characters).
                "data-left-text": _("Characters left: {n}."),
                "data-over-text": _("Characters over the limit: {n}."),
            }
        ),
        error_messages={"required": "Please write something before posting."},
    )

    class Meta:
        model = Comment
        fields = ["body"]

    def clean_body(self):
        body = self.cleaned_data["body"]
        excess = len(body) - COMMENT_MAX_LENGTH
        if excess > 0:
            raise forms.ValidationError(
                _(
                    "Comments are limited to %(limit)s characters; this one has %(length)s. "
                    "Please shorten it by %(excess)s."
                ),
                code="max_length",
                params={
                    "limit": f"{COMMENT_MAX_LENGTH:,}",
                    "length": f"{len(body):,}",
                    "excess": f"{excess:,}",
                },
            )
        return body


class NewCommentForm(CommentForm):
    """A new comment or reply, with a one-time token so a double submit stores one comment.

    Each rendering of the form gets a fresh token; a re-displayed form (after an
    error) keeps the one it was posted with, since nothing was saved under it.
    The token is optional so that a page loaded before it existed, or a script,
    can still post (without that protection).
    """

    submission_token = forms.UUIDField(
        required=False,
        initial=uuid.uuid4,
        widget=forms.HiddenInput,
        error_messages={"invalid": DAMAGED_FORM},
    )

    def save(self, commit=True):
        self.instance.submission_token = self.cleaned_data["submission_token"]
        return super().save(commit)


class ReplyForm(NewCommentForm):
    """A reply, written under its comment; its element ids differ from the comment form's."""

    def __init__(self, *args, parent, **kwargs):
        kwargs.setdefault("auto_id", "reply_%s")
        super().__init__(*args, **kwargs)
        self.fields["body"].label = f"Your reply to {parent.author_name}"


class RemovalForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=REMOVAL_REASON_MAX_LENGTH,
        error_messages={
            "required": "Please give a reason for removing the comment.",
            "max_length": "Please keep the reason under %(limit_value)d characters.",
        },
    )
