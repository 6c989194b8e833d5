"""Request hardening that Django and django-csp leave to the project.

- ClientIPMiddleware: which address a request comes from, trusting
  X-Forwarded-For only as far as settings.TRUSTED_PROXY_COUNT says.
- SecurityHeadersMiddleware: the Permissions-Policy and X-Frame-Options headers,
  on every response, including those made above Django's own middleware.
- RequestSizeLimitMiddleware: refuses any body over settings.MAX_REQUEST_SIZE,
  file uploads included, before anything reads it.
- AdminToFieldMiddleware: a 400, not the admin's 500, for an empty ?_to_field=.
- StaticFilesMiddleware: whitenoise, without the manifest and source maps.
- bad_request: the 400 handler, which explains oversized requests (413) and
  forms with too many fields instead of showing a bare "Bad request".
"""

import ipaddress

from django.conf import settings
from django.contrib.admin.exceptions import DisallowedModelAdminToField
from django.contrib.admin.options import TO_FIELD_VAR
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.shortcuts import render
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token
from whitenoise.middleware import WhiteNoiseMiddleware


def client_ip(remote_addr: str, forwarded_for: str, trusted_proxy_count: int) -> str:
    """The address of the client behind `trusted_proxy_count` proxies of our own.

    Each proxy appends the address it received the request from to
    X-Forwarded-For, so with N proxies the client is the Nth entry from the
    right. Entries further left were written by the client and may be lies. A
    header too short for N proxies, or an entry that is no IP address, means the
    request did not come through our proxies as configured: REMOTE_ADDR is used.
    """
    if trusted_proxy_count <= 0 or not forwarded_for:
        return remote_addr
    entries = forwarded_for.split(",")
    if len(entries) < trusted_proxy_count:
        return remote_addr
    try:
        return str(ipaddress.ip_address(entries[-trusted_proxy_count].strip()))
    except ValueError:
        return remote_addr


class ClientIPMiddleware:
    """Puts the client's real address in REMOTE_ADDR, for everyone downstream.

    allauth's rate limits, the comment rate limits and the logs all read
    REMOTE_ADDR, so resolving proxies once here keeps them in agreement.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META["REMOTE_ADDR"] = client_ip(
            request.META.get("REMOTE_ADDR", ""),
            request.META.get("HTTP_X_FORWARDED_FOR", ""),
            settings.TRUSTED_PROXY_COUNT,
        )
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Sends settings.PERMISSIONS_POLICY ({"camera": []} as "camera=()") and X_FRAME_OPTIONS.

    Near the top of the stack, so that responses made above Django's
    XFrameOptionsMiddleware get X-Frame-Options too: whitenoise's static files,
    CommonMiddleware's slash redirects, and the 400 and 413 pages for a bad
    Host or an oversized body. setdefault, so a view's own choice stands.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(allowed)})"
            for feature, allowed in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        if not getattr(response, "xframe_options_exempt", False):
            response.headers.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        return response


class AdminToFieldMiddleware:
    """Refuses an empty _to_field (in the query or a posted form) with a 400, as the
    admin refuses any field it does not allow: the admin would look up a field
    named "" and answer 500. Posted forms are read just before the view, after
    the request size limit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        posted = request.POST if request.method == "POST" else {}
        if "" in (request.GET.get(TO_FIELD_VAR), posted.get(TO_FIELD_VAR)):
            raise DisallowedModelAdminToField("The admin's _to_field parameter is empty.")
        return None


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """whitenoise, less the files only developers' tools read: the manifest
    (staticfiles.json, a list of every file) and source maps of third-party bundles."""

    UNSERVED = (".map", "/staticfiles.json")

    def add_file_to_dictionary(self, url, path, stat_cache=None):
        if not url.endswith(self.UNSERVED):
            super().add_file_to_dictionary(url, path, stat_cache=stat_cache)


def declared_body_size(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # Django reads no body at all then


class RequestSizeLimitMiddleware:
    """Refuses bodies over settings.MAX_REQUEST_SIZE before they are read.

    DATA_UPLOAD_MAX_MEMORY_SIZE leaves out uploaded files, which Django streams
    to disk however large they are; this caps the whole body. The answer is
    bad_request's 413 page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if declared_body_size(request) > settings.MAX_REQUEST_SIZE:
            raise RequestDataTooBig("Request body exceeded settings.MAX_REQUEST_SIZE.")
        return self.get_response(request)


@requires_csrf_token
def bad_request(request, exception):
    """Django's 400 handler, with a page of its own for requests it refused as too big."""
    if isinstance(exception, RequestDataTooBig):
        return refused_page(request, status=413, too_many=False)
    if isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        return refused_page(request, status=400, too_many=True)
    return defaults.bad_request(request, exception)


def refused_page(request, status, too_many):
    """413.html: what was refused, the limits, and that nothing was saved."""
    context = {
        "too_many": too_many,
        "max_request_size": settings.MAX_REQUEST_SIZE,
        "max_form_size": settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
        "comment_max_length": f"{settings.COMMENT_MAX_LENGTH:,}",
    }
    return render(request, "413.html", context, status=status)
