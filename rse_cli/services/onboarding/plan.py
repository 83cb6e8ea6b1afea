"""`onboard plan`: read the network, list what apply would change, write nothing."""

from __future__ import annotations

from pathlib import Path

from rse_cli.domain import Member, Role
from rse_cli.i18n import _
from rse_cli.network.base import Network
from rse_cli.services.onboarding.common import (
    Change,
    Plan,
    Prepared,
    _placeholder,
    _problems,
    _ref,
    _rows_by_email,
    _staff,
    _welcome_jobs,
    _welcome_text,
    prepare,
)
from rse_cli.services.onboarding.pacing import _dm_rooms, estimate
from rse_cli.services.posting import build_message
from rse_cli.services.writes import txn_key
from rse_cli.store import Store
from rse_cli.store.onboarding import welcomed
from rse_cli.templating import Templates


def plan(network: Network, store: Store, path: Path, *, templates: Templates, prepared: Prepared | None = None) -> Plan:
    """Read the network and list what `apply` would do. Writes nothing."""
    prepared = prepared or prepare(network, path)
    changes: list[Change] = []
    by_email = _rows_by_email(prepared)
    templates.precheck(_welcome_jobs(network, prepared, by_email))  # all template problems at once, before any write
    dms = 0
    for spec in prepared.manifest.communities:
        seen = prepared.seen(spec)  # read once, side by side with the people, by prepare()
        community = seen.community
        members: dict[str, Member] = seen.members
        if community is None:
            changes.append(Change(op="+", kind="community", community=spec.name, target=_ref(network, spec), detail=spec.topic))
            if spec.avatar:
                changes.append(Change(op="+", kind="avatar", community=spec.name, target=spec.avatar.source))
            changes += [Change(op="+", kind="room", community=spec.name, target=r) for r in spec.rooms]
        else:
            if spec.topic:
                same = (community.topic or "") == spec.topic
                changes.append(
                    Change(
                        op="=" if same else "~",
                        kind="topic",
                        community=spec.name,
                        target=spec.topic,
                        detail=None if same else _("was: {topic}").format(topic=community.topic or _("none")),
                    )
                )
            if spec.avatar:
                same = network.has_picture(community, spec.avatar)
                changes.append(Change(op="=" if same else "~", kind="avatar", community=spec.name, target=spec.avatar.source))
            have = {r.name.casefold() for r in community.rooms}
            for r in spec.rooms:
                exists = r.casefold() in have
                changes.append(Change(op="=" if exists else "+", kind="room", community=spec.name, target=r))
        target = community or _placeholder(network, spec)
        animator = next((prepared.person(r) for r in spec.animators if prepared.person(r)), None)
        for role, person in _staff(prepared, spec):
            current = members.get(person.id)
            same = current is not None and current.role in (role, Role.owner)
            changes.append(Change(op="=" if same else "~", kind="role", community=spec.name, target=person.id, detail=role.value))
        for row in spec.members:
            found = prepared.person(row)
            if found is None:
                continue
            person = found
            current = members.get(person.id)
            done = current is not None and (current.membership == "join" or (current.membership == "invite" and not spec.join))
            changes.append(
                Change(op="=" if done else "+", kind="join" if spec.join else "invite", community=spec.name, target=person.id)
            )
            if not spec.welcome_dm:
                continue
            text = _welcome_text(network, templates, spec, row, person, target, animator, by_email)
            target_key = f"{spec.alias}:{person.id}"
            sent = community is not None and (
                welcomed(store, target_key)
                or store.sent(txn_key(store, "onboard.welcome", target_key, build_message(text).text)) is not None
            )
            kind = "welcome-mention" if spec.welcome_in == "community" else "welcome-dm"
            changes.append(Change(op="=" if sent else "+", kind=kind, community=spec.name, target=person.id))
            dms += 0 if sent or spec.welcome_in == "community" else 1
        if spec.welcome_post:
            sent = store.sent(txn_key(store, "onboard.post", spec.alias, build_message(spec.welcome_post).text)) is not None
            changes.append(
                Change(
                    op="=" if sent else "+",
                    kind="welcome-post",
                    community=spec.name,
                    target=spec.rooms[0] if spec.rooms else spec.name,
                )
            )
    counts: dict[str, int] = {}
    for ch in changes:
        key = "unchanged" if ch.op == "=" else ch.kind
        counts[key] = counts.get(key, 0) + 1
    # the estimate from the plan line's own counts ("14 invitations to send", "2 rooms to create"),
    # so that the rate-limit note can say where its figures come from
    conversations = _dm_rooms(network, dms)
    welcomes = counts.get("welcome-dm", 0)  # a welcome by mention is a community post, as the plan line says
    est = estimate(
        network,
        invitations=counts.get("invite", 0),
        messages=welcomes + counts.get("welcome-mention", 0) + counts.get("welcome-post", 0),
        room_creations=conversations + counts.get("community", 0) + counts.get("room", 0),
        communities=counts.get("community", 0),
        rooms=counts.get("room", 0),
        conversations=conversations,
        welcomes=welcomes,
        other_writes=counts.get("role", 0) + counts.get("topic", 0) + counts.get("avatar", 0),
    )
    return Plan(manifest=str(path), changes=changes, problems=_problems(prepared.problems), counts=counts, estimate=est)
