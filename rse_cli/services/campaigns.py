"""Newcomer campaigns: welcome on day 0, nudges at set delays to people who have not posted yet.

Each (campaign, person, step) is one claim in the store (`store.claim`): concurrent `campaign
run`s never both take it, and a finished step is never redone. Messages go through
`send_once`, so a run killed between the send and `finish` does not send twice either.
A step due more than `campaign_grace_hours` ago is skipped with the reason recorded.
Whether someone has posted comes from synced events (`rse sync`; `campaign run` syncs the
campaign's communities first).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, partial
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from rse_cli.domain import Community, Event, Person, Role
from rse_cli.errors import ConflictError, InputError, NotFoundError, RseError, UsageError
from rse_cli.i18n import _
from rse_cli.network.base import Network, Structure
from rse_cli.services.concurrency import side_by_side
from rse_cli.services.messages import MESSAGE_KINDS
from rse_cli.services.onboarding import Pacer, welcome_context
from rse_cli.services.people_csv import PeopleFile, PersonRow, Problem, read_people
from rse_cli.services.posting import build_message
from rse_cli.services.resolve import did_you_mean, refuse, resolve_people
from rse_cli.services.schedule import parse_duration
from rse_cli.services.sync import sync as sync_communities
from rse_cli.services.writes import journaled, send_once
from rse_cli.store import Store
from rse_cli.store import campaigns as saved
from rse_cli.store import events as ev
from rse_cli.templating import Templates

__all__ = [
    "Campaign",
    "CampaignStatus",
    "Funnel",
    "PersonProgress",
    "Step",
    "StepResult",
    "create",
    "day0",
    "get",
    "list_",
    "parse_nudge",
    "run",
    "start_date",
    "status",
]

WELCOME_IN = ("dm", "community")
ACTIVE_MESSAGES = 3  # "active": at least this many messages in the campaign's communities


class Step(BaseModel):
    name: str  # welcome | nudge-3d | thanks
    template: str
    delay_hours: float = 0
    kind: str = "nudge"  # welcome | nudge | thanks
    where: str = "dm"  # dm: a private message; community: a post in the campaign's first community mentioning the person


class Campaign(BaseModel):
    name: str
    communities: list[dict[str, str]]  # id, name, alias
    steps: list[Step]
    lang: str
    people: int = 0
    created_at: datetime


class StepResult(BaseModel):
    campaign: str
    person: str
    step: str
    outcome: str  # sent | skipped | failed
    detail: str | None = None


class Funnel(BaseModel):
    campaign: str
    enrolled: int
    invited: int
    joined: int
    first_post: int
    active: int


class PersonProgress(BaseModel):
    person: str
    first_name: str
    day0: datetime  # the welcome's time: enrolment, or the person's start date when it is later
    invited: bool
    joined: bool
    first_post_at: datetime | None
    messages: int
    steps: dict[str, str]


class CampaignStatus(BaseModel):
    funnel: Funnel
    people: list[PersonProgress]


def parse_nudge(raw: str) -> Step:
    delay, sep, template = raw.partition(":")
    if not sep or not template.strip():
        raise UsageError(_("bad --nudge '{value}': expected DELAY:TEMPLATE such as 3d:nudge-first-post").format(value=raw))
    try:
        after = parse_duration(delay)
    except UsageError as exc:
        raise UsageError(
            _("bad --nudge '{value}': expected DELAY:TEMPLATE such as 3d:nudge-first-post; {why}").format(
                value=raw, why=exc.message
            )
        ) from None
    return Step(name=f"nudge-{delay.strip()}", template=template.strip(), delay_hours=after / timedelta(hours=1), kind="nudge")


def _template_jobs(
    network: Network,
    steps: list[Step],
    lang: str | None,
    communities: list[Community],
    sample: tuple[PersonRow, Person] | None,
    animator: Person | None = None,
) -> list[tuple[str, dict[str, Any], str | None]]:
    """(template, representative context, lang) for each step: a real enrolled person when there
    is one, an animator and a first post, so that every branch a message can take is rendered."""
    row, person = sample or (
        PersonRow(
            ref="camille.martin@example.org",
            file="",
            line=0,
            fields={"first_name": "Camille", "last_name": "Martin", "manager": "Alex Durand"},
        ),
        Person(id="camille.martin@example.org", display_name="Camille Martin"),
    )
    ctx = welcome_context(
        network, row, person, communities, animator or Person(id="dominique.animator@example.org", display_name="Dominique"), {}
    )
    ctx["first_post_link"] = network.link(communities[0].id, "$event") if communities else "https://example.org/post"
    return [(step.template, ctx, lang) for step in steps]


def _key(store: Store, campaign: str, person: str, step: str) -> str:
    return f"campaign:{store.profile}:{campaign}:{person}:{step}"


def create(
    network: Network,
    store: Store,
    name: str,
    people_csv: Path,
    communities: list[str],
    *,
    templates: Templates,
    welcome: str | None = "welcome",
    nudges: list[str] | None = None,
    thanks: str | None = None,
    lang: str,  # the content language: the caller says which (the profile's, or the run's)
    now: datetime,
    skip_invalid: bool = False,
    where: list[str] | None = None,
    started_since: str | None = None,
    welcome_in: str = "dm",
    columns: dict[str, str] | None = None,
) -> tuple[Campaign, list[Problem]]:
    """Enrol the people of the CSV; nothing is sent until `campaign run`. `welcome_in`: the
    campaign's messages go as private messages ("dm") or as posts in its first community that
    mention each person ("community"), for a network without private messages. `columns` maps
    rse's fields to the export's column names, as a manifest's [people.columns] does."""
    if saved.exists(store, name):
        raise ConflictError(
            _("a campaign named '{name}' already exists").format(name=name),
            hint=_("pick another name, or see `rse campaign status`"),
        )
    if not communities:
        raise UsageError(_("give at least one --community"))
    if welcome_in not in WELCOME_IN:
        raise UsageError(_("bad --welcome-in '{value}': expected dm or community").format(value=welcome_in))
    if welcome_in == "dm" and not network.capabilities.direct_messages:
        # said at create, not discovered on the first run: the campaign would send nothing
        raise UsageError(
            _("{network} has no private messages: this campaign cannot welcome people privately").format(network=network.name),
            hint=_("welcome them with a post that mentions them: --welcome-in community"),
        )
    steps = [Step(name="welcome", template=welcome, kind="welcome", where=welcome_in)] if welcome else []
    steps += [
        parse_nudge(n).model_copy(update={"where": welcome_in})
        for n in (nudges if nudges is not None else ["3d:nudge-first-post", "7d:nudge-second"])
    ]
    if thanks:
        steps.append(Step(name="thanks", template=thanks, kind="thanks", where=welcome_in))
    for step in steps:
        templates.check(step.template, lang)
    found = [network.get_community(c) for c in communities]
    sheet = read_people(people_csv, columns, addressing=network.addressing)
    problems = list(sheet.problems)
    sheet.rows = _select(sheet, where or [], started_since)

    found_people = resolve_people(network, (row.ref for row in sheet.rows))
    resolved = [(row, p if isinstance(p, Person) else None) for row in sheet.rows for p in [found_people[row.ref]]]
    known = [r.ref for r, p in resolved if p is not None]
    problems += [
        Problem(
            row.file,
            row.line,
            _("person not found on the network: {why}").format(why=found_people[row.ref]) + did_you_mean(row.ref, known),
        )
        for row, p in resolved
        if p is None
    ]
    undated = set()
    for row in sheet.rows:
        try:
            start_date(row.fields)
        except ValueError as exc:
            problems.append(Problem(row.file, row.line, str(exc)))
            undated.add(row.line)
    problems.sort(key=lambda p: (p.file, p.line or 0))
    refuse(problems, skip_invalid=skip_invalid, where=str(people_csv))
    # reliability: every step's template rendered with this campaign's values before anything is kept
    sample = next(((row, p) for row, p in resolved if p is not None), None)
    templates.precheck(_template_jobs(network, steps, lang, found, sample))
    names = {
        r.fields.get("email", "").casefold(): f"{r.fields.get('first_name', '')} {r.fields.get('last_name', '')}".strip()
        for r in sheet.rows
        if r.fields.get("email")
    }
    for row, _person in resolved:
        manager = row.fields.get("manager", "")
        row.fields["manager"] = names.get(manager.casefold()) or manager
    saved.enrol(
        store,
        name,
        communities=[{"id": c.id, "name": c.name, "alias": c.alias or ""} for c in found],
        steps=[s.model_dump() for s in steps],
        lang=lang,
        people_file=str(people_csv),
        at=now,
        people=[
            (p.id, row.ref, {**row.fields, "display_name": p.display_name or ""})
            for row, p in resolved
            if p is not None and row.line not in undated
        ],
    )
    return get(store, name), [p for p in problems if p.skippable]


