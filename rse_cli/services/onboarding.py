"""Scripted bulk onboarding: plan (read the network, diff), apply (idempotent, resumable), status.

Safe across a SIGKILL at any point: communities are found again by alias, rooms by their
alias `<community-alias>-<room-slug>` (MatrixNetwork.add_room adopts its own room when a
killed run had created it), invitations check membership first, and every message goes
through `send_once` (derived transaction id on the same device + the store's record).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from rse_cli.domain import Community, Member, Person, Role
from rse_cli.errors import InputError, NotFoundError, RseError
from rse_cli.network.base import Network
from rse_cli.services import manifest as mf
from rse_cli.services.people_csv import PersonRow, Problem, refusal, write_rows
from rse_cli.services.posting import build_message
from rse_cli.services.writes import journaled, send_once, txn_key
from rse_cli.store import Store, _now
from rse_cli.templating import Templates

# Synapse's default limits (see MATRIX-NOTES): messages and invitations share rc_message
DEFAULT_MESSAGES_PER_S, DEFAULT_MESSAGE_BURST = 0.2, 10
DEFAULT_ROOMS_PER_S, DEFAULT_ROOM_BURST = 0.016, 10


class Change(BaseModel):
    op: str  # + create/add, ~ change, = unchanged
    kind: str  # community | topic | avatar | room | role | invite | join | welcome-dm | welcome-post
    community: str
    target: str
    detail: str | None = None


class ProblemOut(BaseModel):
    file: str
    line: int | None
    message: str
    skippable: bool = True  # a bad row `--skip-invalid` can drop (not a bad header, file or manifest key)


class Estimate(BaseModel):
    invitations: int
    messages: int
    room_creations: int
    seconds_at_default_limits: float
    exempt: bool | None = None  # the account's rate limits are lifted (None: cannot tell)


class Plan(BaseModel):
    manifest: str
    changes: list[Change]
    problems: list[ProblemOut]
    counts: dict[str, int]
    estimate: Estimate
    notes: list[str] = []


class Outcome(BaseModel):
    community: str
    person: str
    ref: str
    action: str  # invited | joined | unchanged | failed
    welcome: str | None = None  # sent | unchanged | None
    error: str | None = None


class ApplyResult(BaseModel):
    manifest: str
    created: list[str]
    outcomes: list[Outcome]
    skipped: list[ProblemOut]
    summary: dict[str, int]
    failed_csv: str | None = None


class CommunityStatus(BaseModel):
    community: str
    alias: str
    exists: bool
    expected: int
    invited: int
    joined: int
    pending: int
    failed: int


# -- preparing ---------------------------------------------------------------------------

class Prepared:
    """The manifest with every person resolved, and the problems found on the way."""

    def __init__(self, manifest: mf.Manifest, people: dict[str, Person], problems: list[Problem]) -> None:
        self.manifest = manifest
        self.people = people  # ref (casefold) -> Person
        self.problems = problems

    def person(self, row: PersonRow) -> Person | None:
        return self.people.get(row.ref.casefold())


class Pacer:
    """How many people are worked on at once: a slow start (1, then one more per person done)
    up to the concurrency setting, and one at a time as soon as the server rate-limits rse:
    against a rate limit, more requests in flight only multiply 429 answers (MATRIX-NOTES)
    while the HTTP layer already waits as long as the server asks. The slow start keeps the
    work in flight small when the first 429 comes (after Synapse's burst of 10)."""

    def __init__(self, network: Network, limit: int, start: int = 1) -> None:
        self.stats = getattr(getattr(network, "http", None), "stats", None)
        self.limit = max(1, limit)
        self.window = min(self.limit, start)
        self.busy = 0
        self.cond = threading.Condition()

    def _allowed(self) -> int:
        return 1 if self.stats is not None and self.stats.get("rate_limited") else self.window

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


def _pool(network: Network, n: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=max(1, min(int(getattr(network, "concurrency", 8)), n)))


def prepare(network: Network, path: Path) -> Prepared:
    manifest = mf.load(path, addressing=network.addressing)  # ids checked by the network's syntax, before any request
    problems = list(manifest.problems)
    rows = {}
    for spec in manifest.communities:
        for row in [*spec.animators, *spec.moderators, *spec.members]:
            rows.setdefault(row.ref.casefold(), row)
    people: dict[str, Person] = {}
    if rows:

        def resolve(item: tuple[str, PersonRow]):
            try:
                return item[0], network.resolve_person(item[1].ref), None
            except NotFoundError as exc:  # also Ambiguous
                return item[0], None, exc.message

        with _pool(network, len(rows)) as pool:
            for key, person, error in pool.map(resolve, rows.items()):
                if person is not None:
                    people[key] = person
                else:
                    for spec in manifest.communities:
                        for kind, group in (("animator", spec.animators), ("moderator", spec.moderators), ("person", spec.members)):
                            for row in group:
                                if row.ref.casefold() == key:
                                    what = f"unknown {kind}" if kind != "person" else "person not found on the network"
                                    problems.append(Problem(row.file, row.line, f"{what}: {error}"))
    problems.sort(key=lambda p: (p.file, p.line or 0))
    return Prepared(manifest, people, problems)


def _problems(items: list[Problem]) -> list[ProblemOut]:
    return [ProblemOut(file=p.file, line=p.line, message=p.message, skippable=p.skippable) for p in items]


def refuse(prepared: Prepared, skip_invalid: bool) -> None:
    """Raise with every problem at once, unless they are all droppable rows and the user said so."""
    error = refusal(prepared.problems, skip_invalid, "the manifest or its people file")
    if error is not None:
        raise error


def _context(network: Network, row: PersonRow, person: Person, communities: list[Community], animator: Person | None,
             rows_by_email: dict[str, PersonRow]) -> dict[str, Any]:
    """What a welcome/nudge template may use: names, manager, communities, animator, links."""
    first = row.fields.get("first_name") or (person.display_name or person.id.lstrip("@").split(":")[0]).split(" ")[0]
    manager_ref = row.fields.get("manager") or ""
    manager_row = rows_by_email.get(manager_ref.casefold())
    manager = (f"{manager_row.fields.get('first_name', '')} {manager_row.fields.get('last_name', '')}".strip()
               if manager_row else manager_ref)
    return {
        "first_name": first,
        "last_name": row.fields.get("last_name") or "",
        "display_name": person.display_name or first,
        "person_id": person.id,
        "manager": manager,
        "department": row.fields.get("department") or "",
        "site": row.fields.get("site") or "",
        "communities": [{"name": c.name, "alias": c.alias, "link": c.link or network.link(c.id)} for c in communities],
        "animator": ({"name": animator.display_name or animator.id, "id": animator.id,
                      "link": network.link(animator.id)} if animator else None),
        "first_post_link": None,
    }


def _rows_by_email(prepared: Prepared) -> dict[str, PersonRow]:
    people = prepared.manifest.people
    return {r.fields.get("email", "").casefold(): r for r in people.rows if r.fields.get("email")} if people else {}


def _welcome_text(network: Network, templates: Templates, spec: mf.CommunitySpec, row: PersonRow, person: Person,
                  community: Community, animator: Person | None, by_email: dict[str, PersonRow]) -> str:
    ctx = _context(network, row, person, [community], animator, by_email)
    return templates.render(spec.welcome_dm or "welcome", ctx, lang=spec.lang)


def _welcome_jobs(network: Network, prepared: Prepared,
                  by_email: dict[str, PersonRow]) -> Iterator[tuple[str, dict[str, Any], str | None]]:
    """(template, context, lang) of every welcome message the manifest will send, rendered before
    the first write (reliability: a bad template creates nothing on the server)."""
    for spec in prepared.manifest.communities:
        if not spec.welcome_dm:
            continue
        animator = next((prepared.person(r) for r in spec.animators if prepared.person(r)), None)
        for row in spec.members:
            person = prepared.person(row)
            if person is not None:
                yield spec.welcome_dm, _context(network, row, person, [_placeholder(spec)], animator, by_email), spec.lang


def _welcomed(store: Store, target: str) -> bool:
    """A person is welcomed once per community, even if the template changed since."""
    return bool(store.query("SELECT 1 FROM journal WHERE action = 'onboard.welcome' AND target = ? AND profile = ? "
                            "AND outcome IN ('ok', 'unchanged') LIMIT 1", (target, store.profile)))


def _placeholder(spec: mf.CommunitySpec) -> Community:
    return Community(id=f"#{spec.alias}", name=spec.name, alias=f"#{spec.alias}", topic=spec.topic)


def _lookup(network: Network, alias: str) -> Community | None:
    try:
        return network.get_community(f"#{alias}")
    except NotFoundError:
        return None


def estimate(network: Network, invitations: int, messages: int, room_creations: int) -> Estimate:
    seconds = max(max(0, invitations + messages - DEFAULT_MESSAGE_BURST) / DEFAULT_MESSAGES_PER_S,
                  max(0, room_creations - DEFAULT_ROOM_BURST) / DEFAULT_ROOMS_PER_S)
    probe = getattr(network, "ratelimit_exempt", None)
    exempt = None
    if probe is not None:
        try:
            exempt = probe()
        except RseError:
            exempt = None
    return Estimate(invitations=invitations, messages=messages, room_creations=room_creations,
                    seconds_at_default_limits=round(seconds, 1), exempt=exempt)


def rough_estimate(network: Network, prepared: Prepared) -> Estimate:
    """An upper bound from the manifest alone (as if nothing existed yet): no reads but one."""
    specs = prepared.manifest.communities
    people = sum(1 for s in specs for r in s.members if prepared.person(r))
    dms = sum(1 for s in specs if s.welcome_dm for r in s.members if prepared.person(r))
    staff = sum(1 for s in specs for r in [*s.animators, *s.moderators] if prepared.person(r))
    pictures = sum(1 for s in specs if s.avatar)  # a state event, paced like a message (a new community gets its topic at creation)
    return estimate(network, invitations=people + staff, messages=dms + pictures + sum(1 for s in specs if s.welcome_post),
                    room_creations=dms + sum(1 + len(s.rooms) for s in specs))


# -- plan --------------------------------------------------------------------------------

def plan(network: Network, store: Store, path: Path, *, templates: Templates, prepared: Prepared | None = None) -> Plan:
    """Read the network and list what `apply` would do. Writes nothing."""
    prepared = prepared or prepare(network, path)
    changes: list[Change] = []
    by_email = _rows_by_email(prepared)
    templates.precheck(_welcome_jobs(network, prepared, by_email))  # reliability: all template problems at once
    dm_rooms = 0
    for spec in prepared.manifest.communities:
        community = _lookup(network, spec.alias)
        members: dict[str, Member] = {}
        if community is None:
            changes.append(Change(op="+", kind="community", community=spec.name, target=f"#{spec.alias}", detail=spec.topic))
            if spec.avatar:
                changes.append(Change(op="+", kind="avatar", community=spec.name, target=spec.avatar.source))
            changes += [Change(op="+", kind="room", community=spec.name, target=r) for r in spec.rooms]
        else:
            members = {m.id: m for m in network.list_members(community)}
            if spec.topic:
                same = (community.topic or "") == spec.topic
                changes.append(Change(op="=" if same else "~", kind="topic", community=spec.name, target=spec.topic,
                                      detail=None if same else f"was: {community.topic or 'none'}"))
            if spec.avatar:
                same = network.has_picture(community, spec.avatar)
                changes.append(Change(op="=" if same else "~", kind="avatar", community=spec.name, target=spec.avatar.source))
            have = {r.name.casefold() for r in community.rooms}
            for r in spec.rooms:
                exists = r.casefold() in have
                changes.append(Change(op="=" if exists else "+", kind="room", community=spec.name, target=r))
        target = community or _placeholder(spec)
        animator = next((prepared.person(r) for r in spec.animators if prepared.person(r)), None)
        for role, person in _staff(prepared, spec):
            current = members.get(person.id)
            same = current is not None and current.role in (role, Role.owner)
            changes.append(Change(op="=" if same else "~", kind="role", community=spec.name, target=person.id, detail=role.value))
        for row in spec.members:
            person = prepared.person(row)
            if person is None:
                continue
            current = members.get(person.id)
            done = current is not None and (current.membership == "join" or (current.membership == "invite" and not spec.join))
            changes.append(Change(op="=" if done else "+", kind="join" if spec.join else "invite", community=spec.name, target=person.id))
            if not spec.welcome_dm:
                continue
            text = _welcome_text(network, templates, spec, row, person, target, animator, by_email)
            target_key = f"{spec.alias}:{person.id}"
            sent = community is not None and (_welcomed(store, target_key) or store.sent(
                txn_key(store, "onboard.welcome", target_key, build_message(text).text)) is not None)
            changes.append(Change(op="=" if sent else "+", kind="welcome-dm", community=spec.name, target=person.id))
            dm_rooms += 0 if sent else 1
        if spec.welcome_post:
            sent = store.sent(txn_key(store, "onboard.post", spec.alias, build_message(spec.welcome_post).text)) is not None
            changes.append(Change(op="=" if sent else "+", kind="welcome-post", community=spec.name,
                                  target=spec.rooms[0] if spec.rooms else spec.name))
    counts: dict[str, int] = {}
    for ch in changes:
        key = "unchanged" if ch.op == "=" else ch.kind
        counts[key] = counts.get(key, 0) + 1
    pending = [c for c in changes if c.op != "="]
    est = estimate(network,
                   invitations=sum(1 for c in pending if c.kind in ("invite", "role")),
                   messages=sum(1 for c in pending if c.kind in ("welcome-dm", "welcome-post", "topic", "avatar")),
                   room_creations=dm_rooms + sum(1 for c in pending if c.kind in ("community", "room")))
    return Plan(manifest=str(path), changes=changes, problems=_problems(prepared.problems), counts=counts, estimate=est)


# -- apply -------------------------------------------------------------------------------

def _record(store: Store, manifest: str, community: str, person: str, ref: str, state: str, error: str | None) -> None:
    with store.tx() as db:
        db.execute(
            "INSERT INTO onboard_rows (profile, manifest, community, person, ref, state, error, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (profile, manifest, community, person) DO UPDATE SET state = excluded.state, error = excluded.error, at = excluded.at",
            (store.profile, manifest, community, person, ref, state, error, _now()),
        )


def _ensure_community(network: Network, store: Store, spec: mf.CommunitySpec, created: list[str]) -> Community:
    community = _lookup(network, spec.alias)
    if community is None:
        # intent first: a run killed after createRoom finds the community again by its alias
        store.journal("onboard.community.create", f"#{spec.alias}", "started")
        with journaled(store, "onboard.community.create", f"#{spec.alias}") as rec:
            community = network.create_community(spec.name, alias=spec.alias, topic=spec.topic)
            rec["detail"] = community.id
        created.append(f"community {spec.name}")
    have = {r.name.casefold() for r in community.rooms}
    added = False
    for room in spec.rooms:
        if room.casefold() in have:
            continue
        store.journal("onboard.room.create", f"#{spec.alias}/{room}", "started")
        with journaled(store, "onboard.room.create", f"#{spec.alias}/{room}") as rec:
            rec["detail"] = network.add_room(community, room).id
        created.append(f"room {spec.name}/{room}")
        added = True
    return network.get_community(community.id) if added else community


def _look(network: Network, store: Store, spec: mf.CommunitySpec, community: Community, made: list[str]) -> None:
    """The community's description and picture as the manifest says (a re-run changes nothing)."""
    if spec.topic:
        with journaled(store, "onboard.topic", f"#{spec.alias}") as rec:
            if network.set_topic(community, spec.topic):
                made.append(f"topic {spec.name}")
            else:
                rec["outcome"] = "unchanged"
    if spec.avatar:
        with journaled(store, "onboard.avatar", f"#{spec.alias}") as rec:
            rec["detail"] = spec.avatar.source
            if network.set_picture(community, spec.avatar):
                made.append(f"avatar {spec.name}")
            else:
                rec["outcome"] = "unchanged"


def apply(network: Network, store: Store, path: Path, *, templates: Templates, skip_invalid: bool = False,
          failed_csv: Path | None = None, progress: Callable[[int, int], None] | None = None,
          prepared: Prepared | None = None) -> ApplyResult:
    """Make the network match the manifest. Safe to re-run; resumes where a killed run stopped."""
    prepared = prepared or prepare(network, path)
    refuse(prepared, skip_invalid)
    key = str(path.resolve())
    by_email = _rows_by_email(prepared)
    templates.precheck(_welcome_jobs(network, prepared, by_email))  # reliability: before the first write
    created: list[str] = []
    outcomes: list[Outcome] = []
    total = sum(len(s.members) for s in prepared.manifest.communities)
    done = [0]
    lock = threading.Lock()
    failed_rows: list[dict[str, str]] = []

    def set_up(spec: mf.CommunitySpec) -> tuple[Community, list[str], set[str]]:
        """The community, its rooms and its staff; then who is already in it (one read of the
        member list instead of one membership check per person)."""
        made: list[str] = []
        community = _ensure_community(network, store, spec, made)
        _look(network, store, spec, community, made)
        for role, person in _staff(prepared, spec):
            with journaled(store, "onboard.invite", f"#{spec.alias}:{person.id}") as rec:
                if not network.invite(community, person.id):
                    rec["outcome"] = "unchanged"
            with journaled(store, "onboard.role", f"#{spec.alias}:{person.id}") as rec:
                rec["detail"] = role.value
                if not network.set_role(community, person.id, role):
                    rec["outcome"] = "unchanged"
        present = set() if spec.join else {m.id for m in network.list_members(community) if m.membership in ("join", "invite")}
        return community, made, present

    # communities are set up side by side: each is a few requests in a row, which latency stretches
    specs = prepared.manifest.communities
    with _pool(network, len(specs)) as pool:
        ready = list(pool.map(set_up, specs))

    queues: list[list[Callable[[], Outcome]]] = []
    posts: list[tuple[mf.CommunitySpec, Community]] = []
    for spec, (community, made, present) in zip(specs, ready, strict=True):
        created += made
        animator = next((prepared.person(r) for r in spec.animators if prepared.person(r)), None)

        def onboard(row: PersonRow, spec=spec, community=community, animator=animator, present=present) -> Outcome:
            person = prepared.person(row)
            assert person is not None
            out = Outcome(community=spec.name, person=person.id, ref=row.ref, action="unchanged")
            try:
                action = "onboard.join" if spec.join else "onboard.invite"
                with journaled(store, action, f"#{spec.alias}:{person.id}") as rec:
                    if spec.join:
                        changed = network.force_join(community, person.id)
                    else:
                        changed = person.id not in present and network.invite(community, person.id, checked=True)
                    if changed:
                        out.action = "joined" if spec.join else "invited"
                    else:
                        rec["outcome"] = "unchanged"
                if spec.welcome_dm and _welcomed(store, f"{spec.alias}:{person.id}"):
                    out.welcome = "unchanged"
                elif spec.welcome_dm:
                    text = _welcome_text(network, templates, spec, row, person, community, animator, by_email)
                    sent = send_once(network, store, action="onboard.welcome", target=f"{spec.alias}:{person.id}", room_id=None,
                                     message=build_message(text), room_for=lambda: network.direct_room(person.id))
                    out.welcome = "sent" if sent.sent else "unchanged"
                _record(store, key, spec.alias, person.id, row.ref, out.action if out.action != "unchanged" else "done", None)
            except RseError as exc:
                out.action, out.error = "failed", exc.message
                _record(store, key, spec.alias, person.id, row.ref, "failed", exc.message)
                with lock:
                    failed_rows.append({**row.values, "identifier": row.ref, "community": spec.alias, "error": exc.message})
            with lock:
                done[0] += 1
                if progress:
                    progress(done[0], total)
            return out

        queues.append([partial(onboard, r) for r in spec.members if prepared.person(r) is not None])
        if spec.welcome_post:
            posts.append((spec, community))

    # one pool for every community, interleaved: Synapse serialises invitations into one room,
    # so concurrent work spread over several rooms goes faster
    tasks = [q[i] for i in range(max(map(len, queues), default=0)) for q in queues if i < len(q)]
    pacer = Pacer(network, int(getattr(network, "concurrency", 8)))

    def paced(task: Callable[[], Outcome]) -> Outcome:
        with pacer:
            return task()

    with _pool(network, len(tasks)) as pool:
        outcomes += list(pool.map(paced, tasks))
    for spec, community in posts:
        # in the first room; in the Space itself when the community has no room (only animators post there)
        room_id = network.find_room(community, spec.rooms[0]).id if spec.rooms else community.id
        send_once(network, store, action="onboard.post", target=spec.alias, room_id=room_id,
                  message=build_message(spec.welcome_post))

    kinds = Counter(c.split(" ", 1)[0] for c in created)  # "room Ventes/Général" -> room
    summary: dict[str, int] = {"communities_created": kinds["community"], "rooms_created": kinds["room"],
                               "topics_set": kinds["topic"], "avatars_set": kinds["avatar"]}
    for o in outcomes:
        summary[o.action] = summary.get(o.action, 0) + 1
        if o.welcome:
            summary[f"welcome_{o.welcome}"] = summary.get(f"welcome_{o.welcome}", 0) + 1
    written = None
    if failed_rows:
        failed_csv = failed_csv or path.with_name(path.stem + ".failed.csv")
        header = list(prepared.manifest.people.header) if prepared.manifest.people else []
        write_rows(failed_csv, [*header, "identifier", "community", "error"], failed_rows)
        written = str(failed_csv)
    skipped = [p for p in prepared.problems if p.skippable]
    return ApplyResult(manifest=str(path), created=created, outcomes=outcomes, skipped=_problems(skipped),
                       summary=summary, failed_csv=written)


# -- status ------------------------------------------------------------------------------

def status(network: Network, store: Store, path: Path) -> list[CommunityStatus]:
    """Per community: invited, joined, pending (not yet invited), failed (last apply)."""
    prepared = prepare(network, path)
    key = str(path.resolve())
    out = []
    for spec in prepared.manifest.communities:
        expected = {p.id for r in spec.members if (p := prepared.person(r))}
        community = _lookup(network, spec.alias)
        members = {m.id: m.membership for m in network.list_members(community)} if community else {}
        failed = {r["person"] for r in store.query(
            "SELECT person FROM onboard_rows WHERE profile = ? AND manifest = ? AND community = ? AND state = 'failed'",
            (store.profile, key, spec.alias))}
        invited = sum(1 for p in expected if members.get(p) == "invite")
        joined = sum(1 for p in expected if members.get(p) == "join")
        pending = sum(1 for p in expected if members.get(p) not in ("invite", "join") and p not in failed)
        out.append(CommunityStatus(community=spec.name, alias=f"#{spec.alias}", exists=community is not None,
                                   expected=len(expected), invited=invited, joined=joined, pending=pending,
                                   failed=len(failed & expected - {p for p in expected if members.get(p) in ("invite", "join")})))
    return out


def _staff(prepared, spec):
    """(role, person) for the community's animators then moderators found on the network."""
    for role, group in ((Role.animator, spec.animators), (Role.moderator, spec.moderators)):
        for row in group:
            person = prepared.person(row)
            if person is not None:
                yield role, person
