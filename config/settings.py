"""Settings for the seminar portal, read from environment variables.

Every knob has a safe development default so a fresh checkout runs at once on
SQLite. Production (DJANGO_DEBUG=false) refuses to start without the values it
cannot guess, such as SECRET_KEY and ALLOWED_HOSTS.
"""

import os
import re
import tomllib
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    """Read a boolean variable; anything but "true" or "false" is an error."""
    value = os.environ.get(name, default).strip().lower()
    if value not in ("true", "false"):
        raise ImproperlyConfigured(f"{name} must be 'true' or 'false', not {value!r}")
    return value == "true"


def envint(name: str, default: str) -> int:
    value = os.environ.get(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def envrates(name: str, default: str) -> list[tuple[int, str]]:
    """Read rate limits like "5/m,50/d" as (count, unit) pairs; anything else is an error.

    Units: s, m, h, d (second, minute, hour, day).
    """
    value = os.environ.get(name, default)
    rates = [re.fullmatch(r"([1-9][0-9]*)/([smhd])", part.strip()) for part in value.split(",")]
    if not all(rates):
        raise ImproperlyConfigured(
            f"{name} must be counts per s, m, h or d, like '5/m,50/d', not {value!r}"
        )
    return [(int(rate[1]), rate[2]) for rate in rates]


def required(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise ImproperlyConfigured(f"{name} must be set when DJANGO_DEBUG is false")
    return value


DEBUG = envbool("DJANGO_DEBUG", "true")

if DEBUG:
    SECRET_KEY = os.environ.get("SECRET_KEY", "django-insecure-development-only-key")
    ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
else:
    SECRET_KEY = required("SECRET_KEY")
    ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "") or required("ALLOWED_HOSTS")

CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    # First, so that its createsuperuser (email and password) replaces django.contrib.auth's.
    "accounts",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    # Sign-in providers: each is offered once its client id and secret are set (below).
    "allauth.socialaccount.providers.orcid",
    # Background tasks (emails): the backport of django.tasks and its database queue.
    "django_tasks",
    "django_tasks_db",
    # Its templates and static files serve the API docs page without a CDN.
    "ninja",
    # The catalogue (every model of talks and comments), then the apps over it.
    "seminars",
    "discussion",
    "syndication",
    "pagecache",
]

MIDDLEWARE = [
    # First, so that everything below (rate limits, logs) sees the client's address.
    "config.security.ClientIPMiddleware",
    # Above whitenoise and everything that answers early (slash redirects, bad Host,
    # 413), so that every response gets Permissions-Policy and X-Frame-Options.
    "config.security.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.security.StaticFilesMiddleware",
    # CORS for the JSON API (syndication.cors): answers its preflights before any view.
    "syndication.cors.ApiCorsMiddleware",
    # Pages (whitenoise serves static files precompressed, above). GZip adds random
    # bytes to each response against BREACH, so ETags are computed below it, on
    # the uncompressed page.
    "django.middleware.gzip.GZipMiddleware",
    # ETag (a digest of the page) on every GET, and 304 when it still matches.
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.security.AdminToFieldMiddleware",
    # After authentication, so that its 413 page shows who is signed in.
    "config.security.RequestSizeLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # ?page=junk and the like are redirected to the page they show (pagecache.pages).
    "pagecache.middleware.NotCanonicalMiddleware",
    # A database outage in a view answers 503 (config/resilience.py; handler500
    # covers one raised in middleware). Last, so it sees the error first.
    "config.resilience.DatabaseOutageMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: SQLite in the project folder unless DATABASE_URL says otherwise.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", "60"),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and envbool(
    "DATABASE_POOL", "false"
):
    # psycopg's pool replaces persistent connections; Django refuses both at once.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": envint("DATABASE_POOL_MIN_SIZE", "2"),
        "max_size": envint("DATABASE_POOL_MAX_SIZE", "10"),
        # Seconds a request waits for a connection before giving up (a 503 page).
        # With no more threads a process than max_size, only a database that does
        # not answer makes a request wait; psycopg's default, 30, would hang them.
        "timeout": envint("DATABASE_POOL_TIMEOUT", "5"),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Caches. "default" holds what must never be evicted by pages: allauth's and the
