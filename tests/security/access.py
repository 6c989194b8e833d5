"""Who may open what: every URL pattern of the site, with the answer each role gets.

A row names one URL pattern exactly as Django's resolver spells it (see
`url_patterns`), gives a concrete address for it in a small world of objects,
and the status every role must get for GET and, where the endpoint changes
something, for POST. `test_access_matrix` fails for a pattern without a row,
and for a row whose pattern no longer exists.

Adding a URL: add a `Row` to the list for its area below. A pattern may have
several rows (a draft talk and a public one, say).

Grouping rules, so the admin's many generated patterns stay readable:

- Every model registered in the admin gets its six standard patterns
  (changelist, add, history, delete, change, and the bare object address that
  redirects to change) from `admin_model_rows`, with each role's status derived
  from ORGANISER_ADMIN (what organisers may do with each model),
  ADMIN_DISABLED (what the admin forbids even superusers) and
  SERIES_SCOPED (models whose objects organisers see only for their series).
- Admin pages the site adds itself (import, exports, the moderation queue) and
  the admin site's own pages have explicit rows like everything else.
"""

import datetime
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.calendars import hash_token
from accounts.email_preferences import unsubscribe_token
from accounts.models import CalendarLink, User
from seminars.models import Comment, Series, Speaker, Tag, Talk
from seminars.roles import ORGANISERS_GROUP
from syndication.share_cards import share_card_path
from tests.factories import (
    PASSWORD,
    CommentFactory,
    OrganiserFactory,
    SeriesFactory,
    SpeakerFactory,
    SuperuserFactory,
    TagFactory,
    TalkFactory,
    UserFactory,
)
from tests.security.clients import new_client

# The roles, in the order every row lists them. "user" wrote the world's comment;
# "organiser" organises the world's series, "other_organiser" another series.
ROLES = ("anonymous", "user", "other_user", "other_organiser", "organiser", "superuser")

# Expected answers besides plain status codes.
LOGIN = "login"  # 302 to the site's log-in page
ADMIN_LOGIN = "admin login"  # 302 to the admin's log-in page


@dataclass
class World:
    """One of everything a URL can point at, and a user for each role."""

    users: dict[str, User | None]
    series: Series
    other_series: Series
    talk: Talk  # public, in `series`, with `speaker` and `tag`
    past_talk: Talk
    draft: Talk
    speaker: Speaker
    tag: Tag
    comment: Comment  # by "user" on `talk`
    held: Comment  # by "other_user", awaiting approval
    removed: Comment  # by "other_user", removed by "organiser"


def build_world() -> World:
    organiser, other_organiser = OrganiserFactory(), OrganiserFactory()
    users = {
        "anonymous": None,
        "user": UserFactory(),
        "other_user": UserFactory(),
        "other_organiser": other_organiser,
        "organiser": organiser,
        "superuser": SuperuserFactory(),
    }
    series, other_series = SeriesFactory(), SeriesFactory()
    series.organisers.add(organiser)
    other_series.organisers.add(other_organiser)
    speaker, tag = SpeakerFactory(), TagFactory()
    talk = TalkFactory(series=series, speakers=[speaker], tags=[tag])
    last_month = timezone.now() - datetime.timedelta(days=30)
    world = World(
        users=users,
        series=series,
        other_series=other_series,
        talk=talk,
        past_talk=TalkFactory(series=series, start=last_month),
        draft=TalkFactory(series=series, status=Talk.Status.DRAFT),
        speaker=speaker,
        tag=tag,
        comment=CommentFactory(talk=talk, author=users["user"]),
        held=CommentFactory(talk=talk, author=users["other_user"], status=Comment.Status.HELD),
        removed=CommentFactory(
            talk=talk, author=users["other_user"], removed=True, removed_by=organiser
        ),
    )
    return world


def social_app():
    return SocialApp.objects.create(provider="orcid", name="ORCID", client_id="id", secret="s")


def social_account(world):
    return SocialAccount.objects.create(user=world.users["user"], provider="orcid", uid="1")


