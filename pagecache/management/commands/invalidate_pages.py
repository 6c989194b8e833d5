from django.core.management.base import BaseCommand

from pagecache.versions import site_changed


class Command(BaseCommand):
    help = (
        "Outdate every page in the anonymous page cache: after changing data without "
        "signals (SQL, bulk_create) or while the cache could not be reached."
    )

    def handle(self, *args, **options):
        site_changed()
        self.stdout.write(self.style.SUCCESS("Every cached page is outdated."))
