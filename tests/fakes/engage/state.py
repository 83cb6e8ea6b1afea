"""The fake tenant's state: users, communities (Microsoft 365 group + Yammer group), messages,
likes, app registrations and tokens. Plain data; the routes in graph.py / yammer.py /
identity.py enforce the documented rules over it.

Identifiers, as the real network shapes them:
- Graph user and group ids are GUIDs; Yammer user, group and message ids are large integers.
- A Graph community id is the unpadded base64url of {"_type":"Group","id":"<Yammer group id>"}:
  decode the examples of https://learn.microsoft.com/en-us/graph/api/community-get
  ("eyJfdHlwZSI6Ikdyb3VwIiwiaWQiOiI4MzIxMjc1In0" is {"_type":"Group","id":"8321275"}), so the
  Yammer group id of a community is recoverable from its Graph id, and the community's groupId
  (a GUID) is a different object: https://learn.microsoft.com/en-us/graph/api/resources/community
  ("the group doesn't have the same ID as the community").
- An engagementAsyncOperation id has the same shape: {"_type":"LongRunningOperation","id":"<guid>",
  "operation":"CreateCommunity"} (https://learn.microsoft.com/en-us/graph/api/engagementasyncoperation-get).
- Graph user id <-> Yammer user id: no documented cross-reference; both carry the e-mail
  (Graph `mail`/`userPrincipalName`, Yammer `email`), which is how a client maps them.
"""

from __future__ import annotations

import base64
import json
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime


def b64url_json(obj: dict[str, str]) -> str:
    raw = json.dumps(obj, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def community_id_for(yammer_group_id: int) -> str:
    return b64url_json({"_type": "Group", "id": str(yammer_group_id)})


def yammer_created_at(ts: float) -> str:
    """Yammer's timestamp format, e.g. "2013/06/25 18:14:45 +0000" (messages.json responses)."""
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y/%m/%d %H:%M:%S +0000")


def iso(ts: float) -> str:
    """Graph's DateTimeOffset: ISO 8601 in UTC."""
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(eq=False)
class User:
    graph_id: str
    yammer_id: int
    upn: str
    mail: str
    display_name: str
    created_at: float
    verified_admin: bool = False  # Viva Engage Verified Admin (Data Export API)
    directory_admin: bool = False  # may manage any Microsoft 365 group through Graph
    job_title: str = ""
    department: str = ""
    state: str = "active"

    @property
    def first_name(self) -> str:
        return self.display_name.split(" ")[0]


@dataclass(eq=False)
class Group:
    yammer_id: int
    graph_group_id: str
    display_name: str
    description: str
    privacy: str  # public | private
    created_at: float
    creator: User | None
    owners: list[User] = field(default_factory=list)  # Graph group owners = community admins
    members: list[User] = field(default_factory=list)  # Graph group members
    all_company: bool = False  # everyone is a member (the network's default community)
    updated_at: float = 0.0
    deleted: bool = False

    @property
    def community_id(self) -> str:
        return community_id_for(self.yammer_id)

    def is_member(self, user: User) -> bool:
        # Owners are the community's admins: they take part like members do.
        return self.all_company or user in self.members or user in self.owners

    def is_admin(self, user: User) -> bool:
        return user in self.owners


@dataclass(eq=False)
class Message:
    id: int
    sender: User
    body: str
    created_at: float
    thread_id: int
    replied_to_id: int | None
    group: Group | None  # None for a private conversation
    participants: list[User] | None  # private conversation only: sender + direct_to users
    notified: list[User] = field(default_factory=list)
    liked_by: list[User] = field(default_factory=list)
    deleted_at: float | None = None

    @property
    def private(self) -> bool:
        return self.participants is not None


@dataclass(eq=False)
class Operation:
    id: str
    created_at: float
    ready_at: float
    creator: User
    display_name: str
    description: str
    privacy: str
    owners: list[User]
    fail_detail: str | None = None
    fail_status: str = "failed"  # or "skipped": both end the operation without a community
    group: Group | None = None  # once succeeded

    def status(self, now: float) -> str:
        if now >= self.ready_at:
            return self.fail_status if self.fail_detail else "succeeded"
        # First third of the delay: queued; then running (longRunningOperationStatus values).
        return "notStarted" if now < self.created_at + (self.ready_at - self.created_at) / 3 else "running"


@dataclass(eq=False)
class App:
    """An app registration in the tenant, with its admin-consented delegated permissions
    (full scope strings, e.g. "https://graph.microsoft.com/Community.ReadWrite.All")."""

    client_id: str
    granted: set[str]
    public_client: bool = True  # "Allow public client flows" (needed for the device code flow)


@dataclass(eq=False)
class AccessToken:
    token: str
    user: User
    client_id: str
    audience: str  # resource URI: https://graph.microsoft.com or https://api.yammer.com
    scopes: set[str]  # short names, e.g. {"Community.ReadWrite.All"}
    expires_at: float


@dataclass(eq=False)
class RefreshToken:
    token: str
    user: User
    client_id: str
    last_used: float
    revoked: bool = False


@dataclass(eq=False)
class DeviceCode:
    device_code: str
    user_code: str
    client_id: str
    scopes: list[str]
    expires_at: float
    approved_by: User | None = None
    declined: bool = False
    redeemed: bool = False
    polls: int = 0


class Ids:
    """Yammer-like numeric ids: large, increasing, not contiguous (clients must not assume +1)."""

    def __init__(self, seed: int = 12) -> None:
        self._rng = random.Random(seed)
        self._user = 1_488_000_000_000
        self._group = 191_326_000_000
        self._message = 2_300_000_000_000

    def user(self) -> int:
        self._user += self._rng.randint(1, 9)
        return self._user

    def group(self) -> int:
        self._group += self._rng.randint(100, 999)
        return self._group

    def message(self) -> int:
        self._message += self._rng.randint(1, 40)
        return self._message

    @staticmethod
    def guid() -> str:
        return str(uuid.uuid4())