def task_result():
    now = timezone.now()
    return DBTaskResult.objects.create(
        enqueued_at=now,
        run_after=now,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="accounts.tasks.send_digest",
        backend_name="default",
        exception_class_path="",
        traceback="",
    )


# How to get an object of each model registered in the admin, for its change pages.
# Made only for the rows that need them: an ORCID app would switch ORCID sign-in on.
ADMIN_OBJECTS = {
    "auth.Group": lambda world: Group.objects.get(name=ORGANISERS_GROUP),
    "account.EmailAddress": lambda world: EmailAddress.objects.get(user=world.users["user"]),
    "socialaccount.SocialApp": lambda world: social_app(),
    "socialaccount.SocialAccount": social_account,
    "socialaccount.SocialToken": lambda world: SocialToken.objects.create(
        app=social_app(), account=social_account(world), token="t"
    ),
    "django_tasks_database.DBTaskResult": lambda world: task_result(),
    "accounts.User": lambda world: world.users["user"],
    "seminars.Series": lambda world: world.series,
    "seminars.Speaker": lambda world: world.speaker,
    "seminars.Tag": lambda world: world.tag,
    "seminars.Talk": lambda world: world.talk,
    "seminars.Comment": lambda world: world.comment,
}


Expect = tuple  # one answer per role, in ROLES order


@dataclass(frozen=True)
class Row:
    pattern: str  # as url_patterns() spells it
    url: Callable[[World], str]
    get: Expect
    post: Expect | None = None  # for endpoints that change something
    data: Callable[[World], dict] = lambda world: {}  # the POST body
    name: str = ""  # tells apart rows of one pattern

    @property
    def id(self) -> str:
        return f"{self.pattern} {self.name}".strip()


def url(name: str, *args: Callable[[World], object]) -> Callable[[World], str]:
    """`reverse(name)` with arguments computed from the world."""
    return lambda world: reverse(name, args=[arg(world) for arg in args])


def talk_slug(world):
    return world.talk.slug


def comment_pk(world):
    return world.comment.pk


CALENDAR_TOKEN = "a-known-calendar-token"


def calendar_link(world) -> CalendarLink:
    """A personal calendar link of "user", whose token is CALENDAR_TOKEN."""
    return CalendarLink.objects.create(
        user=world.users["user"], label="phone", token_hash=hash_token(CALENDAR_TOKEN)
    )


def personal_calendar_url(world) -> str:
    calendar_link(world)
    return reverse("calendars:personal", args=[CALENDAR_TOKEN])


# Answers shared by many rows.
EVERYONE = (200,) * 6
NOT_FOUND = (404,) * 6
SIGNED_IN = (LOGIN, 200, 200, 200, 200, 200)
SIGNED_IN_POST = (LOGIN, 302, 302, 302, 302, 302)
POST_ONLY = (LOGIN, 405, 405, 405, 405, 405)  # a signed-in GET is refused
ANONYMOUS_ONLY = (200, 302, 302, 302, 302, 302)  # signed-in visitors are sent on
SENT_BACK = (LOGIN, 302, 302, 302, 302, 302)  # a step of a flow nobody started
STAFF = (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200, 200, 200)
STAFF_REDIRECT = (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 302, 302, 302)
SUPERUSER = (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 403, 403, 200)
MODERATORS = (LOGIN, 403, 403, 403, 302, 302)  # the series' organisers and superusers
AUTHOR = (LOGIN, 200, 403, 403, 403, 403)
AUTHOR_POST = (LOGIN, 302, 403, 403, 403, 403)

