"""Cross-origin reads of the JSON API, so departments can build pages of their own on it.

Every response under /api/ that is JSON (the API's answers and errors, and the
OpenAPI document) carries `Access-Control-Allow-Origin: *`, and a CORS preflight
(OPTIONS with Access-Control-Request-Method) is answered here, for GET and HEAD
only. Never `Access-Control-Allow-Credentials`: with `*`, browsers neither send
cookies nor let a page read what a signed-in visitor would be sent, and the API
shows only public data anyway. The docs page and every other page get none of it.
"""

from functools import cached_property

from django.http import HttpResponse
from django.urls import reverse

ALLOWED_METHODS = "GET, HEAD, OPTIONS"
# Headers a client may send beyond the CORS-safelisted ones: revalidation with the ETag.
ALLOWED_HEADERS = "If-None-Match"
# What a client script may read beyond the safelisted response headers.
EXPOSED_HEADERS = "ETag"
# Browsers cap this anyway (Chromium at 2 hours).
PREFLIGHT_MAX_AGE = str(24 * 60 * 60)


class ApiCorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    @cached_property
    def api_prefix(self) -> str:
        return reverse("api:api-root")

    @cached_property
    def docs_page(self) -> str:
        return reverse("api:openapi-view")

    def __call__(self, request):
        if not request.path.startswith(self.api_prefix) or request.path == self.docs_page:
            return self.get_response(request)
        if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            return preflight_response()
        response = self.get_response(request)
        if request.method in ("GET", "HEAD") and response.get("Content-Type", "").startswith(
            "application/json"
        ):
            response["Access-Control-Allow-Origin"] = "*"
            response["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        return response


def preflight_response() -> HttpResponse:
    """May a script elsewhere send this request? Yes for reads; the browser checks the method."""
    response = HttpResponse(status=204)
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = ALLOWED_METHODS
    response["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
    response["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
    return response
