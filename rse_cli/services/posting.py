"""Posting in a community's room and sending direct messages."""

from __future__ import annotations

from pathlib import Path

from rse_cli.domain import Member, Sent
from rse_cli.errors import InputError, UsageError
from rse_cli.i18n import _
from rse_cli.network.base import Message, Network, Structure
from rse_cli.services.communities import find_community, find_room, resolve_person
from rse_cli.services.writes import send_once
from rse_cli.store import Store
from rse_cli.textformat import render


def read_text(text: str | None, file: Path | None) -> str:
    """The message from --text or --file (UTF-8), exactly one of them, not empty."""
    if (text is None) == (file is None):
        raise UsageError(_("give the message with exactly one of --text or --file"))
    if file is not None:
        try:
            text = file.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise InputError(_("{file}: no such file").format(file=file)) from None
        except UnicodeDecodeError as exc:
            raise InputError(
                _("{file}: not UTF-8 text (byte {byte})").format(file=file, byte=exc.start),
                hint=_("save it as UTF-8 from your editor"),
            ) from None
    assert text is not None
    if not text.strip():
        raise InputError(_("{source}: the message is empty").format(source=file or "--text"))
    return text


def build_message(text: str, mentions: list[str] | None = None) -> Message:
    plain, html = render(text)
    return Message(plain, html, tuple(mentions or ()))


def post(
    network: Network, store: Store, target: str, text: str, *, mentions: list[str] | None = None, again: bool = False
) -> Sent:
    """Post in COMMUNITY/ROOM (or in the community's only room when ROOM is left out; in its
    feed on a network where a community is one feed)."""
    community_ref, _slash, room_ref = target.partition("/")
    community = find_community(network, community_ref)
    if network.capabilities.structure is Structure.feed:
        if room_ref:
            raise UsageError(
                _("{target}: a community on {network} is one feed, without rooms").format(target=target, network=network.name),
                hint=_("post to {community} alone").format(community=community_ref),
            )
        room_id, where = community.id, community.name
    else:
        if room_ref:
            room = find_room(network, community, room_ref)
        elif len(community.rooms) == 1:
            room = community.rooms[0]
        else:
            names = ", ".join(r.name for r in community.rooms) or _("none yet")
            raise UsageError(
                _("say which room of {community}: {ref}/ROOM").format(community=community.name, ref=community_ref),
                hint=_("its rooms: {names}").format(names=names),
            )
        room_id, where = room.id, f"{community.name}/{room.name}"
    members: list[Member] = []

    def members_of() -> list[Member]:  # asked for only when a name is unknown: the closest members are suggested
        if not members:
            members.extend(network.list_members(community))
        return members

    people = [resolve_person(network, m, members_of).id for m in mentions or []]
    message = build_message(text, people)
    return send_once(network, store, action="post", target=where, room_id=room_id, message=message, again=again)


def direct_message(network: Network, store: Store, person_ref: str, text: str, *, again: bool = False) -> Sent:
    """Send a direct message, in the existing conversation with that person or a new one."""
    if not network.capabilities.direct_messages:
        raise UsageError(
            _("{network} has no private messages").format(network=network.name),
            hint=_("mention the person in a community post instead"),
        )
    person = network.resolve_person(person_ref)
    message = build_message(text)
    return send_once(
        network,
        store,
        action="dm",
        target=person.id,
        room_id=None,
        message=message,
        again=again,
        room_for=lambda: network.direct_room(person.id),
    )
