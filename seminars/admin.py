"""The organisers' tools: talks, series, speakers and tags (comments: discussion.admin).

Organisers (staff in the Organisers group) see and change only the series they
organise and those series' talks and comments; superusers see everything.
Speakers and tags are shared by all series. Every page and action reads its
objects through `get_queryset`, which applies that rule, so an organiser who
posts another series' ids finds nothing to act on.
"""

import datetime
import re
import uuid
import zoneinfo

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.db.models import Case, Q, Value, When
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import dateformat, timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from . import exports, generation, imports, propagation, recurrence
from .models import Comment, Series, Speaker, Tag, Talk, set_speakers
from .queries import talk_card_prefetches
from .rendering import contains_math, render_abstract
from .roles import ORGANISERS_GROUP

# A link typed without a scheme is read as https (Django 6's default; 5.2 warns otherwise).
HTTPS_URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}
IMPORT_SESSION_KEY = "seminars_talk_import"
DEFAULTS_SESSION_KEY = "seminars_series_changed_defaults"


def https_formfield(db_field, **kwargs):
    """HTTPS_URL_FIELDS for a ModelForm's own fields, made when its class is defined."""
    return db_field.formfield(**{**HTTPS_URL_FIELDS.get(type(db_field), {}), **kwargs})


def zoned(moment: datetime.datetime, zone_name: str) -> str:
    """A moment as an organiser reads it: the series' wall clock, its zone named
    ("Thu 13 May 2027, 16:00 BST"), whatever zone the server or browser is in."""
    local = moment.astimezone(zoneinfo.ZoneInfo(zone_name))
    return f"{dateformat.format(local, 'D j M Y, H:i')} {local.tzname()}"


def as_id(value) -> int | None:
    """A row id typed into an address or a form, or None unless it is digits only
    (Django answers an id beyond the column's range with no rows, not an error)."""
    text = str(value or "")
    return int(text) if text.isdigit() else None


def organised_series(user):
    """The series a user may manage: every one for a superuser, else the ones they organise."""
    if user.is_superuser:
        return Series.objects.all()
    return Series.objects.filter(organisers=user)


class SeriesScopedAdmin(admin.ModelAdmin):
    """Shows an organiser only the objects of the series they organise."""

    # The lookup from this model to Series.organisers.
    organisers_lookup = ""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        # Series.organisers is unique per (series, user), so the join adds no duplicates.
        return queryset.filter(**{self.organisers_lookup: request.user})


