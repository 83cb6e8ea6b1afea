"""Posting in a community's room and sending direct messages."""

from __future__ import annotations

from pathlib import Path

from rse_cli.domain import Sent
from rse_cli.errors import InputError, UsageError
from rse_cli.network.base import Message, Network, Structure
from rse_cli.services.writes import send_once
from rse_cli.store import Store
from rse_cli.textformat import render


def read_text(text: str | None, file: Path | None) -> str:
    """The message from --text or --file (UTF-8), exactly one of them, not empty."""
    if (text is None) == (file is None):
        raise UsageError("give the message with exactly one of --text or --file")
    if file is not None:
        try:
            text = file.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise InputError(f"{file}: no such file") from None
        except UnicodeDecodeError as exc:
            raise InputError(f"{file}: not UTF-8 text (byte {exc.start})") from None
    assert text is not None
    if not text.strip():
        raise InputError(f"{file or '--text'}: the message is empty")
    return text


def build_message(text: str, mentions: list[str] | None = None) -> Message:
    plain, html = render(text)
    return Message(plain, html, tuple(mentions or ()))


def post(network: Network, store: Store, target: str, text: str, *, mentions: list[str] | None = None,
         again: bool = False) -> Sent:
    """Post in COMMUNITY/ROOM (or in the community's only room when ROOM is left out; in its
    feed on a network where a community is one feed)."""
    community_ref, _, room_ref = target.partition("/")
    community = network.get_community(community_ref)
    if network.capabilities.structure is Structure.feed:
        if room_ref:
            raise UsageError(f"{target}: a community on {network.name} is one feed, without rooms",
                             hint=f"post to {community_ref} alone")
        room_id, where = community.id, community.name
    else:
        if room_ref:
            room = network.find_room(community, room_ref)
        elif len(community.rooms) == 1:
            room = community.rooms[0]
        else:
            names = ", ".join(r.name for r in community.rooms) or "none yet"
            raise UsageError(f"say which room of {community.name}: {community_ref}/ROOM", hint=f"its rooms: {names}")
        room_id, where = room.id, f"{community.name}/{room.name}"
    people = [network.resolve_person(m).id for m in mentions or []]
    message = build_message(text, people)
    return send_once(network, store, action="post", target=where, room_id=room_id, message=message, again=again)


def direct_message(network: Network, store: Store, person_ref: str, text: str, *, again: bool = False) -> Sent:
    """Send a direct message, in the existing conversation with that person or a new one."""
    if not network.capabilities.direct_messages:
        raise UsageError(f"{network.name} has no private messages", hint="mention the person in a community post instead")
    person = network.resolve_person(person_ref)
    message = build_message(text)
    return send_once(network, store, action="dm", target=person.id, room_id=None, message=message,
                     again=again, room_for=lambda: network.direct_room(person.id))
