"""Yammer messages as rse events. https://learn.microsoft.com/en-us/rest/api/yammer/messagesjson

A message with `replied_to_id` is a reply (its `thread_id` is the thread starter), or, when it
answers another reply, a message deeper in the thread (EventKind.thread); the others start a
thread (a post). Likes come as `liked_by` on the message, without dates: each liker is a
reaction event dated like the message it likes (an approximation the audits' notes state).
Yammer returns no membership history: memberships are not events on Engage
(capabilities.dated_memberships is False).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rse_cli.domain import Event, EventKind

LIKE_KEY = "👍"


def yammer_time(value: str | None) -> datetime:
    """'2019/02/14 19:46:33 +0000' (the documented format), or ISO 8601."""
    if not value:
        return datetime.fromtimestamp(0, tz=UTC)
    try:
        return datetime.strptime(value, "%Y/%m/%d %H:%M:%S %z").astimezone(UTC)
    except ValueError:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def body_text(raw: dict[str, Any]) -> str:
    body = raw.get("body") or {}
    return str(body.get("plain") or body.get("parsed") or "")


def map_message(raw: dict[str, Any], room_id: str) -> list[Event]:
    ts = yammer_time(raw.get("created_at"))
    mid = str(raw["id"])
    base: dict[str, Any] = {"id": mid, "room_id": room_id, "sender": str(raw.get("sender_id", "")), "ts": ts}
    replied = raw.get("replied_to_id")
    thread = raw.get("thread_id")
    if replied:
        # a reply to the thread starter is a reply; a reply to a reply goes deeper into the
        # conversation, which is what rse calls a thread (audits count it as a deep reply)
        kind = EventKind.thread if thread and str(thread) != str(replied) else EventKind.reply
        main = Event(**base, kind=kind, body=body_text(raw), parent_id=str(replied), thread_root=str(thread) if thread else None)
    else:
        main = Event(**base, kind=EventKind.post, body=body_text(raw))
    out = [main]
    for liker in (raw.get("liked_by") or {}).get("names") or []:
        uid = liker.get("user_id")
        if uid is None:
            continue
        out.append(
            Event(
                id=f"{mid}.like.{uid}",
                room_id=room_id,
                sender=str(uid),
                ts=ts,
                kind=EventKind.reaction,
                parent_id=mid,
                key=LIKE_KEY,
            )
        )
    return out
