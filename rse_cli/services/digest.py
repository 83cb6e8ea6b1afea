"""Digests: per community and period, the best posts, newcomers to welcome, questions still
waiting and upcoming animations, posted in the community's main room or e-mailed.

A digest covers the period up to now (7 days for `week`) and is sent at most once per
calendar period (ISO week, day, month), community and recipient: the record in the store is
checked under an exactly-once claim, and room posts also go through `send_once`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel

from rse_cli.errors import InputError, UsageError
from rse_cli.i18n import _
from rse_cli.l10n import L10n
from rse_cli.names import excerpt, slug
from rse_cli.services.health import activity, notes
from rse_cli.services.health.scope import synced
from rse_cli.store import Store
from rse_cli.store import digest as records
from rse_cli.store import events as ev

if TYPE_CHECKING:
    from rse_cli.config import Settings
    from rse_cli.network.base import Addressing, Capabilities, Network

_ms = activity.ms

Period = Literal["day", "week", "month"]
MAIN_ROOM_NAMES = ("general", "generale", "main", "accueil", "welcome", "annonces", "announcements")


class Animation(BaseModel):
    """An upcoming animation (built by the animations feature; digests only list them)."""

    title: str
    at: datetime
    where: str | None = None
    link: str | None = None


class Digest(BaseModel):
    community: str
    community_id: str
    period: str
    since: date  # the span covered, as readers see it (`period` identifies the calendar period)
    until: date
    recipient: str
    notes: list[str] = []  # codes of what the network's data cannot tell exactly (health/notes.py)
    status: Literal["sent", "already sent", "dry run"]
    event_id: str | None = None
    text: str


def period_of(period: str, now: datetime) -> tuple[str, datetime]:
    """(label identifying the calendar period, start of the span the digest covers)."""
    if period == "day":
        return now.date().isoformat(), now - timedelta(days=1)
    if period == "week":
        year, week, _ = now.isocalendar()
        return f"{year}-W{week:02d}", now - timedelta(days=7)
    if period == "month":
        return f"{now.year}-{now.month:02d}", now - timedelta(days=30)
    raise UsageError(_("--period {period}: expected day, week or month").format(period=period))


def main_room(community: ev.SyncedCommunity) -> str:
    """The room digests go to: one named like 'Général' / 'General', else the first room."""
    rooms = [r for r in community.room_ids if r != community.id]
    by_slug = {slug(community.room_names[rid]): rid for rid in rooms}
    for name in MAIN_ROOM_NAMES:  # in order of preference
        if name in by_slug:
            return by_slug[name]
    if not rooms:  # a community that is one conversation feed (capabilities.structure feed): post in it
        return community.id
    return rooms[0]


def build(
    store: Store,
    community: ev.SyncedCommunity,
    settings: Settings,
    *,
    now: datetime,
    period: Period,
    addressing: Addressing,
    capabilities: Capabilities | None = None,
    animations: list[Animation] | None = None,
) -> tuple[str, dict[str, Any]]:
    """(period label, template context) from the synced store.

    Members' posts only (rse's own never), introductions greeted as newcomers rather than
    listed as conversations, questions as the audit reads them (health.activity). `notes`
    holds the codes of what this network's data cannot tell exactly (health/notes.py), which
    the template words in one discreet sentence."""
    label, start = period_of(period, now)
    members = ev.members(store, community.id)
    names = {m.id: m.display_name or addressing.short_name(m.id) for m in members}
    joins = activity.join_times(store, community, dated=notes.dated_joins(capabilities))
    intros = activity.introductions(store, community, joins)
    posts = activity.roots(store, community, settings, _ms(start), _ms(now), intros)
    me = {settings.user} if settings.user else set()
    best = sorted(
        (p for p in posts if p["replies"] + p["reactions"] > 0 and not p["introduction"] and p["sender"] not in me),
        key=lambda p: (-(p["replies"] + p["reactions"]), p["ts"]),
    )[:5]
    lookback = now - timedelta(days=settings.audit.window_days)
    waiting = [
        p
        for p in activity.roots(store, community, settings, _ms(lookback), _ms(now), intros)
        if p["question"] and p["first_reply"] is None and p["sender"] not in me
    ]
    arrived = activity.newcomers(store, community, _ms(start), _ms(now), exclude=me, joins=joins)
    greeted = {u for u, _ in arrived}
    # someone who joined just before the period and introduced themselves in it is welcomed too
    arrived += [(p["sender"], p["ts"]) for p in posts if p["introduction"] and p["sender"] not in greeted | me]

    def post_view(p: dict[str, Any]) -> dict[str, Any]:
        return {
            "author": names.get(p["sender"], addressing.short_name(p["sender"])),
            "excerpt": excerpt(p["body"], 140),
            "replies": p["replies"],
            "reactions": p["reactions"],
            "link": addressing.link(p["room_id"], p["id"]),
            "room": community.room_names.get(p["room_id"], ""),
            "at": datetime.fromtimestamp(p["ts"] / 1000, tz=UTC),
            "waiting_days": int((_ms(now) - p["ts"]) // 86_400_000),
        }

    return label, {
        "community": community.name,
        "period": label,
        "start": start.date(),
        "end": now.date(),
        "best_posts": [post_view(p) for p in best],
        "newcomers": [
            {"name": names.get(u, addressing.short_name(u)), "id": u, "link": addressing.link(u, None)} for u, _ in arrived
        ],
        "questions": [post_view(p) for p in sorted(waiting, key=lambda p: p["ts"])[:10]],
        "animations": [a.model_dump() for a in (animations or [])],
        "notes": notes.codes(capabilities),
        "t": L10n(settings.lang),
    }


def _representative(context: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The context with one sample item in each empty list, so a quiet period still checks the loops."""
    post = {
        "author": "Camille Martin",
        "excerpt": "Un message",
        "replies": 2,
        "reactions": 3,
        "link": "https://example.org/post",
        "room": "Général",
        "at": now,
        "waiting_days": 3,
    }
    samples = {
        "best_posts": [post],
        "questions": [post],
        "newcomers": [{"name": "Camille Martin", "id": "camille", "link": "https://example.org/camille"}],
        "animations": [
            Animation(title="Question de la semaine", at=now, where="Général", link="https://example.org/animation").model_dump()
        ],
    }
    return {**context, **{k: v for k, v in samples.items() if not context.get(k)}}


