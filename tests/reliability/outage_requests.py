"""Requests to the portal while its database is down, reported as JSON lines.

test_outage_page.py runs this as `python -m tests.reliability.outage_requests`
in production settings with DATABASE_URL pointing where no database answers,
so every query fails as in a real outage: nothing is mocked.
"""

import json

import django

SESSION_COOKIE = "a-session-key-the-database-would-have-to-look-up"

# name: (method, path, signed in). Being signed in means a session cookie, whose
# session Django loads from the database on first use.
REQUESTS = {
    "home": ("get", "/", False),
    "talk page": ("get", "/talks/any-talk/", False),
    "talk page signed in": ("get", "/talks/any-talk/", True),
    "comment post": ("post", "/talks/any-talk/comments/", True),
    # allauth's login checks its rate limit in the cache, a database table here.
    "login post": ("post", "/accounts/login/", False),
    # allauth's middleware loads the user for /accounts/, outside any view.
    "accounts index": ("get", "/accounts/", True),
    "admin": ("get", "/admin/", True),
    "api": ("get", "/api/talks", False),
}
# The one request above whose outage is raised outside a view.
RAISED_IN_MIDDLEWARE = "accounts index"


def main():
    django.setup()
    from django.core.signals import got_request_exception
    from django.test import Client, override_settings

    handled_by_handler500 = []
    # Django sends this signal just before it calls handler500.
    got_request_exception.connect(lambda **kwargs: handled_by_handler500.append(True), weak=False)
    client = Client(raise_request_exception=False, HTTP_HOST="127.0.0.1")
    # Static files are not collected here; the manifest storage would refuse {% static %}.
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        for name, (method, path, signed_in) in REQUESTS.items():
            handled_by_handler500.clear()
            client.cookies.clear()
            if signed_in:
                client.cookies["sessionid"] = SESSION_COOKIE
            response = getattr(client, method)(path)
            report = {
                "name": name,
                "status": response.status_code,
                "headers": dict(response.headers),
                "body": response.content.decode(),
                "via_handler500": bool(handled_by_handler500),
            }
            print(json.dumps(report))


if __name__ == "__main__":
    main()