PUBLIC_ROWS = [
    Row("healthz", url("healthz"), EVERYONE),
    Row("", url("seminars:home"), EVERYONE),
    Row("talks/", url("seminars:talk-list"), EVERYONE),
    Row(
        "talks/archive/<int:year>/",
        lambda world: reverse(
            "seminars:talk-archive", args=[timezone.localtime(world.past_talk.start).year]
        ),
        EVERYONE,
    ),
    Row(
        "talks/archive/<int:year>/",
        url("seminars:talk-archive", lambda w: 1),
        NOT_FOUND,
        name="empty",
    ),
    Row("talks/<slug:slug>/", url("discussion:talk-detail", talk_slug), EVERYONE),
    Row(
        "talks/<slug:slug>/",
        url("discussion:talk-detail", lambda w: w.draft.slug),
        NOT_FOUND,
        name="draft",
    ),
    Row("tags/", url("seminars:tag-list"), EVERYONE),
    Row("tags/<slug:slug>/", url("seminars:tag-detail", lambda w: w.tag.slug), EVERYONE),
    Row(
        "speakers/<slug:slug>/", url("seminars:speaker-detail", lambda w: w.speaker.slug), EVERYONE
    ),
    Row("series/", url("seminars:series-list"), EVERYONE),
    Row("series/<slug:slug>/", url("seminars:series-detail", lambda w: w.series.slug), EVERYONE),
    Row("search/", lambda world: reverse("seminars:search") + "?q=talk", EVERYONE),
    Row("help/formatting/", url("seminars:formatting-help"), EVERYONE),
    Row("users/<int:pk>/", url("users:user-detail", lambda w: w.users["user"].pk), EVERYONE),
    # Calendars, feeds and files for machines.
    Row("calendar.ics", url("syndication:calendar"), EVERYONE),
    Row(
        "tags/<slug:slug>/calendar.ics",
        url("syndication:tag-calendar", lambda w: w.tag.slug),
        EVERYONE,
    ),
    Row(
        "series/<slug:slug>/calendar.ics",
        url("syndication:series-calendar", lambda w: w.series.slug),
        EVERYONE,
    ),
    Row(
        "speakers/<slug:slug>/calendar.ics",
        url("syndication:speaker-calendar", lambda w: w.speaker.slug),
        EVERYONE,
    ),
    Row("talks/<slug:slug>/calendar.ics", url("syndication:talk-calendar", talk_slug), EVERYONE),
    Row(
        "talks/<slug:slug>/calendar.ics",
        url("syndication:talk-calendar", lambda w: w.draft.slug),
        NOT_FOUND,
        name="draft",
    ),
    Row("feed/", url("syndication:feed"), EVERYONE),
    Row("tags/<slug:slug>/feed/", url("syndication:tag-feed", lambda w: w.tag.slug), EVERYONE),
    Row(
        "series/<slug:slug>/feed/",
        url("syndication:series-feed", lambda w: w.series.slug),
        EVERYONE,
    ),
    Row("talks/<slug:slug>/comments/feed/", url("syndication:comment-feed", talk_slug), EVERYONE),
    Row(
        "talks/<slug:slug>/comments/feed/",
        url("syndication:comment-feed", lambda w: w.draft.slug),
        NOT_FOUND,
        name="draft",
    ),
    Row("sitemap.xml", url("syndication:sitemap"), EVERYONE),
    Row("robots.txt", url("syndication:robots"), EVERYONE),
    Row(
        "talks/<slug:slug>/share/<slug:version>.png",
        lambda world: share_card_path(world.talk),
        EVERYONE,
    ),
    Row(
        "talks/<slug:slug>/share/<slug:version>.png",
        url("syndication:talk-share-card", talk_slug, lambda w: "0123456789abcdef"),
        (302,) * 6,
        name="an older version",
    ),
    Row(
        "talks/<slug:slug>/share/<slug:version>.png",
        lambda world: share_card_path(world.draft),
        NOT_FOUND,
        name="draft",
    ),
    Row(
        "embed/series/<slug:slug>/",
        url("syndication:series-embed", lambda w: w.series.slug),
        EVERYONE,
    ),
    Row("embed/tags/<slug:slug>/", url("syndication:tag-embed", lambda w: w.tag.slug), EVERYONE),
    Row(
        "embed/speakers/<slug:slug>/",
        url("syndication:speaker-embed", lambda w: w.speaker.slug),
        EVERYONE,
    ),
]

