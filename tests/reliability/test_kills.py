"""SIGKILL at random moments during an onboarding with welcome DMs, then a run that completes:
exactly one direct conversation per person with rse, exactly one welcome each (issue 13, "No
orphan rooms"). Read back from Synapse: m.direct, and every room rse is in with its members.

The short version runs by default; the 120-person, 15-kill loop is marked `slow`.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.cli.test_onboard import journal_size, make_people, manifest, spawn_apply, write_csv
from tests.conftest import unique

C = "/_matrix/client/v3"


def shared_rooms(homeserver, people: set[str]) -> dict[str, list[str]]:
    """For each of `people`, the rooms rse is in whose only members (joined or invited) are rse and
    that person: their direct conversations with rse, as the server has them."""
    joined = homeserver.api("GET", f"{C}/joined_rooms")["joined_rooms"]

    def members(room: str) -> tuple[str, set[str]]:
        chunk = homeserver.api("GET", f"{C}/rooms/{quote(room)}/members")["chunk"]
        return room, {e["state_key"] for e in chunk if e["content"].get("membership") in {"join", "invite"}}

    out: dict[str, list[str]] = defaultdict(list)
    with ThreadPoolExecutor(8) as pool:
        for room, who in pool.map(members, joined):
            others = who - {homeserver.admin}
            if len(others) == 1 and (person := next(iter(others))) in people:
                out[person].append(room)
    return out


def sent_by_rse(homeserver, room: str) -> list[str]:
    chunk = homeserver.api("GET", f"{C}/rooms/{quote(room)}/messages", params={"dir": "b", "limit": 100})["chunk"]
    return [e["content"].get("body", "") for e in chunk if e["type"] == "m.room.message" and e["sender"] == homeserver.admin]


def kill_loop(homeserver, tmp_path: Path, *, people: int, kills: int, window: tuple[float, float]) -> None:
    tag = unique("k").replace("-", "")
    folks = make_people(homeserver, people, tag)
    for p in folks:
        p["dept"] = "Ventes"
    write_csv(tmp_path / "hr.csv", folks)
    path = manifest(tmp_path / "communities.toml", unique("kills"), homeserver.users["alice"])
    seed = int(os.environ.get("RSE_TEST_SEED", "0")) or random.randrange(1 << 30)
    rng = random.Random(seed)
    # Where each kill lands is counted in journal entries, not seconds: startup alone takes 1-3 s on
    # a busy machine and a fast run welcomes 100 people within a couple of seconds, so a delay alone
    # lands anywhere from before the first write to after the last. The first kill comes after 1 to
    # 3 writes of the community's set-up (rooms being created); the others after random numbers of
    # welcomes within the first half of them (conversations being opened and listed in m.direct,
    # welcomes being sent), each at least one welcome further than the last, so that every kill
    # leaves work for the next. Then a random delay, short enough not to run past that work, long
    # enough to land inside the requests in flight.
    welcome_marks = sorted(rng.sample(range(1, people // 2), kills - 1))
    done, runs, started = 0, 0, time.monotonic()
    among_welcomes = 0  # kills that came after some welcomes and before the last
    while done < kills and runs < 4 * kills:
        runs += 1
        action, mark = ("%", rng.randint(1, 3)) if done == 0 else ("onboard.welcome", welcome_marks[done - 1])
        target = max(mark, journal_size(tmp_path, action) + 1)
        proc = spawn_apply(homeserver, tmp_path, path, stdout=subprocess.DEVNULL)
        while proc.poll() is None and journal_size(tmp_path, action) < target and time.monotonic() - started < 600:
            time.sleep(0.02)
        time.sleep(rng.uniform(*window))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            done += 1
            among_welcomes += 0 < journal_size(tmp_path, "onboard.welcome") < people
        proc.wait()
    assert done >= kills, f"only {done} of {runs} runs were still working when killed (seed {seed})"
    assert among_welcomes >= kills - 1, f"{among_welcomes} kills landed among the welcomes, not {kills - 1} (seed {seed})"
    proc = spawn_apply(homeserver, tmp_path, path)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()
    print(
        f"{done} kills in {runs} runs ({among_welcomes} among the welcomes), then completion: {time.monotonic() - started:.1f} s (seed {seed})"
    )

    uids = {p["uid"] for p in folks}
    rooms = shared_rooms(homeserver, uids)
    direct = homeserver.api("GET", f"{C}/user/{quote(homeserver.admin)}/account_data/m.direct")
    extra = {u: rooms.get(u, []) for u in uids if len(rooms.get(u, [])) != 1}
    assert not extra, f"people without exactly one DM room with rse (seed {seed}): {extra}"
    for uid in uids:
        assert direct.get(uid) == rooms[uid], uid  # m.direct lists that room, and only it
        assert len(sent_by_rse(homeserver, rooms[uid][0])) == 1, uid  # one welcome


@pytest.mark.timeout(120)
def test_killed_onboarding_leaves_one_dm_room_and_one_welcome_each(homeserver, tmp_path):
    kill_loop(homeserver, tmp_path, people=40, kills=4, window=(0.0, 0.05))


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_a_hundred_and_twenty_people_fifteen_kills(homeserver, tmp_path):
    kill_loop(homeserver, tmp_path, people=120, kills=15, window=(0.0, 0.05))