def start_date(fields: dict[str, str]) -> date | None:
    """The row's start date: 2026-12-01 or 01/12/2026 (French HR exports); None when absent.
    Raises ValueError when the column holds something else."""
    raw = (fields.get("start_date") or "").strip()
    if not raw:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    raise ValueError(_("start_date '{value}' is not a date such as 2026-12-01 or 01/12/2026").format(value=raw))


def day0(enrolled_at: datetime, fields: dict[str, str]) -> datetime:
    """When the welcome is due: at enrolment, or from 00:00 UTC on the person's start date when
    it is later (an export of next month's newcomers is welcomed on each one's first day)."""
    try:
        start = start_date(fields)
    except ValueError:
        start = None
    return max(enrolled_at, datetime.combine(start, time(0, 0), UTC)) if start else enrolled_at


def _select(sheet: PeopleFile, where: list[str], started_since: str | None) -> list[PersonRow]:
    """Rows matching every COLUMN=VALUE[,VALUE] filter and, with started_since, start_date >= it."""
    rows = sheet.rows
    for cond in where:
        col, sep, values = cond.partition("=")
        if not sep or not col.strip():
            raise UsageError(_("bad --where '{value}': expected COLUMN=VALUE, e.g. department=Ventes").format(value=cond))
        if sheet.header and col.strip() not in sheet.header:
            raise InputError(
                _("{file}:1: unknown column '{column}'; columns: {columns}").format(
                    file=sheet.path, column=col.strip(), columns=", ".join(sheet.header)
                )
                + did_you_mean(col.strip(), sheet.header)
            )
        wanted = {v.strip().casefold() for v in values.split(",")}
        rows = [r for r in rows if r.values.get(col.strip(), "").casefold() in wanted]
    if started_since:
        try:
            since = datetime.fromisoformat(started_since).date()
        except ValueError:
            raise UsageError(
                _("bad --started-since '{value}': expected a date such as 2026-12-01").format(value=started_since)
            ) from None
        kept = []
        for r in rows:
            try:
                start = start_date(r.fields)
            except ValueError:
                continue  # a bad start date is reported by create(); not a newcomer we can place in time
            if start is not None and start >= since:
                kept.append(r)
        rows = kept
    return rows


