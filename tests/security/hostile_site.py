"""A site whose every organiser- and user-written field holds the hostile corpus.

Shared by the admin pages check here and the real-browser test, which load a
few pages that between them show every payload in every field.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from accounts.models import User
from seminars.models import Comment, Series, Speaker, Tag, Talk
from tests.factories import (
    CommentFactory,
    OrganiserFactory,
    SeriesFactory,
    SpeakerFactory,
    TagFactory,
    TalkFactory,
    UserFactory,
)

from .hostile_inputs import HOSTILE_INPUTS, fit

SEARCH_WORD = "needle"  # in every abstract, so one search lists every talk
PAYLOADS = tuple(HOSTILE_INPUTS.values())


@dataclass
class HostileSite:
    organiser: User  # organises every series; their display name is hostile too
    showcase: Talk  # every speaker, tag and comment, and every payload in its abstract
    series: Series  # the showcase's series, with every payload in its description
    speaker: Speaker
    tag: Tag  # on every talk, with every payload in its description


def build_hostile_site(payloads=PAYLOADS, longest: int | None = None) -> HostileSite:
    """The site, with each payload cut to `longest` characters if given."""
    payloads = [payload[:longest] for payload in payloads]
    everything = "\n\n".join(fit(payload) for payload in payloads)
    organiser = OrganiserFactory(display_name=fit(payloads[0], 100))
    showcase_tag = TagFactory(name="Showcase", description=everything)
    speakers, tags = [], [showcase_tag]
    for number, payload in enumerate(payloads):
        speaker = SpeakerFactory(name=fit(payload, 200), affiliation=fit(payload, 200))
        tag = TagFactory(name=f"{number} {fit(payload, 90)}", description=fit(payload))
        series = SeriesFactory(name=fit(payload, 200), description=fit(payload))
        series.organisers.add(organiser)
        # Half the talks are past, so the home page and the archive show some too.
        start = timezone.now() + datetime.timedelta(days=number - len(payloads) // 2)
        TalkFactory(
            series=series,
            title=fit(payload, 300),
            abstract=f"{fit(payload)}\n\n{SEARCH_WORD}",
            venue=fit(payload, 300),
            start=start,
            speakers=[speaker],
            tags=[tag, showcase_tag],
        )
        speakers.append(speaker)
        tags.append(tag)
    showcase_series = SeriesFactory(name=fit(payloads[-1], 200), description=everything)
    showcase_series.organisers.add(organiser)
    showcase = TalkFactory(
        series=showcase_series,
        title=fit(payloads[1], 300),
        abstract=f"{everything}\n\n{SEARCH_WORD}",
        speakers=speakers,
        tags=tags,
    )
    for number, payload in enumerate(payloads):
        author = UserFactory(display_name=fit(payload, 100), affiliation=fit(payload, 200))
        comment = CommentFactory(talk=showcase, author=author, body=fit(payload, 5000))
        # A third held and a third removed, with the payload as the note organisers read.
        if number % 3 == 1:
            comment.status, comment.held_reason = Comment.Status.HELD, fit(payload, 200)
        elif number % 3 == 2:
            comment.removed, comment.removed_by = True, organiser
            comment.removal_reason = fit(payload, 300)
        comment.save()
    return HostileSite(organiser, showcase, showcase_series, speakers[0], showcase_tag)