class NamedEmptyFilter(admin.RelatedFieldListFilter):
    """Says what its empty choice means ("No tags") instead of the admin's bare "-"."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.empty_value_display = f"No {field.verbose_name}"


class OrganisedSeriesFilter(admin.RelatedFieldListFilter):
    """The series filter offers only the series the user manages."""

    def field_choices(self, field, request, model_admin):
        return field.get_choices(
            include_blank=False,
            limit_choices_to={"pk__in": organised_series(request.user)},
            ordering=("name",),
        )


# Series


class OrganiserChoiceField(forms.ModelMultipleChoiceField):
    # Addresses are shown to superusers only (SeriesAdmin.get_form): an organiser
    # sees public names, as listed people may also be commenters.
    show_email = False

    def label_from_instance(self, user):
        if self.show_email:
            return f"{user.public_name} <{user.email}>"
        return user.public_name


class SeriesAdminForm(forms.ModelForm):
    """Organisers are chosen among organiser accounts, so no one grants admin access here.

    A superuser makes someone an organiser first (`manage.py make_organiser`);
    the people already organising the series stay listed whatever they are now.
    """

    organisers = OrganiserChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        widget=admin.widgets.FilteredSelectMultiple("organisers", is_stacked=False),
        help_text="Organisers manage this series' talks and comments in the admin. Only "
        "organiser accounts are listed; ask an administrator to make someone an organiser.",
    )

    class Meta:
        model = Series
        formfield_callback = https_formfield
        fields = [
            "name",
            "slug",
            "description",
            "homepage",
            "contact_email",
            "show_contact_email",
            "timezone",
            "organisers",
            "comment_moderation",
            "max_links",
            "blocked_words",
            "latex_macros",
            "default_weekday",
            "default_start_time",
            "default_duration",
            "default_venue",
            "default_online_url",
            "default_tags",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        eligible = Q(is_staff=True, groups__name=ORGANISERS_GROUP) | Q(is_superuser=True)
        if self.instance.pk:
            eligible |= Q(organised_series=self.instance)
        users = get_user_model().objects.filter(eligible).distinct().order_by("display_name", "pk")
        self.fields["organisers"].queryset = users
        self.fields["organisers"].show_email = self.show_emails

    # Set per request by SeriesAdmin.get_form.
    show_emails = False


@admin.register(Series)
class SeriesAdmin(SeriesScopedAdmin):
    organisers_lookup = "organisers"
    form = SeriesAdminForm
    list_display = ["name", "timezone", "comment_moderation"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    formfield_overrides = HTTPS_URL_FIELDS
    fieldsets = [
        (None, {"fields": ["name", "slug", "description", "timezone", "organisers"]}),
        (
            "On the series' page",
            {"fields": ["homepage", "contact_email", "show_contact_email"]},
        ),
        (
            _("Defaults for new talks"),
            {
                "fields": [
                    ("default_weekday", "default_start_time"),
                    "default_duration",
                    "default_venue",
                    "default_online_url",
                    "default_tags",
                ],
                "description": _(
                    "A new talk of the series (added, or generated with Generate talks) "
                    "starts from these; the time is in the series' zone."
                ),
            },
        ),
        ("Comments", {"fields": ["comment_moderation", "max_links", "blocked_words"]}),
        ("Math", {"fields": ["latex_macros"]}),
    ]
    autocomplete_fields = ["default_tags"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Changed defaults are offered to the series' coming talks (response_change).
        changed = [name for name in form.changed_data if name in propagation.APPLIED]
        old = {name: form.initial.get(name) for name in changed}
        request.session.pop(DEFAULTS_SESSION_KEY, None)
        if change and old:
            request.session[DEFAULTS_SESSION_KEY] = {
                "series": obj.pk,
                "old": propagation.remembered(old),
            }

    def response_change(self, request, obj):
        pending = request.session.get(DEFAULTS_SESSION_KEY) or {}
        if pending.get("series") == obj.pk and "_continue" not in request.POST:
            old = propagation.recalled(pending["old"])
            if propagation.planned(obj, old):
                return redirect("admin:seminars_series_apply_defaults", obj.pk)
        return super().response_change(request, obj)

    def apply_defaults_view(self, request, object_id):
        """Apply changed defaults to the coming talks that still have the old ones."""
        series = self.viewable_series(request, object_id)
        if not self.has_change_permission(request, series):
            raise PermissionDenied
        pending = request.session.get(DEFAULTS_SESSION_KEY) or {}
        series_page = reverse("admin:seminars_series_change", args=[series.pk])
        if pending.get("series") != series.pk:
            self.message_user(request, _("No changed defaults wait to be applied."))
            return redirect(series_page)
        changes = propagation.planned(series, propagation.recalled(pending["old"]))
        if request.method == "POST":
            del request.session[DEFAULTS_SESSION_KEY]
            if "apply" in request.POST:
                count = propagation.apply(changes)
                self.message_user(
                    request,
                    _("The new defaults now apply to %(count)d coming talk(s).") % {"count": count},
                    messages.SUCCESS,
                )
            return redirect(series_page)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": series,
            "title": _("Apply the new defaults to coming talks?"),
            "changes": changes,
        }
        with timezone.override(zoneinfo.ZoneInfo(series.timezone)):
            return TemplateResponse(
                request, "admin/seminars/series/apply_defaults.html", context
            ).render()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # After the form's organisers are saved, which would otherwise replace the
        # creator: an organiser who makes a series organises it (and so sees it).
        if not change and not request.user.is_superuser:
            form.instance.organisers.add(request.user)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if request.user.is_superuser:
            return type(form.__name__, (form,), {"show_emails": True})
        return form

    def get_urls(self):
        return [
            path(
                "<path:object_id>/export.csv",
                self.admin_site.admin_view(self.export_csv),
                name="seminars_series_export_csv",
            ),
            path(
                "<path:object_id>/export.ics",
                self.admin_site.admin_view(self.export_ics),
                name="seminars_series_export_ics",
            ),
            path(
                "<path:object_id>/apply-defaults/",
                self.admin_site.admin_view(self.apply_defaults_view),
                name="seminars_series_apply_defaults",
            ),
            path(
                "<path:object_id>/generate/",
                self.admin_site.admin_view(self.generate_view),
                name="seminars_series_generate",
            ),
            *super().get_urls(),
        ]

    def viewable_series(self, request, object_id):
        # get_object reads through get_queryset: another organiser's series is not found.
        series = self.get_object(request, object_id)
        if series is None:
            raise Http404("No such series.")
        if not self.has_view_permission(request, series):
            raise PermissionDenied
        return series

    def export_csv(self, request, object_id):
        return exports.csv_response(self.viewable_series(request, object_id))

    def export_ics(self, request, object_id):
        return exports.ics_response(request, self.viewable_series(request, object_id))

    def generate_view(self, request, object_id):
        """Generate talks (seminars.generation): the form, its preview, then the drafts."""
        series = self.viewable_series(request, object_id)
        talk_admin = self.admin_site.get_model_admin(Talk)
        if not (
            self.has_change_permission(request, series) and talk_admin.has_add_permission(request)
        ):
            raise PermissionDenied
        form = generation.GenerateTalksForm(
            request.POST if request.method == "POST" else None,
            series=series,
            initial=generation.initial_for(series),
        )
        slots = None
        if form.is_bound and form.is_valid():
            if "create" in request.POST:
                talks, taken = generation.create(series, form.cleaned_data)
                self.message_user(
                    request,
                    _(
                        "Made %(made)d draft talk(s) titled TBA in %(series)s; %(taken)d date(s) "
                        "already had a talk and were left alone."
                    )
                    % {"made": len(talks), "series": series, "taken": taken},
                    messages.SUCCESS,
                )
                changelist = reverse("admin:seminars_talk_changelist")
                return redirect(f"{changelist}?series__id__exact={series.pk}")
            slots = generation.plan(series, form.cleaned_data)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": series,
            "title": _("Generate talks for %(series)s") % {"series": series},
            "form": form,
            "slots": slots,
            "new_count": sum(not slot.taken for slot in slots or []),
            "max_talks": generation.MAX_TALKS,
        }
        template = "admin/seminars/series/generate.html"
        # The preview's times on the series' clocks.
        with timezone.override(zoneinfo.ZoneInfo(series.timezone)):
            return TemplateResponse(request, template, context).render()


class SpeakerAdminForm(forms.ModelForm):
    """Two people may share a name: a new speaker whose slug is taken ("ada-okafor")
    gets the next free one ("ada-okafor-2") instead of a uniqueness error."""

    class Meta:
        model = Speaker
        formfield_callback = https_formfield
        fields = ["name", "slug", "affiliation", "homepage"]

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if self.instance._state.adding and Speaker.objects.filter(slug=slug).exists():
            return imports.unique_slug(Speaker, slug)
        return slug


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    form = SpeakerAdminForm
    list_display = ["name", "affiliation"]
    search_fields = ["name", "affiliation"]
    prepopulated_fields = {"slug": ["name"]}
    formfield_overrides = HTTPS_URL_FIELDS


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


# Talks


class CommentInline(admin.TabularInline):
    """The talk's comments, to read; moderating them happens on the comment pages."""

    model = Comment
    fields = ["author_name", "body", "created", "status", "removed"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="author")
    def author_name(self, comment):
        return comment.author_name