Upcoming = Callable[[ev.SyncedCommunity, datetime, datetime], list[Animation]]


def send(
    store: Store,
    settings: Settings,
    *,
    network_factory: Callable[[], Network] | None,
    now: datetime,
    addressing: Addressing,
    capabilities: Capabilities | None = None,
    communities: list[str] | None = None,
    period: Period = "week",
    to: str = "room",
    dry_run: bool = False,
    upcoming: Upcoming | None = None,
) -> list[Digest]:
    """Build and send the digests of the synced communities (all, or those named).

    `upcoming(community, start, end)` lists the animations planned in the next period (the
    animations feature provides it); without it, digests list none."""
    from rse_cli.templating import Templates

    if to != "room" and not to.startswith("email:"):
        raise UsageError(_("--to {to}: expected `room` or `email:someone@example.org`").format(to=to))
    recipient = "room" if to == "room" else to.removeprefix("email:").strip()
    if recipient != "room" and "@" not in recipient:
        raise UsageError(_("--to {to}: not an e-mail address").format(to=to))
    if recipient != "room" and not dry_run and not settings.smtp_host:
        raise UsageError(_("no SMTP server configured"), hint=_("rse config set smtp_host smtp.example.org (and smtp_from)"))
    targets = synced(store, communities, addressing=addressing)
    templates = Templates(settings.templates_dir, settings.lang)
    # reliability: every digest rendered (and the template with an item in every list) before the first send
    rendered = []
    for community in targets:
        label, start = period_of(period, now)
        planned = upcoming(community, now, now + (now - start)) if upcoming else []
        label, context = build(
            store,
            community,
            settings,
            now=now,
            period=period,
            addressing=addressing,
            capabilities=capabilities,
            animations=planned,
        )
        rendered.append((community, label, context))
    templates.precheck(
        [("digest", _representative(context, now), None) for _, _, context in rendered[:1]]
        + [("digest", context, None) for _, _, context in rendered]
    )
    out = []
    for community, label, context in rendered:
        text = templates.render("digest", context)
        base = {
            "community": community.name,
            "community_id": community.id,
            "period": label,
            "since": context["start"],
            "until": context["end"],
            "recipient": recipient,
            "notes": context["notes"],
            "text": text,
        }
        if dry_run:
            out.append(Digest(**base, status="dry run"))
            continue
        done = records.recorded(store, community.id, label, recipient)
        key = f"digest:{store.profile}:{community.id}:{label}:{recipient}"
        if done is not None or not store.claim(key):
            out.append(Digest(**base, status="already sent", event_id=done["event_id"] if done else None))
            continue
        try:
            if recipient == "room":
                if network_factory is None:
                    raise UsageError(_("no network to post the digest to"))
                event_id = _to_room(network_factory(), store, community, label, text)
            else:
                event_id = None
                t = context["t"]  # the subject a reader sees: dates, not "2026-W48"
                subject = f"{community.name} — {t.day(context['start'])} → {t.date(context['end'])}"
                send_email(settings, recipient, subject, text, store=store, target=f"{community.name}/{label}")
            records.record(store, community.id, label, recipient, event_id)
        except BaseException:
            store.finish(key, "failed")
            raise
        store.finish(key, "done")
        out.append(Digest(**base, status="sent", event_id=event_id))
    return out


