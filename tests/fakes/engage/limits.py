"""Rate limits, on the fake's clock.

Yammer REST v1 (https://learn.microsoft.com/en-us/rest/api/yammer/rest-api-rate-limits):
"Exceeding any rate limit will result in all endpoints returning a status code of 429 (Too Many
Requests). Rate limits are set per user per app." Autocomplete 10 requests in 10 s; Messages
10 in 30 s; Notifications 10 in 30 s; all other endpoints 10 in 30 s; the limits are independent
("in the same 30 seconds period, you could make 10 message calls and 10 notification calls").
Polling: "do not exceed one poll per minute ... allowed for a few requests": the fake tolerates
`poll_burst` polls (GETs with newer_than) of one feed per minute, then blocks like any limit.

Viva Engage in Graph (https://learn.microsoft.com/en-us/graph/api/resources/engagement-api-overview,
"API limits"): "10 requests per user, per app, within a 30-second time period. When you exceed the
rate limit, all subsequent requests return a 429 Too Many Requests"; Graph's throttling guidance
(https://learn.microsoft.com/en-us/graph/throttling) says 429 answers carry Retry-After (seconds).

A rejected request does not count against the window (the fake's choice: the docs are silent),
so a client that waits out Retry-After gets through.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    count: int
    window: float  # seconds


YAMMER_LIMITS = {
    "autocomplete": Limit(10, 10.0),
    "messages": Limit(10, 30.0),
    "notifications": Limit(10, 30.0),
    "other": Limit(10, 30.0),
}
GRAPH_ENGAGE_LIMIT = Limit(10, 30.0)
POLL_WINDOW = 60.0


class RateLimiter:
    def __init__(self, limits: dict[str, Limit], *, poll_burst: int | None = None) -> None:
        self.limits = dict(limits)
        self.poll_burst = poll_burst
        self.enabled = True
        self._hits: dict[tuple[str, str, str], deque[float]] = {}
        self._polls: dict[tuple[str, str, str], deque[float]] = {}
        self._blocked_until: dict[tuple[str, str], float] = {}

    def check(self, user: str, app: str, bucket: str, now: float, *, poll_key: str | None = None) -> float | None:
        """Count one request; None when allowed, else the seconds until requests pass again."""
        if not self.enabled:
            return None
        who = (user, app)
        until = self._blocked_until.get(who, 0.0)
        if now < until:
            return until - now
        limit = self.limits[bucket]
        hits = self._hits.setdefault((user, app, bucket), deque())
        while hits and hits[0] <= now - limit.window:
            hits.popleft()
        if len(hits) >= limit.count:
            self._blocked_until[who] = hits[0] + limit.window
            return self._blocked_until[who] - now
        if poll_key is not None and self.poll_burst is not None:
            polls = self._polls.setdefault((user, app, poll_key), deque())
            while polls and polls[0] <= now - POLL_WINDOW:
                polls.popleft()
            if len(polls) >= self.poll_burst:
                self._blocked_until[who] = polls[0] + POLL_WINDOW
                return self._blocked_until[who] - now
            polls.append(now)
        hits.append(now)
        return None

    def reset(self) -> None:
        self._hits.clear()
        self._polls.clear()
        self._blocked_until.clear()


def retry_after(seconds: float) -> str:
    """Retry-After is a whole number of seconds; round up so waiting it is always enough."""
    return str(max(1, math.ceil(seconds - 1e-9)))
