"""Comment moderation in the admin: the queue, approving, removing and restoring.

Organisers see only the comments of the series they organise (SeriesScopedAdmin).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from seminars.admin import OrganisedSeriesFilter, SeriesScopedAdmin, zoned
from seminars.models import Comment

from . import moderation
from .forms import RemovalForm

# Comments and their moderation


class ModerationFilter(admin.SimpleListFilter):
    """The moderation queue is this filter's first choice."""

    title = "moderation"
    parameter_name = "moderation"
    QUEUE = "held"

    def lookups(self, request, model_admin):
        return [
            (self.QUEUE, "Awaiting approval"),
            ("published", "Published"),
            ("removed", "Removed"),
        ]

    def queryset(self, request, queryset):
        if self.value() == self.QUEUE:
            return queryset.filter(status=Comment.Status.HELD, removed=False)
        if self.value() == "published":
            return queryset.filter(status=Comment.Status.PUBLISHED, removed=False)
        if self.value() == "removed":
            return queryset.filter(removed=True)
        return queryset


class CommentModerationForm(forms.ModelForm):
    class Meta:
        model = Comment
        fields = ["body", "status", "removed", "removal_reason"]

    def clean(self):
        cleaned_data = super().clean()
        removed = cleaned_data.get("removed")
        # An organiser's removal always says why (an author's deletion needs no reason).
        reason_needed = removed and not self.instance.removed_by_author
        if reason_needed and not cleaned_data.get("removal_reason", "").strip():
            self.add_error("removal_reason", "Say why the comment is removed.")
        if "removed" in self.changed_data and not removed and self.instance.removed_by_author:
            self.add_error("removed", "Its author deleted this comment; only they had that say.")
        return cleaned_data


@admin.register(Comment)
class CommentAdmin(SeriesScopedAdmin):
    organisers_lookup = "talk__series__organisers"
    form = CommentModerationForm
    # Methods, not the talk and date fields, which the admin keeps on one line:
    # the list fits 1280 px beside the navigation and the filters.
    list_display = ["excerpt", "talk_title", "author_name", "status", "posted", "removed"]
    list_filter = [ModerationFilter, ("talk__series", OrganisedSeriesFilter)]
    list_select_related = ["talk__series", "author"]
    # Newest first: what came in since the organiser last looked.
    ordering = ["-created", "-id"]
    # Organisers search by what the thread shows; the address is for superusers only.
    search_fields = ["body", "author__display_name", "talk__title"]
    superuser_search_fields = [*search_fields, "author__email"]
    readonly_fields = [
        "talk",
        "author_name",
        "parent",
        "created",
        "updated",
        "held_reason",
        "moderator_edited",
        "removed_by_name",
    ]
    fields = [
        "talk",
        "author_name",
        "parent",
        "created",
        "updated",
        "body",
        "moderator_edited",
        "status",
        "held_reason",
        "removed",
        "removal_reason",
        "removed_by_name",
    ]
    actions = ["approve_comments", "remove_comments", "restore_comments"]

    @admin.display(description="comment")
    def excerpt(self, comment):
        return Truncator(comment.body).chars(80)

    @admin.display(description=_("talk"), ordering="talk__title")
    def talk_title(self, comment):
        return comment.talk.title

    @admin.display(description=_("posted"), ordering="created")
    def posted(self, comment):
        return zoned(comment.created, comment.talk.series.timezone)

    @admin.display(description="author", ordering="author__display_name")
    def author_name(self, comment):
        return comment.author_name

    # Not the foreign key itself: it would show str(user), the address when there is no name.
    @admin.display(description="removed by")
    def removed_by_name(self, comment):
        return comment.removed_by.public_name if comment.removed_by else "-"

    def get_readonly_fields(self, request, obj=None):
        # An organiser moderates a comment but never puts words in its author's mouth.
        if request.user.is_superuser:
            return self.readonly_fields
        return [*self.readonly_fields, "body"]

    def get_search_fields(self, request):
        if request.user.is_superuser:
            return self.superuser_search_fields
        return self.search_fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Moderation is a soft delete: remove, never delete.
        return False

    def save_model(self, request, obj, form, change):
        """State changes go through discussion.moderation, as from the talk page."""
        changed = set(form.changed_data)
        handled = set()
        if "removed" in changed:
            handled |= {"removed", "removal_reason"}
            if obj.removed:
                moderation.remove(obj, by=request.user, reason=obj.removal_reason)
            else:
                moderation.restore(obj)
        if "status" in changed:
            handled.add("status")
            if obj.status == Comment.Status.PUBLISHED:
                moderation.approve(obj)
            else:
                moderation.hold_by_moderator(obj, request.user)
        if "body" in changed:
            # Only a superuser's form has the body (get_readonly_fields); save()
            # re-renders body_html from the new text, and the thread says so.
            obj.moderator_edited = timezone.now()
        if changed - handled:
            super().save_model(request, obj, form, change)

    def get_urls(self):
        return [
            path(
                "moderation-queue/",
                self.admin_site.admin_view(self.queue_view),
                name="seminars_comment_queue",
            ),
            *super().get_urls(),
        ]

    def queue_view(self, request):
        """A stable address for the queue, for links in emails to organisers."""
        changelist = reverse("admin:seminars_comment_changelist")
        return redirect(f"{changelist}?{ModerationFilter.parameter_name}={ModerationFilter.QUEUE}")

    def changelist_view(self, request, extra_context=None):
        held = self.get_queryset(request).filter(status=Comment.Status.HELD, removed=False)
        extra_context = {
            **(extra_context or {}),
            "held_count": held.count(),
            "queue_url": reverse("admin:seminars_comment_queue"),
        }
        return super().changelist_view(request, extra_context)

    @admin.action(description="Approve selected held comments", permissions=["change"])
    def approve_comments(self, request, queryset):
        # One by one through moderation.approve, so approved replies are emailed.
        held = list(queryset.filter(status=Comment.Status.HELD))
        for comment in held:
            moderation.approve(comment)
        count = len(held)
        self.message_user(request, f"Approved {count} comment(s).", messages.SUCCESS)

    @admin.action(description="Remove selected comments (with a reason)…", permissions=["change"])
    def remove_comments(self, request, queryset):
        comments = list(queryset.select_related("talk", "author"))
        if not comments:
            self.message_user(request, "None of those comments are yours to moderate.")
            return None
        form = RemovalForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            count = moderation.remove_many(queryset, request.user, form.cleaned_data["reason"])
            self.message_user(request, f"Removed {count} comment(s).", messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Remove comments",
            "comments": comments,
            "form": form,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/seminars/comment/remove_confirmation.html", context)

    @admin.action(description="Restore selected removed comments", permissions=["change"])
    def restore_comments(self, request, queryset):
        count = moderation.restore_many(queryset)
        self.message_user(request, f"Restored {count} comment(s).", messages.SUCCESS)
