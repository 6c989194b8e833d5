from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from seminars.roles import ORGANISERS_GROUP


class Command(BaseCommand):
    help = "Make an existing user an organiser: staff, in the Organisers group, not a superuser."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        users = get_user_model().objects.filter(email__iexact=email.strip())
        if not users.exists():
            raise CommandError(f"No user has the email address {email!r}. Sign up first.")
        if users.count() > 1:
            raise CommandError(f"Several users share {email!r}; use the admin instead.")
        user = users.get()
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        user.groups.add(Group.objects.get(name=ORGANISERS_GROUP))
        self.stdout.write(self.style.SUCCESS(f"{email} is now an organiser."))
