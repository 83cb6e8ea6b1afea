"""What counts as someone's message, for every feature that counts or quotes them (campaign
funnels, leader briefs, animations' top posts): posts, replies and thread messages, never
reactions or membership changes."""

from __future__ import annotations

from rse_cli.domain import EventKind

__all__ = ["MESSAGE_KINDS"]

MESSAGE_KINDS: tuple[EventKind, ...] = (EventKind.post, EventKind.reply, EventKind.thread)
