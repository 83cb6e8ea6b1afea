"""Sending: room messages under client transaction ids, and direct conversations (m.direct)."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from rse_cli.domain import Message, Sent
from rse_cli.errors import NotFoundError
from rse_cli.network.matrix.client import CREATION, C, MatrixClient, q

__all__ = ["Messages"]

log = logging.getLogger("rse.matrix")
COALESCE_SECONDS = 0.25  # how long the m.direct writer gathers new conversations before one write


class Messages(MatrixClient):
    def _init_direct(self) -> None:
        super()._init_direct()
        self._dm_lock = threading.Lock()
        self._dm_write = threading.Lock()
        self._dm_people: dict[str, threading.Lock] = {}
        self._dm_new: dict[str, list[str]] = {}  # DM rooms this process created or adopted, not yet in m.direct
        self._dm_version = self._dm_written = 0
        self._dm_opening = 0  # direct_room calls under way: each may add a conversation to the next write
        self._direct: dict[str, list[str]] | None = None  # m.direct as read once this run (and as rse wrote it)
        self._dm_due = threading.Condition(self._dm_lock)  # new conversations to record / records made
        self._dm_writer: threading.Thread | None = None
        self._dm_closing = False
        self._dm_room_version: dict[str, int] = {}  # conversation -> the version whose write lists it
        self._dm_error: Exception | None = None  # the last write's failure, until a write succeeds

    def send(self, room_id: str, message: Message, txn_id: str) -> Sent:
        content: dict[str, Any] = {"msgtype": "m.text", "body": message.text, "m.mentions": {}}
        if message.html:
            content["format"] = "org.matrix.custom.html"
            content["formatted_body"] = message.html
        if message.mentions:
            content["m.mentions"] = {"user_ids": sorted(set(message.mentions))}
        self._await_recorded(room_id)
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

    def _listed_direct(self) -> set[str]:
        with self._dm_lock:
            listed = {room for rooms in (self._direct or {}).values() if isinstance(rooms, list) for room in rooms}
            return listed | {room for rooms in self._dm_new.values() for room in rooms}

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
            self._dm_opening += 1
        try:
            with lock:
                return self._open_direct(person)
        finally:
            with self._dm_lock:
                self._dm_opening -= 1
                self._dm_due.notify_all()  # the writer stops gathering once nobody is opening one

    def _open_direct(self, person: str) -> str:
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
            self._dm_room_version[room_id] = self._dm_version
            self._start_writer()
            self._dm_due.notify_all()
        return room_id

    # m.direct is how clients (Element) know a room is a direct conversation, and how the next run
    # finds it: a conversation is listed there before anything is sent in it (`send` waits for the
    # write that lists it), so a run killed at any point leaves no welcome in an unlisted room (and
    # a room created but not yet listed carries rse's creation mark, which the next run adopts).
    # The writes happen in one background thread, each covering every conversation opened while the
    # previous one was in flight, and those opened in the next COALESCE_SECONDS while some are still
    # being opened: a bulk onboarding opens 16 at a time, and one read-merge-write per person cost
    # the server as much as the invitations (measured under +20 ms, 100 people: 100 GET + 100 PUT
    # before, about 35 of each now). Once nobody is opening one, the write goes at once: waiting out
    # the gathering time at the end of a run left the server idle (bench/onboard.py, +40 ms, 100
    # welcomes: Synapse's CPU ran 0.97 s per second of run with that wait, 1.00 without it, 1.03 in
    # the bare loop; docs/sync-figures.md).

    def _await_recorded(self, room_id: str) -> None:
        with self._dm_lock:
            version = self._dm_room_version.get(room_id)
            if version is None:
                return
            while self._dm_written < version:
                if self._dm_error is not None:
                    raise self._dm_error
                self._dm_due.wait(timeout=1)
            del self._dm_room_version[room_id]

    def _start_writer(self) -> None:
        if self._dm_writer is None:  # called with _dm_lock held
            self._dm_writer = threading.Thread(target=self._write_loop, name="rse-m.direct", daemon=True)
            self._dm_writer.start()

    def _write_loop(self) -> None:
        while True:
            with self._dm_lock:
                while self._dm_written >= self._dm_version and not self._dm_closing:
                    self._dm_due.wait()
                if self._dm_written >= self._dm_version:
                    return  # closing, nothing left to write
                # gather the conversations being opened into the same write, for COALESCE_SECONDS at
                # most: once nobody is opening one (a lone welcome, the end of a bulk run), waiting
                # longer would only hold back the sends that wait for this write
                deadline = time.monotonic() + COALESCE_SECONDS
                while not self._dm_closing and self._dm_opening and (left := deadline - time.monotonic()) > 0:
                    self._dm_due.wait(left)
            try:
                self._record_direct()
            except Exception as exc:  # noqa: BLE001 - whoever waits to send in those rooms gets it; they keep rse's mark
                with self._dm_lock:
                    if self._dm_error is None:  # once per failure, not at every retry
                        log.warning("direct conversations not yet listed in m.direct (%s): the next run lists them", exc)
                    self._dm_error = exc
                    self._dm_due.notify_all()
                    if self._dm_closing:
                        return
                    self._dm_due.wait(timeout=5)

    def flush_direct(self) -> None:
        """Wait until every conversation opened so far is listed in m.direct (or its write failed)."""
        with self._dm_lock:
            writer, self._dm_closing = self._dm_writer, True
            self._dm_due.notify_all()
        if writer is not None:
            writer.join(timeout=60)
        with self._dm_lock:
            self._dm_writer, self._dm_closing = None, False

    def close(self) -> None:
        self.flush_direct()
        super().close()

    def _record_direct(self) -> None:
        """One read-merge-write of m.direct covering every conversation opened until now (merged
        with the server's copy: another client may have changed it meanwhile)."""
        with self._dm_write:
            with self._dm_lock:
                new, upto = {p: list(r) for p, r in self._dm_new.items()}, self._dm_version
            if self._dm_written >= upto:
                return
            direct = self._direct_map()
            for p, rooms in new.items():
                direct[p] = [*direct.get(p, []), *(r for r in rooms if r not in direct.get(p, []))]
            self.http.put(f"{C}/user/{q(self.user_id)}/account_data/m.direct", json=direct)
            with self._dm_lock:
                self._dm_written, self._dm_error = upto, None
                self._direct = direct
                self._dm_due.notify_all()

    def find_sent(self, room_id: str, message: Message, since_ms: int) -> Sent | None:
        # the server deduplicates a repeated transaction id on the same device (capabilities)
        return None
