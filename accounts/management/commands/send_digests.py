"""Weekly digests, for cron: e.g. `0 7 * * 1 .../manage.py send_digests` (Mondays at 07:00)."""

from django.core.management.base import BaseCommand

from accounts.notifications import queue_weekly_digests


class Command(BaseCommand):
    help = (
        "Queue this week's digest email for each user who wants one: the coming seven "
        "days' talks in the tags and series they follow. Safe to run again: nobody gets "
        "two digests in a week. The worker (manage.py db_worker) sends them."
    )

    def handle(self, *args, **options):
        queued = queue_weekly_digests()
        self.stdout.write(f"Queued {queued} digest{'s' if queued != 1 else ''}.")
