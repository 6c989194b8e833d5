from django.http import HttpResponseRedirect

from .pages import NotCanonical


class NotCanonicalMiddleware:
    """Answers a view's NotCanonical with a redirect to the page's canonical address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NotCanonical):
            return HttpResponseRedirect(exception.url)
        return None
