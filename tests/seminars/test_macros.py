"""A series' LaTeX macros: their syntax, where they apply, and re-rendering when they change."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from seminars.macros import parse_macros
from seminars.models import Comment, Talk
from tests.accounts.test_notifications import run_worker
from tests.factories import CommentFactory, SeriesFactory, TalkFactory
from tests.html import parse

pytestmark = pytest.mark.django_db


def identifiers(html):
    return [mi.text for mi in parse(html).find_all("mi")]


def errors(html):
    return parse(html).find_all("code", class_="math-error")


def test_macros_are_read_one_a_line():
    macros = parse_macros("\\loss = \\mathcal{L}\n\n  \\abs = \\left|#1\\right|  \n")

    assert macros == {"\\loss": "\\mathcal{L}", "\\abs": "\\left|#1\\right|"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("R = \\mathbb{R}", "Line 1: write a macro as \\name = replacement"),
        ("\\R \\mathbb{R}", "Line 1: write a macro as \\name = replacement"),
        ("\\ok = x\n\\R =", "Line 2: write a macro as \\name = replacement"),
        ("\\bad = \\frac{1}", "Line 1: \\bad does not render: "),
        ("\\bad = \\undefinedcommand", "Line 1: \\bad does not render: "),
        ("\\long = " + "x" * 501, "Line 1: the replacement is longer than 500 characters."),
        (
            "\n".join(f"\\m{chr(97 + i // 26)}{chr(97 + i % 26)} = x" for i in range(51)),
            "At most 50",
        ),
    ],
    ids=["no-backslash", "no-equals", "empty", "unbalanced", "unknown", "too-long", "too-many"],
)
def test_bad_macros_get_a_clear_message(text, message):
    with pytest.raises(ValidationError) as raised:
        parse_macros(text)

    assert any(error.startswith(message) for error in raised.value.messages), raised.value


def test_a_series_macros_apply_to_its_abstracts_and_comments_only():
    series = SeriesFactory(latex_macros="\\loss = \\mathcal{L}")
    talk = TalkFactory(series=series, abstract="Minimise $\\loss(w)$.")
    comment = CommentFactory(talk=talk, body="Is $\\loss$ convex?")
    elsewhere = TalkFactory(abstract="Minimise $\\loss(w)$.")

    assert "ℒ" in identifiers(talk.abstract_html) and errors(talk.abstract_html) == []
    assert "ℒ" in identifiers(comment.body_html)
    assert len(errors(elsewhere.abstract_html)) == 1


def test_predefined_macros_apply_everywhere():
    talk = TalkFactory(abstract="Let $X \\in \\R^n$ with $\\E[X] = 0$ and $\\P(A)$.")

    assert {"ℝ", "𝔼", "ℙ"} <= set(identifiers(talk.abstract_html))


def test_a_series_macro_may_redefine_a_predefined_one():
    series = SeriesFactory(latex_macros="\\E = \\operatorname{E}")
    talk = TalkFactory(series=series, abstract="$\\E[X]$")

    assert "𝔼" not in identifiers(talk.abstract_html)
    assert "E" in identifiers(talk.abstract_html)


def test_changing_the_macros_renders_the_series_texts_again_in_the_worker(client):
    series = SeriesFactory(latex_macros="\\loss = \\mathcal{L}")
    talk = TalkFactory(series=series, abstract="Minimise $\\loss(w)$.", status="published")
    comment = CommentFactory(talk=talk, body="Is $\\loss$ convex?")
    other = TalkFactory(abstract="$x$")
    client.get(talk.get_absolute_url())  # cached with ℒ
    updated = Talk.objects.get(pk=talk.pk).updated

    series.latex_macros = "\\loss = \\ell"
    series.save()

    # Marked at once, rendered by the worker.
    assert Talk.objects.get(pk=talk.pk).abstract_html_version == 0
    assert Comment.objects.get(pk=comment.pk).body_html_version == 0
    assert Talk.objects.get(pk=other.pk).abstract_html_version > 0
    assert run_worker() == 1
    talk.refresh_from_db()
    comment.refresh_from_db()
    assert "ℓ" in identifiers(talk.abstract_html) and "ℒ" not in identifiers(talk.abstract_html)
    assert "ℓ" in identifiers(comment.body_html)
    assert talk.updated == updated
    assert "ℓ" in client.get(talk.get_absolute_url()).content.decode()


def test_saving_a_series_without_changing_its_macros_renders_nothing():
    series = SeriesFactory(latex_macros="\\loss = \\mathcal{L}")
    talk = TalkFactory(series=series, abstract="$\\loss$")

    series.name = "Renamed"
    series.save()

    assert Talk.objects.get(pk=talk.pk).abstract_html_version > 0
    assert run_worker() == 0


def test_the_admin_refuses_bad_macros_and_saves_nothing(admin_client):
    series = SeriesFactory(latex_macros="\\loss = \\mathcal{L}")
    url = reverse("admin:seminars_series_change", args=[series.pk])
    form = {
        "name": series.name,
        "slug": series.slug,
        "description": "",
        "timezone": series.timezone,
        "comment_moderation": series.comment_moderation,
        "max_links": series.max_links,
        "blocked_words": "",
        "default_duration": "1:00:00",
        "latex_macros": "\\loss = \\frac{1}",
    }

    response = admin_client.post(url, form)

    assert response.status_code == 200
    assert "\\loss does not render" in response.content.decode()
    series.refresh_from_db()
    assert series.latex_macros == "\\loss = \\mathcal{L}"

    form["latex_macros"] = "\\loss = \\ell"
    assert admin_client.post(url, form).status_code == 302
    series.refresh_from_db()
    assert series.latex_macros == "\\loss = \\ell"
