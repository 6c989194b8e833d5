"""Prepares the private database for driver.py: its tables, signed-up users, public talks.

Run in the servers' environment as `python -m tests.reliability.seed USERS TALKS`
(one process for all of it: each Django start costs a second on a busy machine);
prints what the driver needs as JSON.
"""

import json
import sys

import django


def seed(user_count: int, talk_count: int) -> dict:
    import factory
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    from tests.factories import PASSWORD, SeriesFactory, TalkFactory, UserFactory

    call_command("migrate", interactive=False, verbosity=0)
    # One hash for all: production's hasher takes a fifth of a second a password.
    password = factory.Transformer.Force(make_password(PASSWORD))
    users = UserFactory.create_batch(user_count, password=password)
    talks = TalkFactory.create_batch(talk_count, series=SeriesFactory())
    return {
        "emails": [user.email for user in users],
        "password": PASSWORD,
        "talks": [talk.get_absolute_url() for talk in talks],
    }


if __name__ == "__main__":
    django.setup()
    print(json.dumps(seed(int(sys.argv[1]), int(sys.argv[2]))))