API_ROWS = [
    Row("api/", lambda world: "/api/", NOT_FOUND),
    Row("api/openapi.json", url("api:openapi-json"), EVERYONE),
    Row("api/docs", url("api:openapi-view"), EVERYONE),
    Row("api/talks", url("api:talk-list"), EVERYONE),
    Row("api/talks/<slug>", url("api:talk-detail", talk_slug), EVERYONE),
    Row(
        "api/talks/<slug>", url("api:talk-detail", lambda w: w.draft.slug), NOT_FOUND, name="draft"
    ),
    Row("api/talks/<slug>/comments", url("api:talk-comments", talk_slug), EVERYONE),
    Row(
        "api/talks/<slug>/comments",
        url("api:talk-comments", lambda w: w.draft.slug),
        NOT_FOUND,
        name="draft",
    ),
    Row("api/tags", url("api:tag-list"), EVERYONE),
    Row("api/series", url("api:series-list"), EVERYONE),
]

COMMENT_ROWS = [
    # A comment's lasting address redirects to the page showing it; a held comment
    # exists only for its author (here "other_user") and the series' moderators.
    Row("comments/<int:pk>/", url("discussion:comment", comment_pk), (302,) * 6),
    Row(
        "comments/<int:pk>/",
        url("discussion:comment", lambda w: w.held.pk),
        (404, 404, 302, 404, 302, 302),
        name="held",
    ),
    Row(
        "talks/<slug:slug>/comments/",
        url("discussion:comment-create", talk_slug),
        POST_ONLY,
        post=SIGNED_IN_POST,
        data=lambda world: {"body": "A question about the second lemma."},
    ),
    # The live preview answers the text rendered, and saves nothing.
    Row(
        "comments/preview/",
        url("discussion:comment-preview"),
        POST_ONLY,
        post=SIGNED_IN,
        data=lambda world: {"body": "Is $p \\le q$ needed?"},
    ),
    Row(
        "comments/<int:pk>/reply/",
        url("discussion:comment-reply", comment_pk),
        SIGNED_IN,
        post=SIGNED_IN_POST,
        data=lambda world: {"body": "An answer."},
    ),
    Row(
        "comments/<int:pk>/edit/",
        url("discussion:comment-edit", comment_pk),
        AUTHOR,
        post=AUTHOR_POST,
        data=lambda world: {"body": "Edited."},
    ),
    Row(
        "comments/<int:pk>/delete/",
        url("discussion:comment-delete", comment_pk),
        AUTHOR,
        post=AUTHOR_POST,
    ),
    Row(
        "comments/<int:pk>/approve/",
        url("discussion:comment-approve", lambda w: w.held.pk),
        POST_ONLY,
        post=MODERATORS,
    ),
    Row(
        "comments/<int:pk>/remove/",
        url("discussion:comment-remove", comment_pk),
        POST_ONLY,
        post=MODERATORS,
        data=lambda world: {"reason": "Off topic."},
    ),
    Row(
        "comments/<int:pk>/restore/",
        url("discussion:comment-restore", lambda w: w.removed.pk),
        POST_ONLY,
        post=MODERATORS,
    ),
]

