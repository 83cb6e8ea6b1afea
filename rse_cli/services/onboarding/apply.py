"""`onboard apply`: make the network match the manifest; idempotent and resumable."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from functools import partial
from pathlib import Path

from rse_cli.domain import Community, Person
from rse_cli.errors import RseError
from rse_cli.network.base import Network
from rse_cli.services import manifest as mf
from rse_cli.services.concurrency import side_by_side
from rse_cli.services.onboarding.common import (
    ApplyResult,
    Outcome,
    Prepared,
    _problems,
    _ref,
    _rows_by_email,
    _staff,
    _welcome_jobs,
    _welcome_text,
    prepare,
    refuse,
    survey,
)
from rse_cli.services.onboarding.pacing import Pacer
from rse_cli.services.people_csv import PersonRow, write_rows
from rse_cli.services.posting import build_message
from rse_cli.services.writes import journaled, send_once
from rse_cli.store import Store
from rse_cli.store.onboarding import record_person, welcomed
from rse_cli.templating import Templates


def _ensure_community(
    network: Network, store: Store, spec: mf.CommunitySpec, created: list[str], community: Community | None
) -> Community:
    """The community (as prepare() read it; None: not there then), created with its rooms when missing."""
    ref = _ref(network, spec)
    if community is None:
        # intent first: a run killed after the creation finds the community again by its alias
        store.journal("onboard.community.create", ref, "started")
        with journaled(store, "onboard.community.create", ref) as rec:
            community = network.create_community(spec.name, alias=spec.alias, topic=spec.topic)
            rec["detail"] = community.id
        created.append(f"community {spec.name}")
    have = {r.name.casefold() for r in community.rooms}
    added = False
    for room in spec.rooms:
        if room.casefold() in have:
            continue
        store.journal("onboard.room.create", f"{ref}/{room}", "started")
        with journaled(store, "onboard.room.create", f"{ref}/{room}") as rec:
            rec["detail"] = network.add_room(community, room).id
        created.append(f"room {spec.name}/{room}")
        added = True
    return network.get_community(community.id) if added else community


def _look(network: Network, store: Store, spec: mf.CommunitySpec, community: Community, made: list[str]) -> None:
    """The community's description and picture as the manifest says (a re-run changes nothing)."""
    if spec.topic:
        with journaled(store, "onboard.topic", _ref(network, spec)) as rec:
            if network.set_topic(community, spec.topic):
                made.append(f"topic {spec.name}")
            else:
                rec["outcome"] = "unchanged"
    if spec.avatar:
        with journaled(store, "onboard.avatar", _ref(network, spec)) as rec:
            rec["detail"] = spec.avatar.source
            if network.set_picture(community, spec.avatar):
                made.append(f"avatar {spec.name}")
            else:
                rec["outcome"] = "unchanged"


def _talk_room(network: Network, spec: mf.CommunitySpec, community: Community) -> str:
    """Where rse posts in the community: its first room; else the community itself (its feed;
    on Matrix the Space, where only animators post)."""
    return network.find_room(community, spec.rooms[0]).id if spec.rooms else community.id