class OrderedAutocompleteSelectMultiple(admin.widgets.AutocompleteSelectMultiple):
    """Lists the chosen options in the value's order, not the model's: select2 then
    posts them in the order shown, and new choices after them."""

    def optgroups(self, name, value, attr=None):
        groups = super().optgroups(name, value, attr)
        place = {str(each): index for index, each in enumerate(value)}
        for group in groups:
            options = group[1]
            options.sort(key=lambda option: place.get(str(option["value"]), len(place)))
            for index, option in enumerate(options):
                option["index"] = str(index)
        return groups


class OrderedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """The chosen objects as a list in the order they were posted, each once."""

    def clean(self, value):
        chosen = {str(obj.pk): obj for obj in super().clean(value)}
        return [chosen[key] for key in dict.fromkeys(map(str, value or ())) if key in chosen]


class ZonedSplitDateTime(admin.widgets.AdminSplitDateTime):
    """The admin's date and time inputs, saying which zone the time is in.

    Its template sits in the app (the form renderer reads app templates only). The
    note carries the class of the admin's own "You are N hours behind server time"
    warning, which DateTimeShortcuts.js then leaves out: the server's zone is not
    the one an organiser types in, the series' is.
    """

    template_name = "seminars/widgets/zoned_split_datetime.html"
    zone_note = ""

    def get_context(self, name, value, attrs):
        return {**super().get_context(name, value, attrs), "zone_note": self.zone_note}