ACCOUNT_ROWS = [
    Row(
        "accounts/profile/",
        url("accounts:profile"),
        SIGNED_IN,
        post=SIGNED_IN_POST,
        data=lambda world: {"display_name": "New name", "affiliation": "", "timezone": ""},
    ),
    Row(
        "accounts/preferences/",
        url("accounts:preferences"),
        SIGNED_IN,
        post=SIGNED_IN_POST,
        data=lambda world: {"email_on_reply": "on", "followed_tags": [world.tag.pk]},
    ),
    Row(
        "accounts/delete/",
        url("accounts:delete"),
        SIGNED_IN,
        post=SIGNED_IN_POST,
        data=lambda world: {"password": PASSWORD},
    ),
    # The signed token in the link is the authority: no session needed (RFC 8058).
    Row(
        "accounts/unsubscribe/<str:token>/",
        lambda world: reverse(
            "accounts:unsubscribe", args=[unsubscribe_token(world.users["user"], "digest")]
        ),
        EVERYONE,
        post=EVERYONE,
    ),
    Row(
        "accounts/unsubscribe/<str:token>/",
        url("accounts:unsubscribe", lambda w: "forged"),
        (400,) * 6,
        post=(400,) * 6,
        name="forged",
    ),
    Row(
        "accounts/follow/<str:kind>/<slug:slug>/",
        url("accounts:follow", lambda w: "tag", lambda w: w.tag.slug),
        POST_ONLY,
        post=SIGNED_IN_POST,
    ),
    Row(
        "accounts/unfollow/<str:kind>/<slug:slug>/",
        url("accounts:unfollow", lambda w: "series", lambda w: w.series.slug),
        POST_ONLY,
        post=SIGNED_IN_POST,
    ),
    Row("accounts/talks/", url("accounts:my-talks"), SIGNED_IN),
    Row(
        "accounts/talks/<slug:slug>/save/",
        url("accounts:save-talk", talk_slug),
        POST_ONLY,
        post=SIGNED_IN_POST,
    ),
    Row(
        "accounts/talks/<slug:slug>/save/",
        url("accounts:save-talk", lambda w: w.draft.slug),
        POST_ONLY,
        post=(LOGIN, 404, 404, 404, 404, 404),
        name="draft",
    ),
    Row(
        "accounts/talks/<slug:slug>/unsave/",
        url("accounts:unsave-talk", talk_slug),
        POST_ONLY,
        post=SIGNED_IN_POST,
    ),
    Row(
        "accounts/calendars/",
        url("accounts:calendars"),
        SIGNED_IN,
        post=(LOGIN, 200, 200, 200, 200, 200),
        data=lambda world: {"label": "phone", "alarm_minutes": 30},
    ),
    # "user"'s link: everyone else is told it does not exist.
    Row(
        "accounts/calendars/<int:pk>/regenerate/",
        url("accounts:calendar-regenerate", lambda w: calendar_link(w).pk),
        POST_ONLY,
        post=(LOGIN, 200, 404, 404, 404, 404),
    ),
    Row(
        "accounts/calendars/<int:pk>/revoke/",
        url("accounts:calendar-revoke", lambda w: calendar_link(w).pk),
        POST_ONLY,
        post=(LOGIN, 302, 404, 404, 404, 404),
    ),
    # The secret token in the address is the authority, whoever asks.
    Row(
        "calendars/<str:token>.ics",
        personal_calendar_url,
        EVERYONE,
    ),
    Row(
        "calendars/<str:token>.ics",
        url("calendars:personal", lambda w: "forged"),
        NOT_FOUND,
        name="forged",
    ),
]


def login_data(world):
    return {"login": world.users["other_user"].email, "password": PASSWORD}


