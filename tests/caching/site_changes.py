"""Writes for test_two_processes.py, run as a process of their own in the servers' environment.

    python -m tests.caching.site_changes seed
    python -m tests.caching.site_changes rename-talk SLUG TITLE
    python -m tests.caching.site_changes rename-tag SLUG NAME

Each prints what it did as JSON. The edits go through the ORM, so they reach
the page cache as any organiser's edit would: by the models' signals.
"""

import json
import sys

import django


def seed() -> dict:
    """The tables, a talk with a tag, a speaker and a comment, its author and an organiser."""
    import factory
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    from tests.factories import (
        PASSWORD,
        CommentFactory,
        OrganisedSeriesFactory,
        OrganiserFactory,
        SpeakerFactory,
        TagFactory,
        TalkFactory,
        UserFactory,
    )

    call_command("migrate", interactive=False, verbosity=0)
    # One hash for both: production's hasher takes a fifth of a second a password.
    password = factory.Transformer.Force(make_password(PASSWORD))
    author = UserFactory(password=password, display_name="Ada")
    organiser = OrganiserFactory(password=password)
    talk = TalkFactory(
        title="Vortex rings",
        abstract="Rings of fluid.",
        series=OrganisedSeriesFactory(organisers=[organiser]),
        speakers=[SpeakerFactory()],
        tags=[TagFactory(name="Fluids")],
    )
    comment = CommentFactory(talk=talk, author=author, body="A first remark")
    return {
        "password": PASSWORD,
        "author": author.email,
        "organiser": organiser.email,
        "talk": talk.get_absolute_url(),
        "talk_slug": talk.slug,
        "tag_slug": talk.tags.get().slug,
        "comment": comment.pk,
    }


def rename_talk(slug: str, title: str) -> dict:
    from seminars.models import Talk

    talk = Talk.objects.get(slug=slug)
    talk.title = title
    talk.save()
    return {"talk": slug, "title": title}


def rename_tag(slug: str, name: str) -> dict:
    from seminars.models import Tag

    tag = Tag.objects.get(slug=slug)
    tag.name = name
    tag.save()
    return {"tag": slug, "name": name}


COMMANDS = {"seed": seed, "rename-talk": rename_talk, "rename-tag": rename_tag}

if __name__ == "__main__":
    django.setup()
    print(json.dumps(COMMANDS[sys.argv[1]](*sys.argv[2:])))
