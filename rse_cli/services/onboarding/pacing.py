"""How long a bulk job takes at the network's declared limits, and how fast to go meanwhile."""

from __future__ import annotations

import threading

from rse_cli.errors import RseError
from rse_cli.network.base import Network
from rse_cli.services.onboarding.common import Estimate, Prepared


class Pacer:
    """How many people are worked on at once: a slow start up to the concurrency setting (one
    more per person done), and one at a time as soon as the server rate-limits rse: against a
    rate limit, more requests in flight only multiply 429 answers (MATRIX-NOTES) while the HTTP
    layer already waits as long as the server asks. The slow start begins at the burst the
    network's declared limits let through at once (Synapse: 10), so that the work in flight is
    small when the first 429 comes. Starting at 1 when the server takes 10 at once cost four
    round trips of a half-empty pipe: under +20 ms, 100 invitations took 15% longer than a bare
    16-way loop (bench/onboard.py)."""

    def __init__(self, network: Network, limit: int, start: int | None = None) -> None:
        self.network = network
        self.limit = max(1, limit)
        self.window = max(1, min(self.limit, first_window(network) if start is None else start))
        self.busy = 0
        self.cond = threading.Condition()

    def _allowed(self) -> int:
        return 1 if self.network.rate_limited() else self.window

    def __enter__(self) -> Pacer:
        with self.cond:
            while self.busy >= self._allowed():
                self.cond.wait(0.5)
            self.busy += 1
        return self

    def __exit__(self, *exc: object) -> None:
        with self.cond:
            self.busy -= 1
            self.window = min(self.limit, self.window + 1)
            self.cond.notify_all()


def first_window(network: Network) -> int:
    """The writes the network takes at once before it rate-limits: the smallest burst among its
    declared limits on messages and invitations (a limit without a burst: 1). A network that
    declares no limit on either starts at the concurrency setting."""
    rates = network.capabilities.rate_limits
    bursts = [limit.burst for limit in (rates.messages, rates.invitations) if limit is not None]
    return max(1, min(bursts)) if bursts else network.concurrency


def estimate(
    network: Network,
    invitations: int,
    messages: int,
    room_creations: int,
    communities: int = 0,
    *,
    rooms: int = 0,
    conversations: int = 0,
    welcomes: int = 0,
    other_writes: int = 0,
) -> Estimate:
    """The least time these writes take at the network's declared limits, and whether this
    account is exempt from them (None: cannot tell). `room_creations` counts communities, rooms
    and conversations; `other_writes` (roles, descriptions, pictures) are paced like messages."""
    rates = network.capabilities.rate_limits
    seconds = rates.seconds(
        invitations=invitations,
        messages=messages + other_writes,
        room_creations=room_creations,
        communities=communities,
    )
    try:
        exempt = network.ratelimit_exempt()
    except RseError:
        exempt = None
    return Estimate(
        invitations=invitations,
        messages=messages,
        room_creations=room_creations,
        communities=communities,
        rooms=rooms,
        conversations=conversations,
        welcomes=welcomes,
        other_writes=other_writes,
        seconds_at_default_limits=round(seconds, 1),
        exempt=exempt,
        limits=rates.describe(lambda x: f"{x:g}", translate=str),  # English in --json
        fast_path=rates.fast_path,
        rates=rates,
    )


def _dm_rooms(network: Network, dms: int) -> int:
    """Room creations that direct messages cost (a first DM creates a room on Matrix)."""
    return dms if network.capabilities.rate_limits.dm_creates_room else 0


def rough_estimate(network: Network, prepared: Prepared) -> Estimate:
    """An upper bound from the manifest alone (as if nothing existed yet): no reads but one."""
    specs = prepared.manifest.communities
    people = sum(1 for s in specs for r in s.members if prepared.person(r))
    mentions = sum(1 for s in specs if s.welcome_dm and s.welcome_in != "dm" for r in s.members if prepared.person(r))
    dms = sum(1 for s in specs if s.welcome_dm and s.welcome_in == "dm" for r in s.members if prepared.person(r))
    staff = sum(1 for s in specs for r in [*s.animators, *s.moderators] if prepared.person(r))
    pictures = sum(1 for s in specs if s.avatar)  # a new community gets its topic at creation, its picture after
    posts = sum(1 for s in specs if s.welcome_post)
    rooms = sum(len(s.rooms) for s in specs)
    conversations = _dm_rooms(network, dms)
    return estimate(
        network,
        invitations=people,
        messages=dms + mentions + posts,
        room_creations=conversations + len(specs) + rooms,
        communities=len(specs),
        rooms=rooms,
        conversations=conversations,
        welcomes=dms,
        other_writes=staff + pictures,
    )