# allauth's pages. Sign-in by emailed code is off, and no social provider has
# credentials in tests, so those pages are not found.
ALLAUTH_ROWS = [
    Row("accounts/login/", url("account_login"), ANONYMOUS_ONLY, post=(302,) * 6, data=login_data),
    Row("accounts/logout/", url("account_logout"), (302, 200, 200, 200, 200, 200), post=(302,) * 6),
    Row("accounts/inactive/", url("account_inactive"), EVERYONE),
    Row(
        "accounts/signup/",
        url("account_signup"),
        ANONYMOUS_ONLY,
        post=(302,) * 6,
        data=lambda world: {
            "email": "new@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "display_name": "Newcomer",
        },
    ),
    Row(
        "accounts/reauthenticate/",
        url("account_reauthenticate"),
        SIGNED_IN,
        post=SIGNED_IN_POST,
        data=lambda world: {"password": PASSWORD},
    ),
    # Re-confirming by an emailed code: allauth offers it to users with a verified address.
    Row("accounts/reauthenticate/code/", url("account_request_reauthentication_code"), SIGNED_IN),
    Row(
        "accounts/reauthenticate/code/confirm/",
        url("account_confirm_reauthentication_code"),
        SENT_BACK,
    ),
    Row(
        "accounts/email/",
        url("account_email"),
        SIGNED_IN,
        post=SIGNED_IN_POST,
        data=lambda world: {"action_add": "", "email": "second@example.org"},
    ),
    Row("accounts/confirm-email/", url("account_email_verification_sent"), EVERYONE),
    Row(
        "accounts/password/change/",
        url("account_change_password"),
        SIGNED_IN,
        post=SIGNED_IN_POST,
        data=lambda world: {
            "oldpassword": PASSWORD,
            "password1": "another-horse-battery",
            "password2": "another-horse-battery",
        },
    ),
    Row("accounts/password/set/", url("account_set_password"), (LOGIN, 302, 302, 302, 302, 302)),
    Row(
        "accounts/password/reset/",
        url("account_reset_password"),
        EVERYONE,
        post=(302,) * 6,
        data=lambda world: {"email": world.users["user"].email},
    ),
    Row("accounts/login/code/confirm/", url("account_confirm_login_code"), SENT_BACK),
    Row(
        "accounts/^confirm-email/(?P<key>[-:\\w]+)/$",
        url("account_confirm_email", lambda w: "bogus-key"),
        EVERYONE,
    ),
    Row("accounts/password/reset/key/done/", url("account_reset_password_from_key_done"), EVERYONE),
    Row(
        "accounts/^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        lambda world: reverse(
            "account_reset_password_from_key", kwargs={"uidb36": "1", "key": "bogus"}
        ),
        EVERYONE,
    ),
    Row("accounts/password/reset/done/", url("account_reset_password_done"), EVERYONE),
    Row("accounts/3rdparty/login/cancelled/", url("socialaccount_login_cancelled"), EVERYONE),
    Row("accounts/3rdparty/login/error/", url("socialaccount_login_error"), (401,) * 6),
    Row("accounts/3rdparty/signup/", url("socialaccount_signup"), (LOGIN,) * 6),
    Row("accounts/3rdparty/", url("socialaccount_connections"), SIGNED_IN),
    Row(
        "accounts/social/login/cancelled/",
        lambda w: "/accounts/social/login/cancelled/",
        (301,) * 6,
    ),
    Row("accounts/social/login/error/", lambda w: "/accounts/social/login/error/", (301,) * 6),
    Row("accounts/social/signup/", lambda w: "/accounts/social/signup/", (301,) * 6),
    Row("accounts/social/connections/", lambda w: "/accounts/social/connections/", (301,) * 6),
    Row("accounts/orcid/login/", url("orcid_login"), NOT_FOUND, post=NOT_FOUND),
    Row("accounts/orcid/login/callback/", url("orcid_callback"), NOT_FOUND),
]


def admin_url(name, *args):
    return url(f"admin:{name}", *args)


