"""factory_boy factories for every model; data is made up here, per test."""

import datetime
import importlib

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from accounts.models import User
from seminars.models import Comment, Series, Speaker, Tag, Talk, set_speakers
from seminars.roles import ORGANISERS_GROUP

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.Sequence(lambda n: f"user{n}@example.org")
    display_name = factory.Sequence(lambda n: f"Commenter {n}")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified_email(user, create, extracted, **kwargs):
        """A verified primary address, as allauth leaves it after confirmation."""
        if create:
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)


def organisers_group() -> Group:
    """The Organisers group as migrations 0002 and 0011 make it.

    Tests that flush the database (live server, threads) take away rows made by
    data migrations, so the group is recreated here from the migrations' grants.
    """
    grants = [
        importlib.import_module(f"seminars.migrations.{name}").GRANTS
        for name in ("0002_organisers_group", "0011_organisers_add_series")
    ]
    group, created = Group.objects.get_or_create(name=ORGANISERS_GROUP)
    if created:
        codenames = [
            f"{a}_{model}" for each in grants for model, actions in each.items() for a in actions
        ]
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="seminars", codename__in=codenames)
        )
    return group


class OrganiserFactory(UserFactory):
    is_staff = True

    @factory.post_generation
    def organiser_group(user, create, extracted, **kwargs):
        if create:
            user.groups.add(organisers_group())


class SuperuserFactory(UserFactory):
    is_staff = True
    is_superuser = True


class SeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Series

    name = factory.Sequence(lambda n: f"Seminar series {n}")
    slug = factory.Sequence(lambda n: f"series-{n}")
    timezone = "Europe/London"


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speaker

    name = factory.Sequence(lambda n: f"Speaker {n}")
    slug = factory.Sequence(lambda n: f"speaker-{n}")
    affiliation = "University of Examples"


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")


class TalkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Talk
        skip_postgeneration_save = True

    series = factory.SubFactory(SeriesFactory)
    title = factory.Sequence(lambda n: f"Talk number {n}")
    slug = factory.Sequence(lambda n: f"talk-{n}")
    abstract = "An abstract with $x^2$ in it."
    start = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))
    end = factory.LazyAttribute(lambda talk: talk.start + datetime.timedelta(hours=1))
    status = Talk.Status.PUBLISHED

    @factory.post_generation
    def speakers(talk, create, extracted, **kwargs):
        if create and extracted:
            set_speakers(talk, extracted)

    @factory.post_generation
    def tags(talk, create, extracted, **kwargs):
        if create and extracted:
            talk.tags.set(extracted)


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    talk = factory.SubFactory(TalkFactory)
    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"Comment body {n}")


class OrganisedSeriesFactory(SeriesFactory):
    """A series with organisers: OrganisedSeriesFactory(organisers=[user])."""

    class Meta:
        skip_postgeneration_save = True

    @factory.post_generation
    def organisers(series, create, extracted, **kwargs):
        if create and extracted:
            series.organisers.set(extracted)


def soft_delete(comment, by):
    """The comment deleted by its author (`by` is the author) or removed by `by`."""
    from discussion import moderation

    if by is not None and by == comment.author:
        moderation.delete_by_author(comment)
    else:
        moderation.remove(comment, by=by, reason="Off topic")
    return comment
