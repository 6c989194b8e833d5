import pytest
from django.urls import reverse

from tests.factories import TalkFactory


@pytest.mark.django_db
def test_talk_page_shows_title(client):
    talk = TalkFactory(title="On vortex rings")
    response = client.get(reverse("seminars:talk-detail", args=[talk.slug]))
    assert response.status_code == 200
    assert b"On vortex rings" in response.content
