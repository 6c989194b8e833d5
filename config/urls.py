"""Top-level URL layout. The public paths are a contract: outside tests use them.

Apps are included by name: config imports no app's modules.
"""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from .health import healthz

# The admin login goes through allauth's, so it shares allauth's rate limits.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Seminar portal administration"
admin.site.site_title = "Seminar portal"

# Explains refused oversized requests (413) instead of a bare "Bad request".
handler400 = "config.security.bad_request"
# A database outage answers 503 with a friendly page, whatever raised it.
handler500 = "config.resilience.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", include("syndication.api_urls")),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("users/", include("accounts.user_urls")),
    path("calendars/", include("accounts.calendar_urls")),
    path("", include("discussion.urls")),
    path("", include("syndication.urls")),
    path("", include("seminars.urls")),
]
