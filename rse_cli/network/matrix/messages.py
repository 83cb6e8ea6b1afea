"""Sending: room messages under client transaction ids, and direct conversations (m.direct)."""

from __future__ import annotations

import threading
from typing import Any

from rse_cli.domain import Message, Sent
from rse_cli.errors import NotFoundError
from rse_cli.network.matrix.client import C, MatrixClient, q

__all__ = ["Messages"]


class Messages(MatrixClient):
    def _init_direct(self) -> None:
        super()._init_direct()
        self._dm_lock = threading.Lock()
        self._dm_write = threading.Lock()
        self._dm_people: dict[str, threading.Lock] = {}
        self._dm_new: dict[str, list[str]] = {}  # DM rooms this process created, not yet in m.direct
        self._dm_version = self._dm_written = 0

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

    def direct_room(self, person: str) -> str:
        # one lock per person: two threads never open two conversations with one person, while
        # conversations with different people are created in parallel (room creation is the slow part)
        with self._dm_lock:
            lock = self._dm_people.setdefault(person, threading.Lock())
        with lock:
            mine = self._dm_new.get(person) or []
            if mine:
                return mine[-1]
            for room_id in reversed(self._direct_map().get(person, [])):
                if self.membership(room_id, self.user_id) == "join" and self.membership(room_id, person) in {"join", "invite"}:
                    return room_id
            room_id = str(self.http.post(
                f"{C}/createRoom",
                json={"preset": "trusted_private_chat", "is_direct": True, "invite": [person]},
            )["room_id"])
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

    def find_sent(self, room_id: str, message: Message, since_ms: int) -> Sent | None:
        # the server deduplicates a repeated transaction id on the same device (capabilities)
        return None
