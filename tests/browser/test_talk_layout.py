"""A talk page uses a laptop's width (the facts beside the abstract) and stacks on a phone."""

import datetime

import pytest
from django.utils import timezone

from tests.factories import SeriesFactory, TalkFactory

ABSTRACT = "Rings of radius $R$ rise through layers of fluid. " * 40


@pytest.fixture
def talk():
    series = SeriesFactory()
    now = timezone.now()
    TalkFactory(series=series, start=now - datetime.timedelta(days=7))
    TalkFactory(series=series, start=now + datetime.timedelta(days=14))
    return TalkFactory(
        series=series,
        title="Vortex rings in stratified fluids",
        abstract=ABSTRACT,
        venue="Lecture Theatre 2",
        online_url="https://meet.example.org/rings",
        start=now + datetime.timedelta(days=7),
    )


def boxes(page, live_server, talk, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + talk.get_absolute_url())
    return {
        name: page.locator(selector).bounding_box()
        for name, selector in {
            "facts": ".talk > .facts",
            "abstract": ".talk > .abstract",
            "neighbours": ".talk > .series-nav",
        }.items()
    }


def test_at_1280_px_the_facts_and_the_series_neighbours_sit_beside_the_abstract(
    page, live_server, talk
):
    box = boxes(page, live_server, talk, 1280)
    abstract_right = box["abstract"]["x"] + box["abstract"]["width"]
    assert box["facts"]["x"] > abstract_right
    assert abs(box["facts"]["y"] - box["abstract"]["y"]) < 30
    assert box["neighbours"]["x"] == box["facts"]["x"]
    assert box["neighbours"]["y"] > box["facts"]["y"] + box["facts"]["height"]
    assert box["neighbours"]["y"] < box["abstract"]["y"] + box["abstract"]["height"]


def test_on_a_phone_facts_abstract_and_neighbours_stack(page, live_server, talk):
    box = boxes(page, live_server, talk, 390)
    assert box["facts"]["x"] == box["abstract"]["x"] == box["neighbours"]["x"]
    assert box["facts"]["y"] < box["abstract"]["y"] < box["neighbours"]["y"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