class TalkAdminForm(forms.ModelForm):
    """Start and end are shown and typed in the talk's series' zone, not the server's.

    Django shows and parses datetimes in the current zone; this form converts
    between that and the zone of the series the talk belongs to, including a
    series chosen (or changed) in the same form.
    """

    ZONED_FIELDS = ("start", "end")

    # Speakers keep the order they are chosen in (TalkSpeaker.position), which the
    # admin cannot do for a relation with its own link model (so TalkAdmin names
    # this field in get_fieldsets, where its checks do not object).
    speakers = OrderedModelMultipleChoiceField(
        queryset=Speaker.objects.all(),
        required=False,
        widget=OrderedAutocompleteSelectMultiple(Talk._meta.get_field("speakers"), admin.site),
        help_text="In the order they are listed on the talk's page.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["speakers"] = [
                link.speaker_id for link in self.instance.speaker_links.all()
            ]
            for name in self.ZONED_FIELDS:
                # Naive, so the widget shows the series' wall-clock time unconverted.
                self.initial[name] = timezone.make_naive(
                    getattr(self.instance, name), zoneinfo.ZoneInfo(self.instance.series.timezone)
                )
        series = self.shown_series()
        for name in self.ZONED_FIELDS:
            if series is None:
                self.fields[name].help_text = _("In the time zone of the chosen series.")
            else:
                self.fields[name].widget.zone_note = _("%(zone)s time, the zone of %(series)s") % {
                    "zone": series.timezone,
                    "series": series.name,
                }

    def shown_series(self):
        """The series whose zone the form's times are in: the one posted, else the talk's,
        else the one chosen before the form (`?series=` on the add page)."""
        field = self.fields["series"]
        chosen = self.data.get("series") if self.is_bound else self.initial.get("series")
        if self.instance.series_id and not (self.is_bound and chosen):
            return self.instance.series
        if isinstance(chosen, Series):
            return chosen
        pk = as_id(chosen)
        return None if pk is None else field.queryset.filter(pk=pk).first()

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

    def _save_m2m(self):
        super()._save_m2m()
        set_speakers(self.instance, self.cleaned_data["speakers"])