# comment rate limits, and (with Redis) sessions. "pages" holds the page cache
# (pagecache), which may be evicted at will: losing a page or a version token
# only costs a render. Both are shared by every process: Redis when configured,
# else a database table each (`migrate` creates them: pagecache/apps.py).
REDIS_URL = os.environ.get("REDIS_URL", "")
# A Redis of its own for pages, with its own maxmemory and allkeys-lru (README).
PAGE_CACHE_REDIS_URL = os.environ.get("PAGE_CACHE_REDIS_URL", "") or REDIS_URL
CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "seminars")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        },
        "pages": {
            "BACKEND": "config.redis_cache.RedisCache",
            "LOCATION": PAGE_CACHE_REDIS_URL,
            "KEY_PREFIX": f"{CACHE_KEY_PREFIX}-pages",
        },
    }
    # A signed-in request reads its session from Redis, not the database; every
    # write still goes to the database, so sessions outlive a Redis restart.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "django_cache",
            # Rate limits only, each a few minutes to a day long: expired ones go
            # first, so this is never reached in practice.
            "OPTIONS": {"MAX_ENTRIES": 1_000_000},
        },
        "pages": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "django_page_cache",
            # Past it, a third of the entries go, which is safe but costs renders.
            "OPTIONS": {"MAX_ENTRIES": 5000},
        },
    }

# Send X-Page-Cache: hit|miss on cached pages, for the benchmark and operators
# (never in production: it tells visitors which pages others asked for).
PAGE_CACHE_HEADER = envbool("PAGE_CACHE_HEADER", "false")


def project_version() -> str:
    with open(BASE_DIR / "pyproject.toml", "rb") as pyproject:
        return tomllib.load(pyproject)["project"]["version"]


# Cached pages are keyed by the release: set RELEASE on each deploy (a commit
# hash, say), or run `manage.py invalidate_pages` after deploying.
RELEASE = os.environ.get("RELEASE", "") or project_version()

# The portal's name in page titles, feeds, calendars and emails.
SITE_NAME = os.environ.get("SITE_NAME", "Seminar portal")

# The longest comment, in characters.
COMMENT_MAX_LENGTH = 5000

# Comments a user may post (replies included), per window, counted in the cache above.
COMMENT_RATE_LIMITS = envrates("COMMENT_RATE_LIMITS", "5/m,50/d")

# Previews a user may ask for (the live preview asks each time typing pauses).
COMMENT_PREVIEW_RATE_LIMITS = envrates("COMMENT_PREVIEW_RATE_LIMITS", "30/m,1000/d")

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_REDIRECT_URL = "seminars:home"
LOGIN_URL = "account_login"

# allauth: the email address is the login and must be verified in production.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
ACCOUNT_UNIQUE_EMAIL = True
# allauth's messages name the user by their public name, never the generated login.
ACCOUNT_USER_DISPLAY = "accounts.models.user_display"
ACCOUNT_EMAIL_VERIFICATION = os.environ.get(
    "ACCOUNT_EMAIL_VERIFICATION", "optional" if DEBUG else "mandatory"
)
# Sign-up never says an address is taken. With mandatory verification allauth
# emails the owner instead (True suffices); otherwise only "strict" hides it,
# at the price of a second, unverified account with the same address.
# Profile changes, counted like allauth's own limits (in the "default" cache).
ACCOUNT_RATE_LIMITS = {"change_profile": "10/m/user,100/d/user"}
ACCOUNT_PREVENT_ENUMERATION = True if ACCOUNT_EMAIL_VERIFICATION == "mandatory" else "strict"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"


def social_login_app(provider: str) -> dict | None:
    """A sign-in provider's credentials from <PROVIDER>_CLIENT_ID and _SECRET; None if unset."""
    prefix = provider.upper()
    client_id = os.environ.get(f"{prefix}_CLIENT_ID", "")
    secret = os.environ.get(f"{prefix}_CLIENT_SECRET", "")
    if bool(client_id) != bool(secret):
        raise ImproperlyConfigured(f"Set both {prefix}_CLIENT_ID and {prefix}_CLIENT_SECRET")
    return {"client_id": client_id, "secret": secret} if client_id else None


# Social sign-in, configured from the environment (no SocialApp rows): a provider
# listed here (and installed above) is offered once its client id and secret are
# set; until then its pages answer 404 (accounts.adapters). Adding GitHub, say:
# install "allauth.socialaccount.providers.github", add "github": {} here and set
# GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET. Each value holds allauth's provider
# settings, and "form_action": the origin its sign-in redirects to (for the CSP).
ORCID_BASE_DOMAIN = os.environ.get("ORCID_BASE_DOMAIN", "orcid.org")  # or sandbox.orcid.org
SOCIAL_LOGIN_PROVIDERS = {
    "orcid": {
        "BASE_DOMAIN": ORCID_BASE_DOMAIN,
        "MEMBER_API": False,
        "form_action": f"https://{ORCID_BASE_DOMAIN}",
    },
}
SOCIALACCOUNT_PROVIDERS = {
    name: {**options, "APPS": [app]}
    for name, options in SOCIAL_LOGIN_PROVIDERS.items()
    if (app := social_login_app(name))
}
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
# Sends allauth's emails, or hands them to the task worker when the mail server fails.
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"

