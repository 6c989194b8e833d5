from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate


def after_migrate(using, **kwargs):
    """`migrate` creates the database caches' tables (settings.CACHES), so that a fresh
    deploy needs no `createcachetable` (it does nothing for tables that exist), and
    outdates every cached page: a deploy runs it, and new code may render pages
    differently even under the same RELEASE."""
    from .versions import site_changed

    call_command("createcachetable", database=using, verbosity=0)
    site_changed()


class PageCacheConfig(AppConfig):
    name = "pagecache"
    verbose_name = "Page cache"

    def ready(self):
        from . import signals

        signals.connect()
        post_migrate.connect(after_migrate, sender=self, dispatch_uid="pagecache-after-migrate")