ADMIN_SITE_ROWS = [
    Row("admin/", admin_url("index"), STAFF),
    # The admin's log-in is allauth's: visitors are sent there, staff to the admin.
    Row("admin/login/", admin_url("login"), (LOGIN, 403, 403, 302, 302, 302)),
    # Non-staff are sent to the admin's index (and from there to log in).
    Row(
        "admin/logout/",
        admin_url("logout"),
        (302, 302, 302, 405, 405, 405),
        post=(302, 302, 302, 200, 200, 200),
    ),
    Row("admin/password_change/", admin_url("password_change"), STAFF, post=STAFF),
    Row("admin/password_change/done/", admin_url("password_change_done"), STAFF),
    Row(
        "admin/autocomplete/",
        lambda world: (
            reverse("admin:autocomplete")
            + "?app_label=seminars&model_name=talk&field_name=tags&term="
        ),
        STAFF,
    ),
    Row("admin/jsi18n/", admin_url("jsi18n"), STAFF),
    Row(
        "admin/r/<path:content_type_id>/<path:object_id>/",
        lambda world: reverse(
            "admin:view_on_site",
            args=[ContentType.objects.get_for_model(Talk).pk, world.talk.pk],
        ),
        STAFF_REDIRECT,
    ),
    Row(
        "admin/^(?P<app_label>auth|accounts|account|socialaccount|django_tasks_database|seminars)/$",
        admin_url("app_list", lambda w: "seminars"),
        STAFF,
    ),
    Row(
        "admin/^(?P<app_label>auth|accounts|account|socialaccount|django_tasks_database|seminars)/$",
        admin_url("app_list", lambda w: "auth"),
        (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 404, 404, 200),
        name="auth",
    ),
    Row(
        "admin/(?P<url>.*)$",
        lambda world: "/admin/no-such-page/",
        (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 404, 404, 404),
    ),
    Row(
        "admin/accounts/user/<id>/password/",
        admin_url("auth_user_password_change", lambda w: w.users["user"].pk),
        SUPERUSER,
        post=SUPERUSER,
    ),
    # The site's own admin pages.
    Row(
        "admin/seminars/series/<path:object_id>/export.csv",
        admin_url("seminars_series_export_csv", lambda w: w.series.pk),
        (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 404, 200, 200),
    ),
    Row(
        "admin/seminars/series/<path:object_id>/export.ics",
        admin_url("seminars_series_export_ics", lambda w: w.series.pk),
        (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 404, 200, 200),
    ),
    # Apply changed defaults: only the series' organisers; with none pending, back to the series.
    Row(
        "admin/seminars/series/<path:object_id>/apply-defaults/",
        admin_url("seminars_series_apply_defaults", lambda w: w.series.pk),
        (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 404, 302, 302),
        post=(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 404, 302, 302),
    ),
    # Generate talks: only the series' organisers (another organiser's series is not found).
    Row(
        "admin/seminars/series/<path:object_id>/generate/",
        admin_url("seminars_series_generate", lambda w: w.series.pk),
        (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 404, 200, 200),
        post=(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 404, 200, 200),
    ),
    Row("admin/seminars/talk/import/", admin_url("seminars_talk_import"), STAFF, post=STAFF),
    # Renders the posted abstract; saves nothing.
    Row(
        "admin/seminars/talk/preview-abstract/",
        admin_url("seminars_talk_abstract_preview"),
        (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 405, 405, 405),
        post=STAFF,
        data=lambda world: {"abstract": "Is $p \\le q$ needed?"},
    ),
    Row(
        "admin/seminars/comment/moderation-queue/",
        admin_url("seminars_comment_queue"),
        STAFF_REDIRECT,
    ),
]


# What organisers may do with each model in the admin; nothing with any other model.
ORGANISER_ADMIN = {
    "seminars.Talk": {"view", "add", "change"},
    "seminars.Speaker": {"view", "add", "change"},
    "seminars.Tag": {"view", "add", "change"},
    "seminars.Series": {"view", "add", "change"},
    "seminars.Comment": {"view", "change"},
}
# What the admin forbids everyone: comments come from the site and are only ever
# removed, and task results are the worker's record.
ADMIN_DISABLED = {
    "seminars.Comment": {"add", "delete"},
    "django_tasks_database.DBTaskResult": {"add", "change", "delete"},
}
# Organisers see only their own series' objects: another series' are "not found"
# (the admin redirects to its index).
SERIES_SCOPED = {"seminars.Talk", "seminars.Series", "seminars.Comment"}

# Each standard admin page: the permission it needs, and whether it shows one object.
ADMIN_PAGES = {
    "changelist": ("view", False),
    "add": ("add", False),
    "history": ("view", True),
    "delete": ("delete", True),
    "change": ("view", True),  # to look; saving needs "change"
}
EVERY_PERMISSION = {"view", "add", "change", "delete"}
NOT_STAFF = ("anonymous", "user", "other_user")


