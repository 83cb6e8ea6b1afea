"""Write a seed plan into the sandbox Synapse, through its application service.

Why an application service: it may act as any user (`?user_id=`) and give events a past
timestamp (`?ts=`, honoured for messages, reactions *and* membership changes sent with
`PUT /rooms/{id}/state/m.room.member/{user}`), so the history really looks 90 days old.
Admin calls (creating people with their e-mail) are made as the champion, the sandbox's
admin, through the same token. Everything goes through rse's `HttpClient`.

Communities are created with rse's own connector (`MatrixNetwork.create_community`,
`add_room`, `set_role`) acting as the champion, rse's own account, so they follow rse's
conventions exactly. Only what createRoom itself writes (creation, the creator's join,
power levels, join rules…) carries the real time of seeding: Synapse takes no `ts` there,
which is why the creator is the champion (audits, digests and briefs ignore rse's account):
every person, founders included, joins through a backdated membership event.

Idempotence and resumption:
- `seed-state.json` in the sandbox directory records the arguments, the anchor (the end of
  the history, fixed by the first run so that every re-run rebuilds the same plan), the
  room ids and which timelines are complete. A finished seed re-run sends nothing.
- Every planned event carries its plan key in its content (`rse.seed`). A timeline not
  marked complete (a run was killed) is first read back from the server, and the events
  already there are skipped, so a resumed run never duplicates anything. Transaction ids
  are derived from the keys too, so a request retried by the HTTP layer is deduplicated.

Throughput: Synapse (one Python process) saturates at ~40 events/s on 2 cores for this mix
(a membership costs ~1.5 messages), so the volume is what sets the time. Each timeline is
sent in order by its own thread (Synapse serialises a room's events anyway, and order keeps
the history readable); rooms run in parallel, each once its Space's memberships are done.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from rse_cli.domain import Role
from rse_cli.errors import ForbiddenError, NotFoundError, ServerError, UsageError
from rse_cli.network.http import HttpClient
from rse_cli.network.matrix import MatrixNetwork, slug
from rse_cli.sandbox.company import build_plan
from rse_cli.sandbox.plan import SEED_KEY, Membership, Message, Plan, PlannedEvent, Reaction

C = "/_matrix/client/v3"
ADMIN = "/_synapse/admin"
STATE_FILE = "seed-state.json"
CSV_FILE = "hr_export.csv"
CSV_COLUMNS = ("email", "matrix_id", "first_name", "last_name", "department", "site", "job_title", "manager_email", "start_date")
Progress = Callable[[int, int], None]  # (events done, events planned)


def q(part: str) -> str:
    return quote(part, safe="")


class _ActAs(httpx.BaseTransport):
    """Adds `?user_id=` to every request: the application service acting as that user."""

    def __init__(self, user_id: str) -> None:
        self._inner = httpx.HTTPTransport()
        self._user_id = user_id

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_merge_params({"user_id": self._user_id})
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


# -- state -----------------------------------------------------------------------------------
class SeedState:
    """What a seed has completed, in a JSON file written atomically after every step."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self.data: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}

    def begin(self, seed: int, people: int, days: int) -> datetime:
        """Check the arguments against an earlier seed; return the anchor of the history."""
        wanted = {"seed": seed, "people": people, "days": days}
        if self.data:
            before = {k: self.data.get(k) for k in wanted}
            if before != wanted:
                raise UsageError(
                    f"this sandbox was seeded with --seed {before['seed']} --people {before['people']} --days {before['days']}; "
                    "it cannot hold a second company",
                    hint="run `rse sandbox seed --reset …` to stop the sandbox, wipe its data and seed it again "
                    "(or re-run with the same arguments to finish or check the first seed)",
                )
            return datetime.fromisoformat(self.data["anchor"])
        anchor = datetime.now(UTC).replace(microsecond=0)
        self.data = {
            "version": 1,
            **wanted,
            "anchor": anchor.isoformat(),
            "people_done": False,
            "rooms": {},
            "done": [],
            "complete": False,
        }
        self.save()
        return anchor

    def update(self, **values: Any) -> None:
        with self._lock:
            self.data.update(values)
            self._write()

    def room(self, key: str, room_id: str) -> None:
        with self._lock:
            self.data["rooms"][key] = room_id
            self._write()

    def finished(self, key: str) -> None:
        with self._lock:
            if key not in self.data["done"]:
                self.data["done"].append(key)
            self._write()

    def save(self) -> None:
        with self._lock:
            self._write()

    def _write(self) -> None:
        _write_private(self.path, json.dumps(self.data, indent=1, ensure_ascii=False))


