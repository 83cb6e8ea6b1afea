"""Sending: room messages under client transaction ids, and direct conversations (m.direct)."""

from __future__ import annotations

import threading
from typing import Any

from rse_cli.domain import Message, Sent
from rse_cli.errors import NotFoundError
from rse_cli.network.matrix.client import CREATION, C, MatrixClient, q

__all__ = ["Messages"]


class Messages(MatrixClient):
    def _init_direct(self) -> None:
        super()._init_direct()
        self._dm_lock = threading.Lock()
        self._dm_write = threading.Lock()
        self._dm_people: dict[str, threading.Lock] = {}
        self._dm_new: dict[str, list[str]] = {}  # DM rooms this process created or adopted, not yet in m.direct
        self._dm_version = self._dm_written = 0
        self._direct: dict[str, list[str]] | None = None  # m.direct as read once this run (and as rse wrote it)

    def send(self, room_id: str, message: Message, txn_id: str) -> Sent:
        content: dict[str, Any] = {"msgtype": "m.text", "body": message.text, "m.mentions": {}}
        if message.html:
            content["format"] = "org.matrix.custom.html"
            content["formatted_body"] = message.html
        if message.mentions:
            content["m.mentions"] = {"user_ids": sorted(set(message.mentions))}
        answer = self.http.put(f"{C}/rooms/{q(room_id)}/send/m.room.message/{q(txn_id)}", json=content)
        return Sent(room_id=room_id, event_id=answer.get("event_id"), txn_id=txn_id)

    def _direct_map(self) -> dict[str, list[str]]:
        try:
            direct: dict[str, list[str]] = self.http.get(f"{C}/user/{q(self.user_id)}/account_data/m.direct")
            return direct
        except NotFoundError:
            return {}

    def _known_direct(self, person: str) -> list[str]:
        # read once per run: a bulk onboarding asks for hundreds of people
        with self._dm_lock:
            if self._direct is None:
                self._direct = self._direct_map()
            return list(self._direct.get(person, []))

    def _usable(self, room_id: str, person: str) -> bool:
        return self.membership(room_id, self.user_id) == "join" and self.membership(room_id, person) in {"join", "invite"}

    def _marked_for(self, person: str, *, refresh: bool = False) -> list[str]:
        """Conversations rse created with the person, from their creation mark (CREATION), oldest
        first: what a run that died before recording them in m.direct left behind."""
        rooms = self._own_rooms(refresh=refresh)
        marked = [(e.get("origin_server_ts", 0), r) for r, e in rooms.items() if e["content"][CREATION].get("for") == person]
        return [r for _, r in sorted(marked)]

    def _adoptable(self, person: str, rooms: list[str]) -> str | None:
        for room_id in rooms:
            if self.membership(room_id, self.user_id) != "join":
                continue
            theirs = self.membership(room_id, person)
            if theirs in {"join", "invite"}:
                return room_id
            if theirs is None:  # created, but the invitation never went out
                self.http.post(f"{C}/rooms/{q(room_id)}/invite", json={"user_id": person})
                return room_id
        return None  # they left or declined: a new conversation, as a client would open

    def direct_room(self, person: str) -> str:
        # one lock per person: two threads never open two conversations with one person, while
        # conversations with different people are created in parallel (room creation is the slow part)
        with self._dm_lock:
            lock = self._dm_people.setdefault(person, threading.Lock())
        with lock:
            mine = self._dm_new.get(person) or []
            if mine:
                return mine[-1]
            for room_id in reversed(self._known_direct(person)):
                if self._usable(room_id, person):
                    return room_id
            # a room rse created for them that m.direct does not list (the run died in between): adopt it
            room_id = self._adoptable(person, self._marked_for(person)) or self._create_room_once(
                {
                    "preset": "trusted_private_chat",
                    "is_direct": True,
                    "invite": [person],
                    "creation_content": {CREATION: {"for": person}},
                },
                find=lambda nonce: self._adoptable(person, self._marked_for(person, refresh=True)),
            )
            with self._dm_lock:
                self._dm_new.setdefault(person, []).append(room_id)
                self._dm_version += 1
                version = self._dm_version
            self._record_direct(version)
            return room_id

    def _record_direct(self, version: int) -> None:
        """Record new conversations in m.direct, as Element does, before anything is sent in them
        (a re-run must find them). Writes are merged with the server's copy and coalesced: one
        read-merge-write covers every conversation created by other threads meanwhile."""
        with self._dm_write:
            if self._dm_written >= version:
                return
            with self._dm_lock:
                new, upto = {p: list(r) for p, r in self._dm_new.items()}, self._dm_version
            direct = self._direct_map()
            for p, rooms in new.items():
                direct[p] = [*direct.get(p, []), *(r for r in rooms if r not in direct.get(p, []))]
            self.http.put(f"{C}/user/{q(self.user_id)}/account_data/m.direct", json=direct)
            self._dm_written = upto
            with self._dm_lock:
                self._direct = direct

    def find_sent(self, room_id: str, message: Message, since_ms: int) -> Sent | None:
        # the server deduplicates a repeated transaction id on the same device (capabilities)
        return None