def admin_answer(role: str, label: str, page: str, method: str) -> object:
    """What `role` gets from a standard admin page of the model `label`."""
    if role in NOT_STAFF:
        return ADMIN_LOGIN
    needed, per_object = ADMIN_PAGES[page]
    if page == "change" and method == "POST":
        needed = "change"
    granted = EVERY_PERMISSION if role == "superuser" else ORGANISER_ADMIN.get(label, set())
    if needed in ADMIN_DISABLED.get(label, set()) or needed not in granted:
        return 403
    if per_object and role == "other_organiser" and label in SERIES_SCOPED:
        return 302
    if (label, page, method) == ("seminars.Talk", "add", "GET") and role != "superuser":
        # A talk's series comes first; someone organising one series goes straight on.
        return 302
    return 200


def admin_model_rows() -> list[Row]:
    """The standard pages of every model in the admin.

    POSTs are empty: a form with errors means the user was let in (200), and
    nothing is saved either way. Only the site's own models' add and change
    pages are posted to; the other admin pages check the same permission for a
    POST as for a GET.
    """
    rows = []
    for model in admin.site._registry:
        label = model._meta.label
        prefix = f"admin/{model._meta.app_label}/{model._meta.model_name}/"
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"

        def object_pk(world, label=label):
            return ADMIN_OBJECTS[label](world).pk

        for page, (_, per_object) in ADMIN_PAGES.items():
            route = prefix
            if per_object:
                route += "<path:object_id>/"
            if page != "changelist":
                route += f"{page}/"
            posted = label in ORGANISER_ADMIN and page in ("add", "change")
            rows.append(
                Row(
                    route,
                    url(f"{name}_{page}", *([object_pk] if per_object else [])),
                    tuple(admin_answer(role, label, page, "GET") for role in ROLES),
                    post=tuple(admin_answer(role, label, page, "POST") for role in ROLES)
                    if posted
                    else None,
                )
            )
        # The bare object address redirects staff to its change page.
        rows.append(
            Row(
                f"{prefix}<path:object_id>/",
                lambda world, prefix=prefix, object_pk=object_pk: f"/{prefix}{object_pk(world)}/",
                STAFF_REDIRECT,
            )
        )
    return rows


def all_rows() -> list[Row]:
    return [
        *PUBLIC_ROWS,
        *API_ROWS,
        *COMMENT_ROWS,
        *ACCOUNT_ROWS,
        *ALLAUTH_ROWS,
        *ADMIN_SITE_ROWS,
        *admin_model_rows(),
    ]


def url_patterns(patterns=None, prefix="") -> list[str]:
    """Every URL pattern of the site, as its full route (regex parts kept as written)."""
    found = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            found += url_patterns(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            found.append(prefix + str(entry.pattern))
    return found


# Making requests as a role.


def client_for(world: World, role: str, enforce_csrf_checks: bool = False) -> Client:
    """A fresh client signed in as `role` (no cookie for anonymous)."""
    client = new_client(enforce_csrf_checks)
    if world.users[role] is not None:
        client.force_login(world.users[role])
    return client


def send(client: Client, method: str, address: str, data: dict):
    if method == "GET":
        return client.get(address)
    return client.post(address, data)


def answer(response) -> object:
    """The status, or LOGIN / ADMIN_LOGIN for a redirect to a log-in page."""
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(reverse("account_login")):
            return LOGIN
        if location.startswith(reverse("admin:login")):
            return ADMIN_LOGIN
    return response.status_code


def refusal(expected: object) -> bool:
    """Whether an expected answer means the request must change nothing."""
    return expected in (LOGIN, ADMIN_LOGIN) or (isinstance(expected, int) and expected >= 400)


@contextmanager
def rolled_back():
    """Whatever happens inside is undone, so each request meets the same world."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


# Tables whose rows record visits rather than content.
NOT_CONTENT = {"sessions.Session"}


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table (the test world is small)."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values_list())
        for model in apps.get_models()
        if model._meta.label not in NOT_CONTENT
    }