def _campaign(store: Store, row: saved.Stored) -> Campaign:
    return Campaign(
        name=row.name,
        communities=row.communities,
        steps=[Step(**s) for s in row.steps],
        lang=row.lang,
        people=saved.people_count(store, row.name),
        created_at=row.created_at,
    )


def get(store: Store, name: str) -> Campaign:
    row = saved.campaign(store, name)
    if row is None:
        names = [c.name for c in saved.campaigns(store)]
        raise NotFoundError(
            _("no campaign named '{name}'").format(name=name) + did_you_mean(name, names), hint=_("see `rse campaign list`")
        )
    return _campaign(store, row)


def list_(store: Store) -> list[Campaign]:
    return [_campaign(store, r) for r in saved.campaigns(store)]


def _enrolled(store: Store, name: str) -> list[tuple[str, dict[str, str], datetime]]:
    """(person, fields, day 0) of everyone enrolled."""
    return [(pid, fields, day0(enrolled_at, fields)) for pid, fields, enrolled_at in saved.enrolled(store, name)]


def _room_ids(store: Store, campaign: Campaign) -> list[str]:
    return saved.room_ids(store, [c["id"] for c in campaign.communities])


def _posts(store: Store, campaign: Campaign) -> dict[str, list[Event]]:
    by_sender: dict[str, list[Event]] = {}
    for e in ev.iter_events(store, _room_ids(store, campaign), kinds=MESSAGE_KINDS):
        by_sender.setdefault(e.sender, []).append(e)
    return by_sender