# Email: printed to the console in development, SMTP when EMAIL_HOST is set.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = envint("EMAIL_PORT", "587")
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "true")
elif DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    required("EMAIL_HOST")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "seminars@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL


def default_site_url() -> str:
    if DEBUG:
        return "http://127.0.0.1:8000"
    host = ALLOWED_HOSTS[0]
    if host.startswith(".") or "*" in host:
        return required("SITE_URL")
    return f"https://{host}"


# Emails are written outside any request, so their links need the site's address.
SITE_URL = (os.environ.get("SITE_URL") or default_site_url()).rstrip("/")

# Background tasks: emails are queued in the database (DATABASE_URL's) and sent
# by `manage.py db_worker` (accounts.tasks), never during a request.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    # static/fonts/STIXTwoMath-Math.woff2, built by `make install` (see the module).
    "seminars.finders.MathFontFinder",
]
# Development and tests serve static files straight from the app folders.
WHITENOISE_USE_FINDERS = DEBUG
# collectstatic compresses (gzip and Brotli) only the hashed copies pages link to,
# and skips source maps, which only browsers' developer tools fetch.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [
    *("jpg", "jpeg", "png", "gif", "webp", "woff", "woff2"),
    *("zip", "gz", "tgz", "bz2", "tbz", "xz", "br", "map"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed names need collectstatic, which runs whenever DEBUG is off.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Production hardening, on whenever DEBUG is off. config/security.py holds the
# middleware for what Django and django-csp do not cover.
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
# No script of ours reads the CSRF cookie: forms carry the token in a field.
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Every page, the admin and the API docs load scripts, styles, fonts and images
# from this site only, as files: no inline script or style, no eval.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        # And each enabled sign-in provider's site: browsers apply form-action
        # to where a form's response redirects.
        "form-action": [
            SELF,
            *(options["form_action"] for options in SOCIALACCOUNT_PROVIDERS.values()),
        ],
    }
}
# Browser features no page uses, denied to the site and anything it might embed.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media",
        "geolocation", "gyroscope", "magnetometer", "microphone", "midi", "payment",
        "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
    )
}  # fmt: skip

# How many proxies of our own (load balancer, nginx) stand in front of the app
# servers. 0: REMOTE_ADDR is the client. N: the client is the Nth address from
# the right of X-Forwarded-For (config.security.client_ip); what a client puts
# there itself is ignored.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", "0")
# allauth must not read X-Forwarded-For on its own: ClientIPMiddleware has
# already put the client's address in REMOTE_ADDR.
ALLAUTH_TRUSTED_PROXY_COUNT = 0

# Request bodies. Text forms: a 5,000-character comment is at most 60 KB encoded
# and the admin's largest form (a talk and its comments) far less than the limit.
DATA_UPLOAD_MAX_MEMORY_SIZE = 512 * 1024
# The admin's talk form posts three fields per comment of the talk.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
# The admin import takes one file; nothing else uploads any.
DATA_UPLOAD_MAX_NUMBER_FILES = 5
# Uploads above this go to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
# Any larger body, uploads included, is refused unread with a 413 page.
MAX_REQUEST_SIZE = envint("MAX_REQUEST_SIZE", str(5 * 1024 * 1024))
if not DEBUG:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "true")
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "31536000")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Set when a proxy terminates TLS and sends X-Forwarded-Proto.
    if envbool("SECURE_PROXY_SSL_HEADER", "false"):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Calendar event UIDs are "talk-<id>@<this>": they must never change once
# published, so they do not follow the request's host name.
CALENDAR_UID_DOMAIN = os.environ.get("CALENDAR_UID_DOMAIN", "seminars.localhost")

# A talk's "Join now" button shows from this many minutes before its start until its end.
JOIN_WINDOW_MINUTES = envint("JOIN_WINDOW_MINUTES", "15")
if JOIN_WINDOW_MINUTES < 0:
    raise ImproperlyConfigured("JOIN_WINDOW_MINUTES must be 0 or more")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