def _to_room(network: Network, store: Store, community: ev.SyncedCommunity, label: str, text: str) -> str | None:
    from rse_cli.services.posting import build_message
    from rse_cli.services.writes import send_once

    room_id = main_room(community)
    sent = send_once(
        network, store, action="digest", target=f"{community.name}/{label}", room_id=room_id, message=build_message(text)
    )
    return sent.event_id


def send_email(settings: Settings, to: str, subject: str, text: str, *, store: Store, target: str) -> None:
    """One e-mail (plain text + HTML) through the configured SMTP server; journaled, never logs the password."""
    import smtplib
    import ssl
    from email.message import EmailMessage
    from email.utils import formatdate, make_msgid

    from rse_cli.errors import AuthError, NetworkError
    from rse_cli.services.writes import journaled
    from rse_cli.textformat import render

    plain, html = render(text)
    msg = EmailMessage()
    msg["From"] = settings.smtp_from or settings.smtp_user or f"rse@{settings.smtp_host}"
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=(settings.smtp_from or "rse@localhost").split("@")[-1])
    msg.set_content(plain)  # the text part reads as typed ("Data & IA"), the HTML part carries the formatting
    if html is not None:
        msg.add_alternative(f"<!doctype html><html><body>{html}</body></html>", subtype="html")
    with journaled(store, "digest-email", f"{target} -> {to}"):
        try:
            with smtplib.SMTP(settings.smtp_host or "", settings.smtp_port, timeout=settings.timeout) as smtp:
                if settings.smtp_starttls:
                    ctx = ssl.create_default_context(cafile=str(settings.ca_bundle) if settings.ca_bundle else None)
                    if not settings.verify_tls:
                        ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
                    smtp.starttls(context=ctx)
                if settings.smtp_user:
                    password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
                    smtp.login(settings.smtp_user, password)
                smtp.send_message(msg)
        except smtplib.SMTPAuthenticationError:
            raise AuthError(
                _("the SMTP server {host} refused the login of {user}").format(host=settings.smtp_host, user=settings.smtp_user),
                hint=_("check smtp_user and RSE_SMTP_PASSWORD"),
            ) from None
        except smtplib.SMTPNotSupportedError:
            raise NetworkError(
                _("{host}:{port} does not offer STARTTLS").format(host=settings.smtp_host, port=settings.smtp_port),
                hint=_("set smtp_starttls = false only if the server is on a trusted network"),
            ) from None
        except smtplib.SMTPRecipientsRefused:
            raise InputError(_("the SMTP server refused the recipient {to}").format(to=to)) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise NetworkError(
                _("cannot send e-mail through {host}:{port}: {reason}").format(
                    host=settings.smtp_host, port=settings.smtp_port, reason=exc
                )
            ) from None
