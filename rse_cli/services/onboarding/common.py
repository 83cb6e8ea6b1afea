"""What plan, apply and status share: their result models, the manifest with its people resolved,
and how the network finds a manifest's community."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from rse_cli.domain import Community, Member, Person, Role
from rse_cli.errors import NotFoundError
from rse_cli.i18n import _
from rse_cli.network.base import Network, RateModel
from rse_cli.services import manifest as mf
from rse_cli.services.concurrency import side_by_side
from rse_cli.services.people_csv import PersonRow, Problem
from rse_cli.services.resolve import did_you_mean, resolve_people
from rse_cli.services.resolve import refuse as refuse_problems
from rse_cli.templating import Templates


class Change(BaseModel):
    op: str  # + create/add, ~ change, = unchanged
    kind: str  # community | topic | avatar | room | role | invite | join | welcome-dm | welcome-mention | welcome-post
    community: str
    target: str
    detail: str | None = None


class ProblemOut(BaseModel):
    file: str
    line: int | None
    message: str
    skippable: bool = True  # a bad row `--skip-invalid` can drop (not a bad header, file or manifest key)


class Estimate(BaseModel):
    """The plan's paced writes, counted as the plan line counts them, and their least duration."""

    invitations: int  # the plan's invitations
    messages: int  # welcome messages and community posts (welcomes by mention, welcome posts)
    room_creations: int  # communities + rooms + conversations
    communities: int = 0
    rooms: int = 0  # rooms created in communities
    conversations: int = 0  # rooms opened by a first direct message (the network's `dm_creates_room`)
    welcomes: int = 0  # of the messages, the welcome messages (direct)
    other_writes: int = 0  # roles, descriptions, pictures: paced like messages
    seconds_at_default_limits: float  # at the limits the connector declares (Synapse's defaults on Matrix)
    limits: str = ""  # those limits in words (English: --json)
    fast_path: str | None = None  # how to lift or avoid them (English: --json)
    exempt: bool | None = None  # the account's rate limits are lifted (None: cannot tell)
    rates: RateModel | None = Field(None, exclude=True)  # to say the limits in the run's language


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
    invited: int  # invited, not joined (the same as `invited_not_joined`; kept for scripts)
    joined: int
    pending: int  # not yet invited (the same as `not_yet_invited`; kept for scripts)
    failed: int
    invited_not_joined: int = 0  # the audit's word: `pending_invites` there
    not_yet_invited: int = 0


SURVEY_FRESH_SECONDS = 30.0  # older than this (a confirmation prompt in between), apply reads the communities again


class Seen(BaseModel):
    """One community of the manifest as the network showed it: itself (None: not created yet) and
    its members by id."""

    community: Community | None
    members: dict[str, Member] = {}


class Prepared:
    """The manifest with every person resolved and every community read once (side by side, in
    one pool: the set-up phase is as long as its slowest request, not the sum), and the problems
    found on the way."""

    def __init__(
        self, manifest: mf.Manifest, people: dict[str, Person], problems: list[Problem], survey: dict[str, Seen] | None = None
    ) -> None:
        self.manifest = manifest
        self.people = people  # ref (casefold) -> Person
        self.problems = problems
        self.survey = survey or {}  # alias -> what the network showed
        self.surveyed_at = time.monotonic()

    def person(self, row: PersonRow) -> Person | None:
        return self.people.get(row.ref.casefold())

    def seen(self, spec: mf.CommunitySpec) -> Seen:
        return self.survey[spec.alias]

    def fresh(self) -> bool:
        return time.monotonic() - self.surveyed_at < SURVEY_FRESH_SECONDS


def _read(network: Network, spec: mf.CommunitySpec) -> Seen:
    community = _lookup(network, spec)
    return Seen(community=community, members={m.id: m for m in network.list_members(community)} if community else {})


def survey(network: Network, specs: list[mf.CommunitySpec]) -> dict[str, Seen]:
    """Each community of the manifest and its members, read side by side."""
    with side_by_side(network, len(specs)) as pool:
        futures = {spec.alias: pool.submit(_read, network, spec) for spec in specs}
        return {alias: f.result() for alias, f in futures.items()}