def run(
    network: Network,
    store: Store,
    *,
    templates_for: Callable[[str], Templates],
    now: datetime,
    grace_hours: float,
    sync: bool = True,
    only: str | None = None,
) -> list[StepResult]:
    """Do every step that is due, exactly once across concurrent runs."""
    campaigns = [get(store, only)] if only else list_(store)
    if sync and campaigns:
        # each community (itself, its members, its new events) read side by side: a run over many
        # quiet communities waits for the slowest, not for the sum of their round trips
        ids = sorted({c["id"] for camp in campaigns for c in camp.communities})
        with side_by_side(network, len(ids)) as pool:
            list(pool.map(lambda cid: sync_communities(network, store, [cid]), ids))
    results: list[StepResult] = []
    pacer = Pacer(network, network.concurrency)
    for camp in campaigns:
        templates = templates_for(camp.lang)
        posts = _posts(store, camp)
        animator = _animator(store, camp)
        communities = [
            Community(id=c["id"], name=c["name"], alias=c["alias"] or None, link=network.link(c["id"])) for c in camp.communities
        ]
        enrolled = _enrolled(store, camp.name)
        try:  # reliability: a campaign whose templates fail sends nothing and blocks no other campaign
            first = next(
                (
                    (
                        PersonRow(ref=pid, file="", line=0, fields=fields),
                        Person(id=pid, display_name=fields.get("display_name") or None),
                    )
                    for pid, fields, _day in enrolled
                ),
                None,
            )
            templates.precheck(_template_jobs(network, camp.steps, None, communities, first, animator))
        except RseError as exc:
            results.append(StepResult(campaign=camp.name, person="", step="templates", outcome="failed", detail=exc.message))
            continue

        talk = cache(partial(_talk_room, network, camp.communities[0]["id"]))  # read once, only if a step posts there

        def steps_of(
            item: tuple[str, dict[str, str], datetime],
            camp: Campaign = camp,
            templates: Templates = templates,
            posts: dict[str, list[Event]] = posts,
            animator: Person | None = animator,
            communities: list[Community] = communities,
            talk: Callable[[], str] = talk,
        ) -> list[StepResult]:
            pid, fields, since = item
            out: list[StepResult] = []
            with pacer:
                for step in camp.steps:
                    done = _step(
                        network,
                        store,
                        camp,
                        step,
                        pid,
                        fields,
                        since,
                        now=now,
                        grace_hours=grace_hours,
                        posts=posts.get(pid, []),
                        templates=templates,
                        communities=communities,
                        animator=animator,
                        talk_room=talk,
                    )
                    if done is not None:
                        out.append(done)
            return out

        with side_by_side(network, len(enrolled)) as pool:
            for batch in pool.map(steps_of, enrolled):
                results += batch
    return results


