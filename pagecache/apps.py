from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate


def create_cache_tables(using, **kwargs):
    """`migrate` creates the database caches' tables (settings.CACHES), so that a fresh
    deploy needs no `createcachetable`. It does nothing for tables that exist.

    Connected for every app, not this one: migrate sends post_migrate only for apps
    with a models module, and pagecache has none. So it runs once per such app,
    each time a cheap check that the tables are there.
    """
    call_command("createcachetable", database=using, verbosity=0)


class PageCacheConfig(AppConfig):
    name = "pagecache"
    verbose_name = "Page cache"

    def ready(self):
        from . import signals

        signals.connect()
        post_migrate.connect(create_cache_tables, dispatch_uid="cache-tables")