def prepare(network: Network, path: Path) -> Prepared:
    """Read the manifest (no request), then resolve its people and read its communities, all in
    one pool of `network.concurrency` requests in flight. Reads only: nothing is written before
    every problem is known."""
    # ids checked by the network's syntax and keys by its capabilities, before any request
    manifest = mf.load(path, addressing=network.addressing, capabilities=network.capabilities)
    problems = list(manifest.problems)
    rows: dict[str, PersonRow] = {}
    for spec in manifest.communities:
        for row in [*spec.animators, *spec.moderators, *spec.members]:
            rows.setdefault(row.ref.casefold(), row)
    with side_by_side(network, len(rows) + len(manifest.communities)) as pool:
        reads = {spec.alias: pool.submit(_read, network, spec) for spec in manifest.communities}
        found = resolve_people(network, (row.ref for row in rows.values()), pool=pool)
        seen = {alias: f.result() for alias, f in reads.items()}
    people: dict[str, Person] = {}
    # a typo in a name: the close matches among the people the manifest and its file do name
    known = [r.ref for r in rows.values() if isinstance(found[r.ref], Person)]
    known += [r.fields.get("email", "") for r in (manifest.people.rows if manifest.people else [])]
    for key, row in rows.items():
        person = found[row.ref]
        if isinstance(person, Person):
            people[key] = person
            continue
        near = did_you_mean(row.ref, [k for k in known if k.casefold() != key])
        for spec in manifest.communities:
            for kind, group in (("animator", spec.animators), ("moderator", spec.moderators), ("person", spec.members)):
                for other in group:
                    if other.ref.casefold() == key:
                        what = {"animator": _("unknown animator: {why}"), "moderator": _("unknown moderator: {why}")}.get(
                            kind, _("person not found on the network: {why}")
                        )
                        problems.append(Problem(other.file, other.line, what.format(why=person) + near))
    problems.sort(key=lambda p: (p.file, p.line or 0))
    return Prepared(manifest, people, problems, seen)


def _problems(items: list[Problem]) -> list[ProblemOut]:
    return [ProblemOut(file=p.file, line=p.line, message=p.message, skippable=p.skippable) for p in items]


def refuse(prepared: Prepared, skip_invalid: bool) -> None:
    """Raise with every problem at once, unless they are all droppable rows and the user said so."""
    refuse_problems(prepared.problems, skip_invalid=skip_invalid, where=_("the manifest or its people file"))


def _context(
    network: Network,
    row: PersonRow,
    person: Person,
    communities: list[Community],
    animator: Person | None,
    rows_by_email: dict[str, PersonRow],
) -> dict[str, Any]:
    """What a welcome/nudge template may use: names, manager, communities, animator, links."""
    first = row.fields.get("first_name") or (person.display_name or network.addressing.short_name(person.id)).split(" ")[0]
    manager_ref = row.fields.get("manager") or ""
    manager_row = rows_by_email.get(manager_ref.casefold())
    manager = (
        f"{manager_row.fields.get('first_name', '')} {manager_row.fields.get('last_name', '')}".strip()
        if manager_row
        else manager_ref
    )
    return {
        "first_name": first,
        "last_name": row.fields.get("last_name") or "",
        "display_name": person.display_name or first,
        "person_id": person.id,
        "manager": manager,
        "department": row.fields.get("department") or "",
        "site": row.fields.get("site") or "",
        "communities": [{"name": c.name, "alias": c.alias, "link": c.link or network.link(c.id)} for c in communities],
        "animator": (
            {"name": animator.display_name or animator.id, "id": animator.id, "link": network.link(animator.id)}
            if animator
            else None
        ),
        "first_post_link": None,
    }


def _rows_by_email(prepared: Prepared) -> dict[str, PersonRow]:
    people = prepared.manifest.people
    return {r.fields.get("email", "").casefold(): r for r in people.rows if r.fields.get("email")} if people else {}


def _welcome_text(
    network: Network,
    templates: Templates,
    spec: mf.CommunitySpec,
    row: PersonRow,
    person: Person,
    community: Community,
    animator: Person | None,
    by_email: dict[str, PersonRow],
) -> str:
    ctx = _context(network, row, person, [community], animator, by_email)
    return templates.render(spec.welcome_dm or "welcome", ctx, lang=spec.lang)


def _welcome_jobs(
    network: Network, prepared: Prepared, by_email: dict[str, PersonRow]
) -> Iterator[tuple[str, dict[str, Any], str | None]]:
    """(template, context, lang) of every welcome message the manifest will send, rendered before
    the first write (a bad template creates nothing on the server)."""
    for spec in prepared.manifest.communities:
        if not spec.welcome_dm:
            continue
        animator = next((prepared.person(r) for r in spec.animators if prepared.person(r)), None)
        for row in spec.members:
            person = prepared.person(row)
            if person is not None:
                yield (
                    spec.welcome_dm,
                    _context(network, row, person, [_placeholder(network, spec)], animator, by_email),
                    spec.lang,
                )


def _ref(network: Network, spec: mf.CommunitySpec) -> str:
    """How the network finds the community rse creates under the manifest's alias."""
    return network.addressing.alias_ref(spec.alias)


def _placeholder(network: Network, spec: mf.CommunitySpec) -> Community:
    ref = _ref(network, spec)
    return Community(id=ref, name=spec.name, alias=ref, topic=spec.topic)


def _lookup(network: Network, spec: mf.CommunitySpec) -> Community | None:
    try:
        return network.get_community(_ref(network, spec))
    except NotFoundError:
        return None


def _staff(prepared: Prepared, spec: mf.CommunitySpec) -> Iterator[tuple[Role, Person]]:
    """(role, person) for the community's animators then moderators found on the network."""
    for role, group in ((Role.animator, spec.animators), (Role.moderator, spec.moderators)):
        for row in group:
            person = prepared.person(row)
            if person is not None:
                yield role, person