def _write_private(path: Path, text: str, encoding: str = "utf-8") -> None:
    """Write atomically, readable by the owner only (the HR export is personal data)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding=encoding, newline="") as fh:
        fh.write(text)
    os.replace(tmp, path)


def seeded_plan(data_dir: Path, server_name: str = "rse.test") -> Plan | None:
    """The plan a sandbox was seeded with (None if never seeded): its facts say where to look."""
    path = data_dir / STATE_FILE
    if not path.exists():
        return None
    data = json.loads(path.read_text())
    return build_plan(data["seed"], data["people"], data["days"], datetime.fromisoformat(data["anchor"]), server_name)


# -- HR export -------------------------------------------------------------------------------
def write_hr_csv(plan: Plan, path: Path) -> Path:
    """The staff as French HR tools export it: UTF-8 with a BOM, `;` separated, ISO dates."""
    by_local = {p.localpart: p for p in plan.people}
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(CSV_COLUMNS)
    for p in plan.people:
        manager = by_local[p.manager].email if p.manager else ""
        writer.writerow(
            [
                p.email,
                plan.user_id(p),
                p.first_name,
                p.last_name,
                p.department,
                p.site,
                p.job_title,
                manager,
                p.start_date.isoformat(),
            ]
        )
    _write_private(path, buffer.getvalue(), encoding="utf-8-sig")
    return path


# -- seeding ---------------------------------------------------------------------------------
@dataclass
class SeedResult:
    plan: Plan
    sent: int
    skipped: int
    seconds: float
    csv_path: Path
    already_complete: bool


def seed_sandbox(
    url: str,
    as_token: str,
    data_dir: Path,
    *,
    seed: int = 42,
    people: int = 300,
    days: int = 90,
    workers: int = 16,
    progress: Progress | None = None,
) -> SeedResult:
    """Seed (or finish seeding, or check) the sandbox at `url`; see the module docstring."""
    began = time.monotonic()
    state = SeedState(data_dir / STATE_FILE)
    anchor = state.begin(seed, people, days)
    try:
        plan = build_plan(seed, people, days, anchor)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    csv_path = write_hr_csv(plan, data_dir / CSV_FILE)
    total = len(plan.events())
    if state.data.get("complete"):
        if progress:
            progress(total, total)
        return SeedResult(plan, 0, total, time.monotonic() - began, csv_path, already_complete=True)
    with HttpClient(url, token=as_token, concurrency=workers, timeout=60) as http:
        seeder = _Seeder(http, as_token, url, plan, state, workers, progress)
        seeder.run()
    state.update(complete=True)
    return SeedResult(plan, seeder.sent, seeder.skipped, time.monotonic() - began, csv_path, already_complete=False)


class _Seeder:
    def __init__(
        self, http: HttpClient, as_token: str, url: str, plan: Plan, state: SeedState, workers: int, progress: Progress | None
    ) -> None:
        self.http, self.plan, self.state = http, plan, state
        self._as_token, self._url, self._workers = as_token, url, workers
        self._progress = progress
        self._lock = threading.Lock()
        self.sent = self.skipped = 0
        self._total = len(plan.events())
        self._stop = threading.Event()

    def run(self) -> None:
        self._check_champion()
        if not self.state.data.get("people_done"):
            self._people()
            self.state.update(people_done=True)
        with ThreadPoolExecutor(max_workers=len(self.plan.communities)) as pool:
            list(pool.map(self._structure, self.plan.communities))
        # a room's join rule needs its members in the Space: rooms start once their Space is
        # complete (letting them chase each Space join one by one was measured 30% slower:
        # Synapse then re-reads the Space's ever-changing state for every room join)
        self._spaces_done = {c.key: threading.Event() for c in self.plan.communities}
        order = sorted(self.plan.timelines, key=lambda k: ("/" in k, -len(self.plan.timelines[k])))
        with ThreadPoolExecutor(max_workers=min(self._workers, len(order))) as pool:
            futures = [pool.submit(self._play, key) for key in order]
            try:
                for future in futures:
                    future.result()
            except BaseException:
                # Ctrl-C or a failure: every thread stops after its current event (the next
                # run resumes from what the server holds) instead of seeding on for a minute
                self._stop.set()
                for done in self._spaces_done.values():
                    done.set()
                raise

    # -- people ------------------------------------------------------------------------
    def _admin(self, method: str, path: str, **kw: Any) -> Any:
        params = {**kw.pop("params", {}), "user_id": self.plan.champion}
        return self.http.request(method, path, params=params, **kw)

    def _check_champion(self) -> None:
        try:
            self._admin("GET", f"{ADMIN}/v1/users/{q(self.plan.champion)}/admin")
        except (ForbiddenError, NotFoundError):
            raise UsageError(
                f"the sandbox has no admin account {self.plan.champion}", hint="run `rse sandbox up` first"
            ) from None

    def _people(self) -> None:
        """Create everyone once (admin API: no password, ~5 ms each), with their e-mail.

        An existing user is never PUT again: even an unchanged display name is re-broadcast
        as a new membership event in every room they are in. (The user list API can't tell
        who exists here: its `user_id` filter collides with the application service's.)
        """

        def create(person) -> None:
            user = self.plan.user_id(person)
            try:
                self._admin("GET", f"{ADMIN}/v2/users/{q(user)}")
                return
            except NotFoundError:
                pass
            body = {"displayname": person.display_name, "threepids": [{"medium": "email", "address": person.email}]}
            self._admin("PUT", f"{ADMIN}/v2/users/{q(user)}", json=body)

        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(create, self.plan.people))

    # -- communities -------------------------------------------------------------------
    def _as(self, user_id: str) -> MatrixNetwork:
        http = HttpClient(self._url, token=self._as_token, transport=_ActAs(user_id), timeout=60)
        return MatrixNetwork(http, user_id=user_id)

    def _lookup(self, alias: str) -> str | None:
        try:
            return self.http.get(f"{C}/directory/room/{q(alias)}")["room_id"]
        except NotFoundError:
            return None

    def _structure(self, com) -> None:
        """The Space, its rooms and roles, created by the champion; safe to redo.

        Roles are given now, before the people join (power levels may name people who are not
        in the room yet): the founder is a moderator, the animators animators."""
        rooms = self.state.data["rooms"]
        if all(k in rooms for k in (com.key, *(r.key for r in com.rooms))) and self.state.data.get(f"roles:{com.key}"):
            return
        net = self._as(self.plan.champion)
        try:
            server = self.plan.server_name
            space_id = rooms.get(com.key) or self._lookup(f"#{com.key}:{server}")
            community = (
                net.get_community(space_id) if space_id else net.create_community(com.name, alias=com.key, topic=com.topic)
            )
            self.state.room(com.key, community.id)
            for room in com.rooms:
                room_id = rooms.get(room.key) or self._lookup(f"#{com.key}-{slug(room.name)}:{server}")
                if room_id is None:
                    room_id = net.add_room(community, room.name, topic=room.topic).id
                elif room_id not in {r.id for r in community.rooms}:  # a run killed between createRoom and the link
                    net.http.put(
                        f"{C}/rooms/{q(community.id)}/state/m.space.child/{q(room_id)}", json={"via": [server], "suggested": True}
                    )
                self.state.room(room.key, room_id)
            community = net.get_community(community.id)
            for user in com.animators:
                net.set_role(community, user, Role.animator)
            for user in (com.creator, *com.moderators):
                net.set_role(community, user, Role.moderator)
            self.state.update(**{f"roles:{com.key}": True})
        finally:
            net.close()

    # -- timelines ---------------------------------------------------------------------
    def _present(self, room_id: str) -> dict[str, str]:
        """Plan key -> event id of the seeded events the room already holds."""
        found: dict[str, str] = {}
        token: str | None = None
        while True:
            params: dict[str, Any] = {"dir": "f", "limit": 1000, **({"from": token} if token else {})}
            page = self._admin("GET", f"{ADMIN}/v1/rooms/{q(room_id)}/messages", params=params)
            for event in page.get("chunk", []):
                key = (event.get("content") or {}).get(SEED_KEY)
                if isinstance(key, str):
                    found[key] = event["event_id"]
            token = page.get("end")
            if not page.get("chunk") or not token:
                return found

    def _play(self, key: str) -> None:
        community, is_space = key.split("/", 1)[0], "/" not in key
        if not is_space:
            self._spaces_done[community].wait()
        if self._stop.is_set():
            return
        try:
            timeline = self.plan.timelines[key]
            if key in self.state.data["done"]:
                self._count(skipped=len(timeline))
                return
            room_id = self.state.data["rooms"][key]
            ids = self._present(room_id)
            for event in timeline:
                if self._stop.is_set():
                    return
                if event.key in ids:
                    self._count(skipped=1)
                    continue
                event_id = self._send(room_id, event, ids)
                if event_id:
                    ids[event.key] = event_id
                self._count(sent=1)
            self.state.finished(key)
        finally:
            if is_space:
                self._spaces_done[community].set()  # done, or failed: its rooms then fail loudly

    def _count(self, sent: int = 0, skipped: int = 0) -> None:
        with self._lock:
            self.sent += sent
            self.skipped += skipped
            done = self.sent + self.skipped
        if self._progress:
            self._progress(done, self._total)

    def _send(self, room_id: str, event: PlannedEvent, ids: dict[str, str]) -> str | None:
        params = {"user_id": event.sender, "ts": event.ts}
        txn = "rse-seed-" + hashlib.sha256(f"{self.plan.seed}|{event.key}".encode()).hexdigest()[:24]
        if isinstance(event, Membership):
            path = f"{C}/rooms/{q(room_id)}/state/m.room.member/{q(event.target)}"
            content: dict[str, Any] = {"membership": event.membership, SEED_KEY: event.key}
            return self.http.put(path, params=params, json=content).get("event_id")
        if isinstance(event, Reaction):
            content = {  # a reaction's content
                "m.relates_to": {"rel_type": "m.annotation", "event_id": ids[event.target], "key": event.emoji},
                SEED_KEY: event.key,
            }
            try:
                return self.http.put(f"{C}/rooms/{q(room_id)}/send/m.reaction/{txn}", params=params, json=content).get("event_id")
            except ServerError as exc:
                if exc.errcode == "M_DUPLICATE_ANNOTATION":
                    return None  # already there (sent by a killed run whose answer was lost)
                raise
        assert isinstance(event, Message)
        content = {
            "msgtype": "m.text",
            "body": event.body,
            "m.mentions": {"user_ids": list(event.mentions)} if event.mentions else {},
            SEED_KEY: event.key,
        }
        if event.thread_root:
            content["m.relates_to"] = {
                "rel_type": "m.thread",
                "event_id": ids[event.thread_root],
                "is_falling_back": True,
                "m.in_reply_to": {"event_id": ids[event.reply_to or event.thread_root]},
            }
        elif event.reply_to:
            content["m.relates_to"] = {"m.in_reply_to": {"event_id": ids[event.reply_to]}}
        return self.http.put(f"{C}/rooms/{q(room_id)}/send/m.room.message/{txn}", params=params, json=content).get("event_id")
