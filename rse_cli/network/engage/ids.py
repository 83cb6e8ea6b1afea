"""Viva Engage ids, references and links: the only place rse parses or builds them (offline).

Ids rse uses on Engage:
- a community is known by its Microsoft Graph community id (opaque string); its conversation
  feed is the Yammer group of the same community (numeric id). Microsoft's own examples show
  Graph community ids that are base64 of `{"_type":"Group","id":"<yammer group id>"}`
  (https://learn.microsoft.com/en-us/graph/api/resources/community), which rse decodes when it
  can and otherwise looks up;
- a person is known by their Viva Engage (Yammer) user id, a number: messages, private messages
  and likes are all Yammer objects. Graph's user ids (GUIDs) only serve group membership.
- a private conversation is `dm:<yammer user id>` (Yammer has no conversation object to create).
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass

from rse_cli.names import slug

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
YAMMER_ID = re.compile(r"^\d{1,20}$")
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
DM_PREFIX = "dm:"


def encode_web_id(kind: str, yammer_id: str) -> str:
    """The id Engage's web client puts in its URLs: base64url of {"_type": KIND, "id": "N"}."""
    raw = json.dumps({"_type": kind, "id": str(yammer_id)}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_web_id(value: str, kind: str) -> str | None:
    """The Yammer id inside such an id (a Graph community id is one), or None."""
    try:
        data = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    except (ValueError, TypeError):
        return None
    if isinstance(data, dict) and data.get("_type") == kind and YAMMER_ID.match(str(data.get("id", ""))):
        return str(data["id"])
    return None


def dm_room(yammer_user_id: str) -> str:
    return f"{DM_PREFIX}{yammer_user_id}"


def dm_target(room_id: str) -> str | None:
    return room_id[len(DM_PREFIX) :] if room_id.startswith(DM_PREFIX) else None


@dataclass(frozen=True)
class EngageAddressing:
    web_url: str = "https://engage.cloud.microsoft/main"

    def community_key(self, ref: str) -> str:
        ref = ref.strip()
        return ref if decode_web_id(ref, "Group") or YAMMER_ID.match(ref) else slug(ref)

    def community_keys(self, community_id: str, name: str, alias: str | None) -> set[str]:
        keys = {community_id, slug(name), slug(alias or "")}
        group = decode_web_id(community_id, "Group")
        if group:
            keys.add(group)
        return keys - {""}

    def alias_ref(self, alias: str) -> str:
        # Engage has no aliases: a community created with alias `ventes-ouest` is found by its name's slug
        return slug(alias)

    def bare_alias(self, alias: str) -> str:
        return alias  # no alias syntax to remove: a Matrix `#x:server` is refused as not bare

    def is_person_id(self, ref: str) -> bool:
        return bool(YAMMER_ID.match(ref.strip()))

    def person_problem(self, ref: str) -> str | None:
        ref = ref.strip()
        if not ref:
            return "empty"
        if ref.startswith("@") and ":" in ref:
            return f"{ref!r} is a Matrix ID; on Viva Engage use an e-mail address, a Viva Engage user id or an exact name"
        if "@" in ref:
            return None if EMAIL.match(ref) else f"{ref!r} is not an e-mail address"
        return None

    def short_name(self, person_id: str) -> str:
        return person_id.split("@", 1)[0]

    def is_picture_ref(self, ref: str) -> bool:
        return False  # capabilities.pictures is False: the API documents no way to set one

    def picture_problem(self, ref: str) -> str | None:
        return "community pictures cannot be set through Viva Engage's public API (capabilities.pictures is False)"

    def link(self, target: str, event_id: str | None = None) -> str:
        """Links of Engage's web client: /threads/, /users/, /groups/ followed by a web id."""
        if event_id:
            return f"{self.web_url}/threads/{encode_web_id('Thread', event_id)}"
        user = dm_target(target)
        if user is not None or YAMMER_ID.match(target):
            return f"{self.web_url}/users/{encode_web_id('User', user or target)}"
        group = decode_web_id(target, "Group")
        return f"{self.web_url}/groups/{target if group else encode_web_id('Group', target)}"
