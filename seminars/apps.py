from django.apps import AppConfig


class SeminarsConfig(AppConfig):
    name = "seminars"
    verbose_name = "Seminars"

    def ready(self):
        from . import search

        search.connect_signals()