def apply(
    network: Network,
    store: Store,
    path: Path,
    *,
    templates: Templates,
    skip_invalid: bool = False,
    failed_csv: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    prepared: Prepared | None = None,
) -> ApplyResult:
    """Make the network match the manifest. Safe to re-run; resumes where a killed run stopped."""
    prepared = prepared or prepare(network, path)
    refuse(prepared, skip_invalid)
    if not prepared.fresh():  # a confirmation prompt came in between: people may have joined since
        prepared.survey = survey(network, prepared.manifest.communities)
    key = str(path.resolve())
    by_email = _rows_by_email(prepared)
    templates.precheck(_welcome_jobs(network, prepared, by_email))  # before the first write
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
        seen = prepared.seen(spec)
        community = _ensure_community(network, store, spec, made, seen.community)
        _look(network, store, spec, community, made)
        staff: set[str] = set()
        for role, person in _staff(prepared, spec):
            staff.add(person.id)
            with journaled(store, "onboard.invite", f"{_ref(network, spec)}:{person.id}") as rec:
                if not network.invite(community, person.id):
                    rec["outcome"] = "unchanged"
            with journaled(store, "onboard.role", f"{_ref(network, spec)}:{person.id}") as rec:
                rec["detail"] = role.value
                if not network.set_role(community, person.id, role):
                    rec["outcome"] = "unchanged"
        # who is already in it: as read by prepare() (a new community: nobody), plus the staff just invited
        present = set() if spec.join else {pid for pid, m in seen.members.items() if m.membership in ("join", "invite")} | staff
        return community, made, present

    # communities are set up side by side: each is a few requests in a row, which latency stretches
    specs = prepared.manifest.communities
    with side_by_side(network, len(specs)) as pool:
        ready = list(pool.map(set_up, specs))

    queues: list[list[Callable[[], Outcome]]] = []
    posts: list[tuple[mf.CommunitySpec, Community]] = []
    for spec, (community, made, present) in zip(specs, ready, strict=True):
        created += made
        animator = next((prepared.person(r) for r in spec.animators if prepared.person(r)), None)

        def onboard(
            row: PersonRow,
            spec: mf.CommunitySpec = spec,
            community: Community = community,
            animator: Person | None = animator,
            present: set[str] = present,
        ) -> Outcome:
            person = prepared.person(row)
            assert person is not None
            out = Outcome(community=spec.name, person=person.id, ref=row.ref, action="unchanged")
            try:
                action = "onboard.join" if spec.join else "onboard.invite"
                with journaled(store, action, f"{_ref(network, spec)}:{person.id}") as rec:
                    if spec.join:
                        changed = network.force_join(community, person.id)
                    else:
                        changed = person.id not in present and network.invite(community, person.id, checked=True)
                    if changed:
                        out.action = "joined" if spec.join else "invited"
                    else:
                        rec["outcome"] = "unchanged"
                if spec.welcome_dm and welcomed(store, f"{spec.alias}:{person.id}"):
                    out.welcome = "unchanged"
                elif spec.welcome_dm:
                    text = _welcome_text(network, templates, spec, row, person, community, animator, by_email)
                    if spec.welcome_in == "community":  # no private messages: a post that mentions the newcomer
                        sent = send_once(
                            network,
                            store,
                            action="onboard.welcome",
                            target=f"{spec.alias}:{person.id}",
                            room_id=_talk_room(network, spec, community),
                            message=build_message(text, [person.id]),
                        )
                    else:
                        sent = send_once(
                            network,
                            store,
                            action="onboard.welcome",
                            target=f"{spec.alias}:{person.id}",
                            room_id=None,
                            message=build_message(text),
                            room_for=lambda: network.direct_room(person.id),
                        )
                    out.welcome = "sent" if sent.sent else "unchanged"
                record_person(
                    store, key, spec.alias, person.id, row.ref, out.action if out.action != "unchanged" else "done", None
                )
            except RseError as exc:
                out.action, out.error = "failed", exc.message
                record_person(store, key, spec.alias, person.id, row.ref, "failed", exc.message)
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
    pacer = Pacer(network, network.concurrency)

    def paced(task: Callable[[], Outcome]) -> Outcome:
        with pacer:
            return task()

    with side_by_side(network, len(tasks)) as pool:
        outcomes += list(pool.map(paced, tasks))
    for spec, community in posts:
        # in the first room; else in the community itself (its feed; on Matrix the Space, where only animators post)
        assert spec.welcome_post is not None
        send_once(
            network,
            store,
            action="onboard.post",
            target=spec.alias,
            room_id=_talk_room(network, spec, community),
            message=build_message(spec.welcome_post),
        )

    kinds = Counter(c.split(" ", 1)[0] for c in created)  # "room Ventes/Général" -> room
    summary: dict[str, int] = {
        "communities_created": kinds["community"],
        "rooms_created": kinds["room"],
        "topics_set": kinds["topic"],
        "avatars_set": kinds["avatar"],
    }
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
    return ApplyResult(
        manifest=str(path), created=created, outcomes=outcomes, skipped=_problems(skipped), summary=summary, failed_csv=written
    )
