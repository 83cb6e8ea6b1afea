"""Reading history: pages of room events from a checkpoint, mapped onto rse's events."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from rse_cli.domain import Event, EventKind, EventPage
from rse_cli.network.matrix.client import ADMIN, C, MatrixClient, q

__all__ = ["Events", "map_event"]


class Events(MatrixClient):
    def iter_events(self, room_id: str, since: str | None = None, *, page_size: int = 1000) -> Iterator[EventPage]:
        # an admin reads any room without joining it (Synapse's admin messages API, same paging)
        admin = self.is_admin
        base = f"{ADMIN}/v1/rooms/{q(room_id)}/messages" if admin else f"{C}/rooms/{q(room_id)}/messages"
        token = since
        while True:
            params: dict[str, Any] = {"dir": "f", "limit": page_size}
            if token:
                params["from"] = token
            page = self.http.get(base, params=params)
            chunk = page.get("chunk", [])
            nxt = page.get("end")
            events = [e for e in (map_event(raw, room_id) for raw in chunk) if e is not None]
            # the admin API filters nothing out, so a short page is the room's end (one request saved
            # per room); the client API filters by visibility, so only an empty page ends it there
            done = not nxt or not chunk or (admin and len(chunk) < page_size)
            # without an `end`, resume from where this page started: re-read events are deduplicated by id
            yield EventPage(events=events, checkpoint=nxt or token, done=done)
            if done:
                return
            token = nxt

    @staticmethod
    def map_event(raw: dict[str, Any], room_id: str) -> Event | None:
        return map_event(raw, room_id)

    def changed_since(self, token: str | None) -> tuple[set[str] | None, str | None]:
        from rse_cli.network.matrix.changes import changed_since  # a filtered /sync since a token (see changes.py)

        return changed_since(self.http, token, admin=self.is_admin)

    def bulk_events(self, checkpoint: str | None, now: datetime) -> Iterator[EventPage] | None:
        return None  # Matrix has no bulk export: sync reads each room from its checkpoint


def map_event(raw: dict[str, Any], room_id: str) -> Event | None:
    """One raw Matrix event as an rse Event (None: not something rse counts)."""
    etype = raw.get("type")
    content = raw.get("content") or {}
    rel = content.get("m.relates_to") or {}
    base = {
        "id": raw["event_id"],
        "room_id": raw.get("room_id", room_id),
        "sender": raw["sender"],
        "ts": datetime.fromtimestamp(raw.get("origin_server_ts", 0) / 1000, tz=UTC),
    }
    if etype == "m.room.message":
        if not content or rel.get("rel_type") == "m.replace":
            return Event(**base, kind=EventKind.other)  # redacted or an edit
        reply_to = (rel.get("m.in_reply_to") or {}).get("event_id")
        if rel.get("rel_type") == "m.thread":
            return Event(
                **base,
                kind=EventKind.thread,
                body=content.get("body"),
                thread_root=rel.get("event_id"),
                parent_id=reply_to or rel.get("event_id"),
            )
        if reply_to:
            return Event(**base, kind=EventKind.reply, body=content.get("body"), parent_id=reply_to)
        return Event(**base, kind=EventKind.post, body=content.get("body"))
    if etype == "m.reaction" and rel.get("rel_type") == "m.annotation":
        return Event(**base, kind=EventKind.reaction, parent_id=rel.get("event_id"), key=rel.get("key"))
    if etype == "m.room.member":
        return Event(**base, kind=EventKind.membership, membership=content.get("membership"), target=raw.get("state_key"))
    return None