class ChooseSeriesForm(forms.Form):
    """Step one of adding a talk: its series (sent by GET to the add page itself)."""

    series = forms.ModelChoiceField(
        queryset=Series.objects.none(), label=_("Series"), empty_label=None
    )

    def __init__(self, *args, series_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["series"].queryset = series_choices


def series_defaults(series, now) -> dict:
    """A new talk's form values from its series' defaults: the next usual slot
    (wall-clock, as the form shows times), the usual length, venue, link and tags."""
    initial = {
        "series": series.pk,
        "venue": series.default_venue,
        "online_url": series.default_online_url,
        "tags": [tag.pk for tag in series.default_tags.all()],
    }
    start = recurrence.next_default_start(series, now)
    if start is not None:
        initial["start"] = start.replace(tzinfo=None)
        # The end's wall clock, read after adding the length in real time.
        end = start + series.default_duration
        initial["end"] = timezone.make_naive(end, zoneinfo.ZoneInfo(series.timezone))
    return initial


# "colloquium-2030-07-01": the date a duplicate replaces with its own.
DATED_SLUG = re.compile(r"-\d{4}-\d{2}-\d{2}$")
# "Colloquium (8 Jul 2030)": likewise in titles, so a copy of a copy has one date.
DATED_TITLE = re.compile(r" \(\d{1,2} [A-Z][a-z]{2} \d{4}\)$")
WEEK = datetime.timedelta(weeks=1)


def lock_series(series_id: int) -> None:
    """Hold the series' row until the transaction ends (PostgreSQL; SQLite locks on
    writing anyway): two runs adding talks to one series check for an existing talk
    at a time one after the other, so neither adds a second one."""
    list(Series.objects.select_for_update().filter(pk=series_id).values_list("pk"))


def week_later(moment: datetime.datetime, zone: zoneinfo.ZoneInfo) -> datetime.datetime:
    """A week later on the series' clocks: 16:00 stays 16:00 across a clock change."""
    return (moment.astimezone(zone).replace(tzinfo=None) + WEEK).replace(tzinfo=zone)


def duplicate_week_later(talk) -> Talk | None:
    """A draft copy of `talk` one week later, for weekly seminars; None when the series
    already has a talk then (a second run, or a talk entered by hand)."""
    zone = zoneinfo.ZoneInfo(talk.series.timezone)
    start = week_later(talk.start, zone)
    lock_series(talk.series_id)
    if Talk.objects.filter(series=talk.series, start=start).exists():
        return None
    local_date = start.astimezone(zone).date()
    base = f"{DATED_SLUG.sub('', talk.slug)[:180]}-{local_date.isoformat()}"
    title = f"{DATED_TITLE.sub('', talk.title)[:280]} ({dateformat.format(local_date, 'j M Y')})"
    copy = Talk.objects.create(
        series=talk.series,
        title=title,
        slug=imports.unique_slug(Talk, base),
        abstract=talk.abstract,
        start=start,
        end=week_later(talk.end, zone),
        venue=talk.venue,
        online_url=talk.online_url,
        status=Talk.Status.DRAFT,
    )
    set_speakers(copy, talk.speakers.all())
    copy.tags.set(talk.tags.all())
    return copy


@admin.register(Talk)
class TalkAdmin(SeriesScopedAdmin):
    organisers_lookup = "series__organisers"
    form = TalkAdminForm
    # Methods rather than the fields: times in each series' zone, and columns that
    # wrap (the admin keeps date and foreign-key columns on one line), so the list
    # fits 1280 px beside the navigation and the filters.
    list_display = ["title", "when", "series_name", "status"]
    list_filter = [("series", OrganisedSeriesFilter), "status", ("tags", NamedEmptyFilter)]
    list_select_related = ["series"]
    search_fields = ["title", "abstract", "speakers__name"]
    date_hierarchy = "start"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["tags"]
    formfield_overrides = {**HTTPS_URL_FIELDS, models.DateTimeField: {"widget": ZonedSplitDateTime}}
    inlines = [CommentInline]
    actions = ["publish_talks", "duplicate_talks"]
    FIELDSETS = [
        (None, {"fields": ["series", "title", "slug", "status", "speakers", "tags"]}),
        ("When and where", {"fields": ["start", "end", "venue", "online_url"]}),
        ("Abstract", {"fields": ["abstract"]}),
        ("Afterwards", {"fields": ["recording_url", "slides_url"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        # Not the `fieldsets` attribute: its check refuses "speakers" (TalkAdminForm).
        return self.FIELDSETS

    @admin.display(description=_("when"), ordering="start")
    def when(self, talk):
        return zoned(talk.start, talk.series.timezone)

    @admin.display(description=_("series"), ordering="series__name")
    def series_name(self, talk):
        return talk.series.name

    def get_ordering(self, request):
        """Upcoming talks first, soonest first, then past ones, latest first: the
        next few talks are what an organiser works on."""
        upcoming = Q(start__gte=timezone.now())
        return [
            Case(When(upcoming, then=Value(0)), default=Value(1)).asc(),
            Case(When(upcoming, then="start")).asc(),
            models.F("start").desc(),
        ]

    def list_zone(self, request):
        """The zone the date bar (date hierarchy) reads days in: the listed series',
        when they share one (else the server's, and the page says so)."""
        series = organised_series(request.user)
        chosen = as_id(request.GET.get("series__id__exact"))
        if chosen is not None:
            series = series.filter(pk=chosen)
        zones = list(series.order_by().values_list("timezone", flat=True).distinct()[:2])
        return zoneinfo.ZoneInfo(zones[0]) if len(zones) == 1 else None

    def changelist_view(self, request, extra_context=None):
        zone = self.list_zone(request)
        extra_context = {**(extra_context or {}), "list_zone": zone}
        with timezone.override(zone or timezone.get_default_timezone()):
            # Rendered here: the date bar reads its days while the template renders.
            return rendered(super().changelist_view(request, extra_context))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Read-only times (the comments' dates) and the admin's "Now" in the series' zone.
        talk = self.get_object(request, object_id) if object_id else None
        series = talk.series if talk else self.chosen_series(request)
        zone = zoneinfo.ZoneInfo(series.timezone) if series else None
        with timezone.override(zone or timezone.get_current_timezone()):
            return rendered(super().changeform_view(request, object_id, form_url, extra_context))

    # A new talk: the series first, then the form, prefilled from the series' defaults.

    def chosen_series(self, request):
        """The series `?series=` names on the add page, if the user organises it."""
        chosen = as_id(request.GET.get("series"))
        if chosen is None:
            return None
        return organised_series(request.user).filter(pk=chosen).first()

    def add_view(self, request, form_url="", extra_context=None):
        # Without a series the form could not say which zone its times are in, nor
        # start from the series' defaults: a plain GET form chooses it first (no
        # JavaScript needed). A posted form names its series itself.
        if request.method == "GET" and self.chosen_series(request) is None:
            return self.choose_series_view(request)
        return super().add_view(request, form_url, extra_context)

    def choose_series_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        choices = organised_series(request.user).order_by("name")
        form = ChooseSeriesForm(request.GET or None, series_choices=choices)
        if len(choices) == 1:
            return redirect(f"{reverse('admin:seminars_talk_add')}?series={choices[0].pk}")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Add talk: choose its series"),
            "form": form,
            "has_series": bool(choices),
        }
        return TemplateResponse(request, "admin/seminars/talk/choose_series.html", context)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        series = self.chosen_series(request)
        if series is not None:
            initial.update(series_defaults(series, timezone.now()))
        return initial

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "series":
            # A crafted POST naming another series fails validation like a typo would.
            kwargs["queryset"] = organised_series(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.action(description="Publish selected draft talks", permissions=["change"])
    def publish_talks(self, request, queryset):
        drafts = list(queryset.filter(status=Talk.Status.DRAFT))
        for talk in drafts:
            talk.status = Talk.Status.PUBLISHED
            # save(), not update(): the calendar SEQUENCE goes up.
            talk.save(update_fields=["status", "updated"])
        self.message_user(request, f"Published {len(drafts)} talk(s).", messages.SUCCESS)

    @admin.action(
        description="Duplicate selected talks one week later, as drafts", permissions=["add"]
    )
    def duplicate_talks(self, request, queryset):
        talks = queryset.select_related("series").prefetch_related(*talk_card_prefetches())
        copies, taken = [], []
        for talk in talks:
            with transaction.atomic():
                copy = duplicate_week_later(talk)
            (copies if copy else taken).append(copy or talk)
        if copies:
            self.message_user(
                request,
                _(
                    "Made %(count)d draft(s) one week later: %(titles)s. Publish them when they "
                    "are ready."
                )
                % {"count": len(copies), "titles": ", ".join(copy.title for copy in copies)},
                messages.SUCCESS,
            )
        if taken:
            self.message_user(
                request,
                _(
                    "Not copied, as their series already has a talk one week later at the same "
                    "time: %(titles)s."
                )
                % {"titles": ", ".join(talk.title for talk in taken)},
                messages.WARNING,
            )

    # Import: upload, preview, confirm.

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="seminars_talk_import",
            ),
            path(
                "preview-abstract/",
                self.admin_site.admin_view(self.abstract_preview_view),
                name="seminars_talk_abstract_preview",
            ),
            *super().get_urls(),
        ]

    # The abstract's preview: the change form's "Preview abstract" button posts the form
    # here (formaction), into a new tab, so the form stays as typed and nothing is saved.

    def previewed_series_macros(self, request) -> dict[str, str]:
        """The macros of the series chosen on the form, as saving the talk will use them
        (none for a series this user may not manage, or none chosen)."""
        series_id = as_id(request.POST.get("series"))
        series = organised_series(request.user).filter(pk=series_id).first() if series_id else None
        return series.macros if series else {}

    @method_decorator(require_POST)
    def abstract_preview_view(self, request):
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        abstract = request.POST.get("abstract", "")
        abstract_html = render_abstract(abstract, self.previewed_series_macros(request))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Abstract preview",
            "talk_title": request.POST.get("title", ""),
            "abstract_html": abstract_html,
            "shows_math": contains_math(abstract_html),
        }
        return TemplateResponse(request, "admin/seminars/talk/abstract_preview.html", context)

    def import_view(self, request):
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        if request.method == "POST" and "token" in request.POST:
            return self.import_confirm(request)
        form = imports.ImportForm(
            request.POST or None,
            request.FILES or None,
            series_choices=organised_series(request.user),
            initial={"series": request.GET.get("series")},
        )
        if not form.is_bound or not form.is_valid():
            return self.render_import(request, "import_form.html", form=form)
        series, upload = form.cleaned_data["series"], form.cleaned_data["file"]
        try:
            plan = self.read_plan(series, upload.kind, upload.text)
        except imports.ImportRejected as rejected:
            return self.render_import(
                request, "import_form.html", form=form, **shown_errors(rejected.errors)
            )
        token = str(uuid.uuid4())
        # The text waits in the session (on the server) until the organiser confirms.
        request.session[IMPORT_SESSION_KEY] = {
            "token": token,
            "series": series.pk,
            "kind": upload.kind,
            "name": upload.name,
            "text": upload.text,
        }
        return self.render_import(
            request, "import_preview.html", plan=plan, token=token, file_name=upload.name
        )

    def import_confirm(self, request):
        pending = request.session.get(IMPORT_SESSION_KEY) or {}
        if pending.get("token") != request.POST["token"]:
            self.message_user(
                request,
                "That preview has expired or was replaced by another; upload the file again.",
                messages.ERROR,
            )
            return redirect("admin:seminars_talk_import")
        series = organised_series(request.user).filter(pk=pending["series"]).first()
        if series is None:
            raise PermissionDenied("You no longer organise that series.")
        try:
            plan = imports.apply_import(self.read_plan(series, pending["kind"], pending["text"]))
        except imports.ImportRejected as rejected:
            # The talks changed since the preview (someone else edited them): nothing is saved.
            return self.render_import(
                request, "import_form.html", form=None, **shown_errors(rejected.errors)
            )
        except IntegrityError:
            # Another import or edit took a slug at the same moment; the transaction rolled back.
            self.message_user(request, "Nothing was imported; please try again.", messages.ERROR)
            return redirect("admin:seminars_talk_import")
        del request.session[IMPORT_SESSION_KEY]
        self.message_user(
            request,
            f"Imported {pending['name']} into {series}: {plan.created} new talk(s), "
            f"{plan.updated} updated, {plan.unchanged} unchanged.",
            messages.SUCCESS,
        )
        changelist = reverse("admin:seminars_talk_changelist")
        return redirect(f"{changelist}?series__id__exact={series.pk}")

    @staticmethod
    def read_plan(series, kind, text):
        rows = imports.read_rows(kind, text, zoneinfo.ZoneInfo(series.timezone))
        return imports.plan_import(series, rows)

    def render_import(self, request, template, **context):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import talks",
            "columns": imports.CSV_COLUMNS,
            "max_rows": imports.MAX_ROWS,
            **context,
        }
        return TemplateResponse(request, f"admin/seminars/talk/{template}", context)


def rendered(response):
    """A TemplateResponse rendered now, inside the caller's zone override."""
    return response.render() if hasattr(response, "render") else response


def shown_errors(errors: list[str]) -> dict:
    shown = errors[: imports.MAX_ERRORS_SHOWN]
    return {"errors": shown, "more_errors": len(errors) - len(shown)}
