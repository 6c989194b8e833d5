from django import forms

from .models import Comment

COMMENT_MAX_LENGTH = 5000


class CommentForm(forms.ModelForm):
    body = forms.CharField(
        label="Your comment",
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Please write something before posting.",
            "max_length": "Comments are limited to %(limit_value)d characters "
            "(this one has %(show_value)d).",
        },
    )

    class Meta:
        model = Comment
        fields = ["body"]
