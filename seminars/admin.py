"""The organisers' tools: talks, series, speakers, tags and comment moderation."""

import zoneinfo

from django.conf import settings
from django.contrib import admin, messages
from django.utils import timezone

from .models import Comment, Series, Speaker, Tag, Talk


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["name", "timezone"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["organisers"]


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    list_display = ["name", "affiliation"]
    search_fields = ["name", "affiliation"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class CommentInline(admin.TabularInline):
    model = Comment
    fields = ["author", "body", "created", "removed"]
    readonly_fields = ["author", "body", "created"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


def talk_timezone(obj) -> str:
    """The zone an organiser reads and types a talk's times in: its series' zone."""
    if obj is not None:
        return obj.series.timezone
    series = Series.objects.order_by("pk").first()
    return series.timezone if series else settings.TIME_ZONE


@admin.register(Talk)
class TalkAdmin(admin.ModelAdmin):
    list_display = ["title", "start", "series", "status"]
    list_filter = ["series", "status", "tags"]
    list_select_related = ["series"]
    search_fields = ["title", "abstract", "speakers__name"]
    date_hierarchy = "start"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["speakers", "tags"]
    inlines = [CommentInline]
    fieldsets = [
        (None, {"fields": ["series", "title", "slug", "status", "speakers", "tags"]}),
        ("When and where", {"fields": ["start", "end", "venue", "online_url"]}),
        ("Abstract", {"fields": ["abstract"]}),
        ("Afterwards", {"fields": ["recording_url", "slides_url"]}),
    ]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Times are shown and parsed in the series' zone, not the server's.
        obj = self.get_object(request, object_id) if object_id else None
        zone = talk_timezone(obj)
        request.talk_timezone = zone
        with timezone.override(zoneinfo.ZoneInfo(zone)):
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        zone = getattr(request, "talk_timezone", settings.TIME_ZONE)
        for field in ("start", "end"):
            form.base_fields[field].help_text = f"In {zone} time."
        return form


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "talk", "author", "created", "removed"]
    list_filter = ["removed", "talk__series"]
    list_select_related = ["talk", "author"]
    search_fields = ["body", "author__email", "author__display_name", "talk__title"]
    readonly_fields = ["talk", "author", "created", "updated", "removed_by"]
    fields = ["talk", "author", "body", "removed", "removed_by", "created", "updated"]
    actions = ["remove_comments", "restore_comments"]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        if "removed" in form.changed_data:
            obj.removed_by = request.user if obj.removed else None
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        # Moderation is a soft delete: remove, never delete.
        return False

    @admin.action(description="Remove selected comments", permissions=["change"])
    def remove_comments(self, request, queryset):
        count = queryset.filter(removed=False).update(
            removed=True, removed_by=request.user, updated=timezone.now()
        )
        self.message_user(request, f"Removed {count} comment(s).", messages.SUCCESS)

    @admin.action(description="Restore selected comments", permissions=["change"])
    def restore_comments(self, request, queryset):
        count = queryset.filter(removed=True).update(
            removed=False, removed_by=None, updated=timezone.now()
        )
        self.message_user(request, f"Restored {count} comment(s).", messages.SUCCESS)
