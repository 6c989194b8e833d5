"""The comment box: Preview without JavaScript, the live preview's endpoint, the length
limit's hint and message, the formatting hint and its help page."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from discussion.forms import COMMENT_MAX_LENGTH
from seminars.models import Comment
from tests.factories import CommentFactory, SeriesFactory, TalkFactory, UserFactory
from tests.html import parse
from tests.security.hostile_inputs import HOSTILE_INPUTS, RUNS_IF_UNESCAPED
from tests.security.html_safety import injection_problems

from .commenting import form_data, talk_url

pytestmark = pytest.mark.django_db

FORMULA = "Is $p \\le q$ needed in\n\n$$\\sum_{k=1}^n a_k$$"


def preview_comment(client, talk, body, token=None):
    data = {**form_data(body, token), "preview": "1"}
    return client.post(reverse("discussion:comment-create", args=[talk.slug]), data)


def live_preview(client, body):
    return client.post(reverse("discussion:comment-preview"), {"body": body})


def preview_block(response, box_id="comment-form") -> str:
    """The preview shown above the form `box_id`, as HTML; "" when it is hidden."""
    [block] = parse(response.content).find_all("div", id=f"{box_id}-preview")
    if "hidden" in block.attrs:
        return ""
    after = response.content.decode().split(f'id="{box_id}-preview"', 1)[1]
    # Sanitized text holds no <div>: the first </div> closes the preview's body.
    return after.split("data-preview-body>", 1)[1].split("</div>", 1)[0]


@pytest.fixture
def many_previews(settings):
    settings.COMMENT_PREVIEW_RATE_LIMITS = [(10_000, "m")]


def test_preview_shows_the_rendered_text_above_the_kept_form_and_saves_nothing(
    client, signed_in_user
):
    talk = TalkFactory()
    token = "5b0f5a3c-0d7e-4f7e-9d47-7c7f3e0c9a11"

    response = preview_comment(client, talk, FORMULA, token)

    assert response.status_code == 200
    assert not Comment.objects.exists()
    content = response.content.decode()
    shown = preview_block(response)
    assert "<math" in shown and "math-error" not in shown
    assert "$" not in shown
    # The text stays in the box, and the one-time token with it, so posting stores it once.
    assert f">\n{escape(FORMULA)}</textarea>" in content
    assert f'name="submission_token" value="{token}"' in content
    # The preview sits above the box, and the page loads the math stylesheet.
    assert content.index('id="comment-form-preview"') < content.index("<textarea")
    assert "css/math.css" in content


def test_posting_after_a_preview_stores_the_comment_once(client, signed_in_user):
    talk = TalkFactory()
    token = "0e4b3f0a-5a0c-4f1e-8a8e-2f7d3c6b1a22"
    preview_comment(client, talk, "First thought.", token)
    client.post(
        reverse("discussion:comment-create", args=[talk.slug]), form_data("First thought.", token)
    )
    assert list(Comment.objects.values_list("body", flat=True)) == ["First thought."]


def test_a_page_without_a_preview_keeps_it_hidden(client, signed_in_user):
    response = client.get(talk_url(TalkFactory()))
    assert preview_block(response) == ""


def test_an_empty_preview_is_refused_like_an_empty_comment(client, signed_in_user):
    response = preview_comment(client, TalkFactory(), "   ")
    assert response.status_code == 400
    assert "Please write something" in response.content.decode()
    assert preview_block(response) == ""


def test_preview_of_a_reply_shows_under_its_comment_and_saves_nothing(client, signed_in_user):
    parent = CommentFactory()
    data = {**form_data("Agreed: $a^2 + b^2$."), "preview": "1"}

    response = client.post(reverse("discussion:comment-reply", args=[parent.pk]), data)

    assert response.status_code == 200
    assert Comment.objects.count() == 1
    assert "<math" in preview_block(response, "reply-form")
    assert preview_block(response, "comment-form") == ""
    assert ">\nAgreed: $a^2 + b^2$.</textarea>" in response.content.decode()


def test_preview_of_an_edit_changes_nothing(client):
    comment = CommentFactory(body="Original")
    client.force_login(comment.author)

    response = client.post(
        reverse("discussion:comment-edit", args=[comment.pk]),
        {"body": "Now with $x_1$.", "preview": "1"},
    )

    assert response.status_code == 200
    assert "<math" in preview_block(response, "edit-form")
    assert ">\nNow with $x_1$.</textarea>" in response.content.decode()
    comment.refresh_from_db()
    assert (comment.body, comment.edited) == ("Original", None)


@pytest.mark.usefixtures("many_previews")
@pytest.mark.parametrize("name", RUNS_IF_UNESCAPED)
def test_hostile_text_never_reaches_a_preview_unsanitized(client, signed_in_user, name):
    payload = HOSTILE_INPUTS[name]
    talk = TalkFactory()

    page = preview_comment(client, talk, payload)
    fragment = live_preview(client, payload)

    # Forms refuse NUL, which no database stores; everything else is previewed.
    expected = 400 if "\x00" in payload else 200
    assert page.status_code == fragment.status_code == expected
    assert injection_problems(page.content) == []
    assert injection_problems(fragment.content) == []
    assert not Comment.objects.exists()


def test_the_live_preview_answers_the_rendered_fragment(client, signed_in_user):
    response = live_preview(client, FORMULA)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "no-cache" in response["Cache-Control"]
    html = response.content.decode()
    assert html.startswith("<p>") and "<math" in html and "<html" not in html
    assert not Comment.objects.exists()


def test_the_live_preview_explains_a_refused_text(client, signed_in_user):
    response = live_preview(client, "x" * (COMMENT_MAX_LENGTH + 7))
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert "Please shorten it by 7." in response.content.decode()


def test_previews_have_a_rate_limit_of_their_own(client, signed_in_user, settings):
    settings.COMMENT_PREVIEW_RATE_LIMITS = [(2, "m")]
    talk = TalkFactory()
    assert live_preview(client, "One").status_code == 200
    assert preview_comment(client, talk, "Two").status_code == 200

    fragment = live_preview(client, "Three")
    page = preview_comment(client, talk, "Four $x$")

    assert fragment.status_code == 429
    assert 1 <= int(fragment["Retry-After"]) <= 60
    assert "previewing too quickly" in fragment.content.decode()
    assert page.status_code == 429
    assert "previewing too quickly" in page.content.decode()
    assert ">\nFour $x$</textarea>" in page.content.decode()
    assert preview_block(page) == ""
    # Posting is counted apart: previews never use up the comments allowed.
    response = client.post(
        reverse("discussion:comment-create", args=[talk.slug]), form_data("Posted.")
    )
    assert response.status_code == 302


def test_the_live_preview_is_for_signed_in_users_only(client):
    response = live_preview(client, "Hello")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_box_names_its_limit_and_the_script_counts_down_to_it(client, signed_in_user):
    response = client.get(talk_url(TalkFactory()))
    [box] = parse(response.content).find_all("textarea", name="body")
    assert box.attrs["data-max-length"] == str(COMMENT_MAX_LENGTH)
    # No maxlength: a browser would cut a long paste short without a word.
    assert "maxlength" not in box.attrs
    [help_text] = parse(response.content).find_all("div", id=f"{box.attrs['id']}_helptext")
    assert help_text.text == "At most 5,000 characters."
    assert f"{box.attrs['id']}_helptext" in box.attrs["aria-describedby"].split()
    assert "js/comment-box.js" in response.content.decode()


def test_a_text_over_the_limit_is_told_by_how_much(client, signed_in_user):
    response = client.post(
        reverse("discussion:comment-create", args=[TalkFactory().slug]),
        form_data("y" * (COMMENT_MAX_LENGTH + 12)),
    )
    assert response.status_code == 400
    [error] = response.context["form"].errors["body"]
    assert error == (
        "Comments are limited to 5,000 characters; this one has 5,012. Please shorten it by 12."
    )
    assert escape(error) in response.content.decode()
    assert not Comment.objects.exists()


def test_the_hint_links_the_help_page_after_the_buttons(client, signed_in_user):
    """Tab goes from the box to "Post comment"; the hint's link comes after the buttons."""
    content = client.get(talk_url(TalkFactory())).content.decode()
    form = content[content.index('id="comment-form"') :]
    help_link = f'href="{reverse("seminars:formatting-help")}"'
    assert "<code>$x^2$</code> inline" in form
    order = [form.index(mark) for mark in ("<textarea", ">Post comment<", ">Preview<", help_link)]
    assert order == sorted(order)


