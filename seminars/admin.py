"""The organisers' tools: talks, series, speakers, tags and comment moderation."""

import zoneinfo

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.utils import timezone

from .models import Comment, Series, Speaker, Tag, Talk

# A link typed without a scheme is read as https (Django 6's default; 5.2 warns otherwise).
HTTPS_URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


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
    formfield_overrides = HTTPS_URL_FIELDS


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


class TalkAdminForm(forms.ModelForm):
    """Start and end are shown and typed in the talk's series' zone, not the server's.

    Django shows and parses datetimes in the current zone; this form converts
    between that and the zone of the series the talk belongs to, including a
    series chosen (or changed) in the same form.
    """

    ZONED_FIELDS = ("start", "end")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            zone_name = self.instance.series.timezone
            for name in self.ZONED_FIELDS:
                # Naive, so the widget shows the series' wall-clock time unconverted.
                self.initial[name] = timezone.make_naive(
                    getattr(self.instance, name), zoneinfo.ZoneInfo(zone_name)
                )
            help_text = f"In {zone_name} time, the series' zone."
        else:
            help_text = "In the time zone of the chosen series."
        for name in self.ZONED_FIELDS:
            self.fields[name].help_text = help_text

    def clean(self):
        cleaned_data = super().clean()
        series = cleaned_data.get("series")
        if series:
            zone = zoneinfo.ZoneInfo(series.timezone)
            for name in self.ZONED_FIELDS:
                if cleaned_data.get(name):
                    # Django read the typed time in the current zone; it is the series' time.
                    typed = timezone.make_naive(cleaned_data[name])
                    cleaned_data[name] = timezone.make_aware(typed, zone)
        return cleaned_data


@admin.register(Talk)
class TalkAdmin(admin.ModelAdmin):
    form = TalkAdminForm
    list_display = ["title", "start", "series", "status"]
    list_filter = ["series", "status", "tags"]
    list_select_related = ["series"]
    search_fields = ["title", "abstract", "speakers__name"]
    date_hierarchy = "start"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["speakers", "tags"]
    formfield_overrides = HTTPS_URL_FIELDS
    inlines = [CommentInline]
    fieldsets = [
        (None, {"fields": ["series", "title", "slug", "status", "speakers", "tags"]}),
        ("When and where", {"fields": ["start", "end", "venue", "online_url"]}),
        ("Abstract", {"fields": ["abstract"]}),
        ("Afterwards", {"fields": ["recording_url", "slides_url"]}),
    ]


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
