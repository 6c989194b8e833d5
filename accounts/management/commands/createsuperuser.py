"""`createsuperuser` as this site's logins work: an email address and a password.

The login is the email address (allauth); the `username` column Django's user
keeps is never shown or typed, so it is generated here instead of asked for.
The address is recorded as verified, so the new superuser can log in at once
even where verification is mandatory.
"""

import uuid

from allauth.account.models import EmailAddress
from django.contrib.auth.management.commands import createsuperuser


class Command(createsuperuser.Command):
    help = "Create a superuser who logs in with an email address and a password."

    def handle(self, *args, **options):
        if not options.get("username"):
            options["username"] = f"admin-{uuid.uuid4().hex[:12]}"
        super().handle(*args, **options)
        user = self.UserModel._default_manager.db_manager(options["database"]).get(
            username=options["username"]
        )
        if user.email:
            EmailAddress.objects.using(options["database"]).update_or_create(
                user=user, email=user.email, defaults={"verified": True, "primary": True}
            )

    def get_input_data(self, field, message, default=None):
        """Asks again for a blank email address: it is the login, so it is required."""
        value = super().get_input_data(field, message, default)
        if field.name == "email" and value == "":
            self.stderr.write("Error: an email address is required; it is how you log in.")
            return None
        return value