def test_the_formatting_help_shows_each_example_rendered(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("seminars:formatting-help"))
    assert response.status_code == 200
    content = response.content.decode()
    blocks = [
        element
        for element in parse(response.content).iter("div")
        if element.has_class("comment-body")
    ]
    assert len(blocks) >= 8
    assert "math-error" not in content
    assert content.count("<math") >= 8
    assert "css/math.css" in content
    # The source is shown as typed, escaped.
    assert escape("$$\\sum_{k=1}^{n} k = \\frac{n(n+1)}{2}$$") in content


def test_the_formatting_help_is_served_from_the_page_cache(client, settings):
    url = reverse("seminars:formatting-help")
    first = client.get(url)
    settings.PAGE_CACHE_HEADER = True
    second = client.get(url)
    assert second.get("X-Page-Cache") == "hit"
    assert second.content == first.content


@pytest.mark.parametrize("rows", [1, 20])
def test_talk_page_with_a_preview_runs_a_fixed_number_of_queries(
    client, rows, django_assert_num_queries
):
    talk = TalkFactory()
    for _ in range(rows):
        reply_to = CommentFactory(talk=talk)
        CommentFactory(talk=talk, parent=reply_to)
    client.force_login(UserFactory())
    # The session and the user; the talk with its series; its speakers; its tags;
    # whether the visitor commented on it; comments with their authors; their replies
    # with their authors. None for the preview: its rate limit counts in the cache.
    with django_assert_num_queries(2 + 3 + 1 + 2):
        response = preview_comment(client, talk, FORMULA)
    assert "<math" in preview_block(response)
    assert len(response.context["thread"].comments) == rows


def test_previews_use_the_macros_of_the_talks_series(client, signed_in_user):
    """Posted comments are rendered with their series' macros: so are both previews."""
    talk = TalkFactory(series=SeriesFactory(latex_macros="\\loss = \\mathcal{L}"))
    body = "Is $\\loss$ convex?"
    preview_url = reverse("discussion:comment-preview")

    without_js = preview_block(preview_comment(client, talk, body))
    live = client.post(f"{preview_url}?talk={talk.slug}", {"body": body}).content.decode()
    live_for_no_talk = client.post(preview_url, {"body": body}).content.decode()

    for shown in (without_js, live):
        assert "<math" in shown and "math-error" not in shown
    # The macro is the series' own: without the talk it is unknown.
    assert "math-error" in live_for_no_talk


def test_the_comment_forms_ask_for_previews_of_their_talk(client, signed_in_user):
    talk = TalkFactory()
    page = parse(client.get(talk.get_absolute_url()).content)
    [form] = page.find_all("form", id="comment-form")
    assert form.attrs["data-preview-url"].endswith(f"?talk={talk.slug}")
