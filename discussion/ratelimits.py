"""How fast a user may post comments (replies included), settings.COMMENT_RATE_LIMITS,
and preview them, settings.COMMENT_PREVIEW_RATE_LIMITS (a preview runs the renderer,
which must not become a free rendering service).

Each limit ("5/m": five a minute) counts in fixed windows (each minute, each day,
from the epoch, in UTC). A post claims one numbered slot per window in the shared
cache with cache.add, which is atomic on every backend: Redis sets the key only
if it is absent, and the database cache relies on the table's unique key. So app
servers sharing the cache never grant more than the limit between them, which
cache.incr could not promise: the database cache increments by reading, then
writing. Slots expire with their window.

The shortest window is checked first, so a post refused for going too fast does
not use up the day's allowance.
"""

import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# The units COMMENT_RATE_LIMITS may use: their length in seconds and their name.
UNITS = {"s": (1, "second"), "m": (60, "minute"), "h": (3600, "hour"), "d": (86400, "day")}


@dataclass(frozen=True)
class RateLimit:
    count: int
    unit: str

    @property
    def seconds(self) -> int:
        return UNITS[self.unit][0]

    @property
    def window_name(self) -> str:
        return UNITS[self.unit][1]

    def seconds_left(self, now: float) -> int:
        """Seconds until the current window ends."""
        return max(1, math.ceil(self.seconds - now % self.seconds))


@dataclass(frozen=True)
class Counted:
    """What a user does that is limited: the setting of its limits, its slots' cache prefix."""

    setting: str
    prefix: str

    def limits(self) -> list[RateLimit]:
        limits = [RateLimit(count, unit) for count, unit in getattr(settings, self.setting)]
        return sorted(limits, key=lambda limit: limit.seconds)


COMMENTS = Counted("COMMENT_RATE_LIMITS", "comment-rate")
PREVIEWS = Counted("COMMENT_PREVIEW_RATE_LIMITS", "preview-rate")


def claim_slot(counted: Counted, user_id: int, limit: RateLimit, now: float) -> bool:
    """Take one of the limit's slots in the current window; False when all are taken."""
    window = int(now // limit.seconds)
    prefix = f"{counted.prefix}:{user_id}:{limit.unit}:{window}"
    slots = [f"{prefix}:{number}" for number in range(limit.count)]
    taken = cache.get_many(slots)
    # Another server may take a free slot between the read and the add: try the next.
    timeout = limit.seconds_left(now) + 1
    return any(cache.add(slot, 1, timeout) for slot in slots if slot not in taken)


def limit_reached(user, now: float | None = None, counted=COMMENTS) -> RateLimit | None:
    """Count one comment (or preview) by `user`; the limit it would break, or None if
    it may go ahead.

    `now` is the current Unix time (tests pass their own). If the cache cannot be
    reached the comment is let through: a cache outage must not cost anyone what
    they wrote.
    """
    now = time.time() if now is None else now
    try:
        for limit in counted.limits():
            if not claim_slot(counted, user.pk, limit, now):
                return limit
    except (DatabaseError, RedisError):
        logger.exception("Comment rate limits unavailable; not limiting user %s", user.pk)
    return None