def _step(
    network: Network,
    store: Store,
    camp: Campaign,
    step: Step,
    pid: str,
    fields: dict[str, str],
    enrolled: datetime,
    *,
    now: datetime,
    grace_hours: float,
    posts: list[Event],
    templates: Templates,
    communities: list[Community],
    animator: Person | None,
    talk_room: Callable[[], str],
) -> StepResult | None:
    key = _key(store, camp.name, pid, step.name)
    state = store.claim_state(key)
    if state is not None and state["state"] in ("done", "skipped"):
        return None
    if step.kind == "thanks":
        if not posts:
            return None
        due = posts[0].ts
    else:
        due = enrolled + timedelta(hours=step.delay_hours)
    if now < due or not store.claim(key):
        return None  # not due yet, or another run is doing it
    result = StepResult(campaign=camp.name, person=pid, step=step.name, outcome="sent")
    try:
        # the text first: a template that fails for this person leaves nothing half-done
        row = PersonRow(ref=pid, file="", line=0, fields=fields)
        ctx = welcome_context(
            network, row, Person(id=pid, display_name=fields.get("display_name") or None), communities, animator, {}
        )
        if posts:
            ctx["first_post_link"] = network.link(posts[0].room_id, posts[0].id)
        text = templates.render(step.template, ctx)
        if step.kind == "welcome":
            for c in communities:  # invitations are never stale: only the message is
                with journaled(store, "campaign.invite", f"{c.name}:{pid}") as rec:
                    if not network.invite(c, pid):
                        rec["outcome"] = "unchanged"
        late = now - due
        if late > timedelta(hours=grace_hours):
            result.outcome = "skipped"
            result.detail = _("stale: due {due} UTC, run at {now} UTC, beyond the {hours} h grace period").format(
                due=f"{due:%Y-%m-%d %H:%M}", now=f"{now:%Y-%m-%d %H:%M}", hours=f"{grace_hours:g}"
            )
        elif step.kind == "nudge" and posts:
            from rse_cli.i18n import current
            from rse_cli.l10n import L10n

            result.outcome, result.detail = "skipped", _("already posted ({day})").format(day=L10n(current()).date(posts[0].ts))
        if result.outcome == "skipped":
            store.finish(key, "skipped", result.detail)
            return result
        if step.where == "community":  # no private messages: a post in the community that mentions the person
            sent = send_once(
                network,
                store,
                action=f"campaign.{step.kind}",
                target=f"{camp.name}:{pid}:{step.name}",
                room_id=talk_room(),
                message=build_message(text, [pid]),
            )
        else:
            sent = send_once(
                network,
                store,
                action=f"campaign.{step.kind}",
                target=f"{camp.name}:{pid}:{step.name}",
                room_id=None,
                message=build_message(text),
                room_for=lambda: network.direct_room(pid),
            )
        result.detail = sent.event_id
        store.finish(key, "done", sent.event_id)
    except RseError as exc:
        store.finish(key, "failed", exc.message)
        result.outcome, result.detail = "failed", exc.message
    return result


def _talk_room(network: Network, community_id: str) -> str:
    """Where a campaign posts in its community: the feed, or the community's first room."""
    community = network.get_community(community_id)
    if network.capabilities.structure is Structure.feed or not community.rooms:
        return community.id
    return community.rooms[0].id


def status(store: Store, name: str) -> CampaignStatus:
    """The funnel from synced state: enrolled -> invited -> joined -> first post -> active."""
    camp = get(store, name)
    posts = _posts(store, camp)
    memberships: dict[str, set[str]] = {}
    for c in camp.communities:
        for m in ev.members(store, c["id"]):
            memberships.setdefault(m.id, set()).add(m.membership)
    people = []
    for pid, fields, first_day in _enrolled(store, name):
        steps = {}
        for step in camp.steps:
            st = store.claim_state(_key(store, name, pid, step.name))
            steps[step.name] = st["state"] if st else "pending"
        mine = posts.get(pid, [])
        ms = memberships.get(pid, set())
        people.append(
            PersonProgress(
                person=pid,
                first_name=fields.get("first_name") or "",
                day0=first_day,
                invited=bool(ms & {"invite", "join"}) or steps.get("welcome") in ("done", "skipped"),
                joined="join" in ms,
                first_post_at=mine[0].ts if mine else None,
                messages=len(mine),
                steps=steps,
            )
        )
    funnel = Funnel(
        campaign=name,
        enrolled=len(people),
        invited=sum(p.invited for p in people),
        joined=sum(p.joined for p in people),
        first_post=sum(p.first_post_at is not None for p in people),
        active=sum(p.messages >= ACTIVE_MESSAGES for p in people),
    )
    return CampaignStatus(funnel=funnel, people=people)


def _animator(store: Store, campaign: Campaign) -> Person | None:
    for c in campaign.communities:
        for m in ev.members(store, c["id"]):
            if m.role is Role.animator:
                return Person(id=m.id, display_name=m.display_name)
    return None
