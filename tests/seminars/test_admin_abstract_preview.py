"""The abstract's preview on the talk change form: rendered as the talk's page shows it,
sanitized, nothing saved, for those who may add or change talks only."""

import pytest
from django.urls import reverse

from seminars.models import Talk
from tests.factories import OrganisedSeriesFactory, OrganiserFactory, TalkFactory, UserFactory
from tests.html import parse
from tests.security.hostile_inputs import HOSTILE_INPUTS, RUNS_IF_UNESCAPED
from tests.security.html_safety import injection_problems

from .test_admin import talk_form_data

pytestmark = pytest.mark.django_db

PREVIEW = reverse("admin:seminars_talk_abstract_preview")
ABSTRACT = "We show $m \\to \\infty$ suffices:\n\n$$\\sum_{k=1}^n k = \\frac{n(n+1)}{2}$$"


def test_the_change_form_offers_the_preview_after_its_save_buttons(client, signed_in_organiser):
    talk = TalkFactory(series=OrganisedSeriesFactory(organisers=[signed_in_organiser]))
    response = client.get(reverse("admin:seminars_talk_change", args=[talk.pk]))
    content = response.content.decode()
    [button] = [
        button
        for button in parse(response.content).iter("button")
        if button.attrs.get("formaction") == PREVIEW
    ]
    assert button.attrs["formtarget"] == "_blank"
    # After "Save", so Enter in a field still saves.
    assert content.index('name="_save"') < content.index(f'formaction="{PREVIEW}"')


def test_the_preview_renders_the_typed_abstract_and_saves_nothing(
    client, signed_in_organiser, django_assert_num_queries
):
    series = OrganisedSeriesFactory(organisers=[signed_in_organiser])
    talk = TalkFactory(series=series, abstract="Old abstract.")
    data = talk_form_data(series, title="Knots <b>and</b> braids", abstract=ABSTRACT)

    # The session, the user; the user's own permissions and their groups' (for
    # has_add_permission); the chosen series, if the user manages it (its macros).
    with django_assert_num_queries(5):
        response = client.post(PREVIEW, data)

    assert response.status_code == 200
    content = response.content.decode()
    assert content.count("<math") == 2
    assert "math-error" not in content
    assert "css/math.css" in content
    assert "Knots &lt;b&gt;and&lt;/b&gt; braids" in content
    talk.refresh_from_db()
    assert talk.abstract == "Old abstract."
    assert Talk.objects.count() == 1


@pytest.mark.parametrize("name", RUNS_IF_UNESCAPED)
def test_hostile_abstracts_are_sanitized_in_the_preview(client, signed_in_organiser, name):
    response = client.post(PREVIEW, {"abstract": HOSTILE_INPUTS[name]})
    assert response.status_code == 200
    assert injection_problems(response.content) == []


def test_only_those_who_may_edit_talks_preview(client):
    assert client.post(PREVIEW, {"abstract": "x"}).status_code == 302  # to the login
    client.force_login(UserFactory(is_staff=True))  # staff, but no permission on talks
    assert client.post(PREVIEW, {"abstract": "x"}).status_code == 403
    client.force_login(OrganiserFactory())
    assert client.get(PREVIEW).status_code == 405


def test_the_preview_uses_the_macros_of_the_chosen_series_if_its_own(client, signed_in_organiser):
    """As saving does (Talk.abstract_to_html): another organiser's series lends nothing."""
    macros = "\\loss = \\mathcal{L}"
    own = OrganisedSeriesFactory(organisers=[signed_in_organiser], latex_macros=macros)
    others = OrganisedSeriesFactory(organisers=[OrganiserFactory()], latex_macros=macros)
    abstract = "We minimise $\\loss$."

    with_own = client.post(PREVIEW, talk_form_data(own, abstract=abstract)).content.decode()
    with_others = client.post(PREVIEW, talk_form_data(others, abstract=abstract)).content.decode()

    assert "<math" in with_own and "math-error" not in with_own
    assert "math-error" in with_others
