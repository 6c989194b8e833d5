"""Cross-origin reads of the JSON API, so departments can build pages of their own on it.

Every JSON response of the API (URL namespace "api": its answers and errors, and
the OpenAPI document) carries `Access-Control-Allow-Origin: *`, and a CORS preflight
(OPTIONS with Access-Control-Request-Method) is answered here, for GET and HEAD
only. Never `Access-Control-Allow-Credentials`: with `*`, browsers neither send
cookies nor let a page read what a signed-in visitor would be sent, and the API
shows only public data anyway. The docs page and every other page get none of it.
"""

from django.http import HttpResponse

ALLOWED_METHODS = "GET, HEAD, OPTIONS"
# Headers a client may send beyond the CORS-safelisted ones: revalidation with the ETag.
ALLOWED_HEADERS = "If-None-Match"
# What a client script may read beyond the safelisted response headers.
EXPOSED_HEADERS = "ETag"
# Browsers cap this anyway (Chromium at 2 hours).
PREFLIGHT_MAX_AGE = str(24 * 60 * 60)


class ApiCorsMiddleware:
    """After URL resolution, so that the API is known by its namespace ("api"), not by a
    path written here: a preflight is answered before the view, headers added after."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            is_api(request)
            and request.method in ("GET", "HEAD")
            # A 304 (ETag revalidation) has no Content-Type, and needs the header too.
            and (
                response.status_code == 304
                or response.get("Content-Type", "").startswith("application/json")
            )
        ):
            response["Access-Control-Allow-Origin"] = "*"
            response["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        preflight = (
            request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers
        )
        return preflight_response() if preflight and is_api(request) else None


def is_api(request) -> bool:
    """Whether the request went to the JSON API (its docs page, an HTML page, left out)."""
    match = request.resolver_match
    return match is not None and match.namespace == "api" and match.url_name != "openapi-view"


def preflight_response() -> HttpResponse:
    """May a script elsewhere send this request? Yes for reads; the browser checks the method."""
    response = HttpResponse(status=204)
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = ALLOWED_METHODS
    response["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
    response["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
    return response
