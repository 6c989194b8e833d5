"""Top-level URL layout. The public paths are a contract: outside tests use them."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from seminars.api import api
from seminars.views import healthz

# The admin login goes through allauth's, so it shares allauth's rate limits.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Seminar portal administration"
admin.site.site_title = "Seminar portal"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("seminars.urls")),
]
