"""`manage.py rerender`: stored HTML of an older renderer is brought up to date."""

import io

import pytest
from django.core.management import call_command

from seminars.models import Comment, Talk
from seminars.rendering import RENDERER_VERSION
from tests.factories import CommentFactory, TalkFactory

pytestmark = pytest.mark.django_db


def rerender(*args) -> str:
    out = io.StringIO()
    call_command("rerender", *args, stdout=out, stderr=out)
    return out.getvalue()


def stored_by_an_old_renderer(queryset, **stale):
    """Rows as an older renderer left them: other HTML, an older version."""
    queryset.update(**stale)


def test_a_save_records_the_renderers_version():
    talk = TalkFactory(abstract="$x^2$")
    comment = CommentFactory(talk=talk, body="*hello*")

    assert talk.abstract_html_version == RENDERER_VERSION
    assert comment.body_html_version == RENDERER_VERSION


def test_rows_of_an_older_renderer_are_rendered_again_in_batches(client):
    talks = TalkFactory.create_batch(3, abstract="An *emphasised* word")
    comments = CommentFactory.create_batch(2, talk=talks[0], body="**Bold** remark")
    stored_by_an_old_renderer(Talk.objects.all(), abstract_html="old", abstract_html_version=0)
    stored_by_an_old_renderer(Comment.objects.all(), body_html="old", body_html_version=0)
    sequences = {talk.pk: talk.sequence for talk in Talk.objects.all()}
    client.get(talks[0].get_absolute_url())  # stored in the page cache with "old"

    output = rerender("--batch-size", "2")

    assert "talks: 3 rendered again" in output
    assert "comments: 2 rendered again" in output
    for talk in Talk.objects.all():
        assert talk.abstract_html == "<p>An <em>emphasised</em> word</p>\n"
        assert talk.abstract_html_version == RENDERER_VERSION
        assert talk.sequence == sequences[talk.pk]
    for comment in Comment.objects.filter(pk__in=[c.pk for c in comments]):
        assert "<strong>Bold</strong>" in comment.body_html
    page = client.get(talks[0].get_absolute_url()).content.decode()
    assert "<em>emphasised</em>" in page


def test_a_second_run_renders_nothing():
    TalkFactory(abstract="Text")
    stored_by_an_old_renderer(Talk.objects.all(), abstract_html_version=0)
    rerender()

    output = rerender()

    assert "talks: 0 rendered again" in output
    assert "(0 rows)" in output


def test_up_to_date_rows_are_left_alone():
    TalkFactory(abstract="Text")
    Talk.objects.update(abstract_html="kept by hand")

    rerender()

    assert Talk.objects.get().abstract_html == "kept by hand"


def test_a_batch_size_below_one_is_refused():
    TalkFactory(abstract="Text")
    stored_by_an_old_renderer(Talk.objects.all(), abstract_html_version=0)

    output = rerender("--batch-size", "0")

    assert "--batch-size must be at least 1." in output
    assert Talk.objects.get().abstract_html_version == 0
