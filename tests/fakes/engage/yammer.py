"""The Yammer REST API v1 (Viva Engage's conversations), mounted at {yammer_url} (the real one is
https://www.yammer.com/api/v1). Documentation: https://learn.microsoft.com/en-us/rest/api/yammer/

Kept from the docs:
- Delegated tokens only (https://learn.microsoft.com/en-us/rest/api/yammer/rest-api-rate-limits: "Only
  Delegated access ... is supported"); an Entra token for the https://api.yammer.com resource.
- Rate limits per user per app, 429 on every endpoint once one is exceeded (limits.py).
- Feeds return at most 20 messages, newest first, paged with older_than / newer_than (message ids)
  and meta.older_available; threaded=true|extended; limit only with threaded
  (https://learn.microsoft.com/en-us/rest/api/yammer/messagesjson).
- created_at as "2013/06/25 18:14:45 +0000".
- The messages endpoints return "a subset of messages": with `feed_reply_cap` set, the fake keeps only
  that many latest replies per thread in feeds (not in in_thread), as the real service may cut long
  threads (https://learn.microsoft.com/en-us/rest/api/yammer/data-export-apis).
- The Data Export API for verified admins, a zip of CSV files (export.py).

401 bodies are documented ({"response": {"message": "Token not found.", "code": 16, "stat": "fail"}},
https://learn.microsoft.com/en-us/rest/api/yammer/api-requests-1); other error bodies reuse that shape.
Not documented, chosen here (each marked "fake's choice" where it matters): 403 for posting to a group one is not in,
403 for private messages when the network disabled them, 404 for unknown ids.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .export import export_zip
from .http import Request, Response, Router
from .identity import YAMMER_RESOURCE
from .limits import retry_after
from .state import Group, Message, User, yammer_created_at

if TYPE_CHECKING:
    from .fake import FakeEngage

PAGE = 20  # messages per page ("the 20 messages prior to those you're seeing": messagesjson)
# The docs give the page parameter, not the page size (usersjson, usersin_groupidjson, groupsjson):
# 50 is what clients written against the live API expect (they stop at a page of fewer than 50).
USERS_PAGE = 50
GROUPS_PAGE = 50
YAMMER_PERMISSIONS = {"access_as_user", "user_impersonation"}
MENTION = re.compile(r"\[\[user:(\d+)\]\]")


def yammer_error(status: int, message: str, code: int = 0, headers: dict[str, str] | None = None) -> Response:
    return Response.json(status, {"response": {"message": message, "code": code, "stat": "fail"}}, headers)


def _int(value: Any) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


class Yammer:
    def __init__(self, fake: FakeEngage) -> None:
        self.fake = fake
        r = self.router = Router()
        p = "/api/v1"
        num = r"(?P<id>\d+)"
        # https://learn.microsoft.com/en-us/rest/api/yammer/messagesjson (GET) and messages-json-post (POST)
        r.add("GET", p + r"/messages\.json", self.feed_all)
        r.add("POST", p + r"/messages(?:\.json)?", self.post_message)
        # https://learn.microsoft.com/en-us/rest/api/yammer/messagesin_groupgroup_idjson
        r.add("GET", p + r"/messages/in_group/" + num + r"\.json", self.feed_group)
        # https://learn.microsoft.com/en-us/rest/api/yammer/messagesprivatejson
        r.add("GET", p + r"/messages/private\.json", self.feed_private)
        # https://learn.microsoft.com/en-us/rest/api/yammer/messagessentjson
        r.add("GET", p + r"/messages/sent\.json", self.feed_sent)
        # https://learn.microsoft.com/en-us/rest/api/yammer/messagesin_threadthreadidjson
        r.add("GET", p + r"/messages/in_thread/" + num + r"\.json", self.feed_thread)
        # like / unlike as the current user: POST|DELETE messages/liked_by/current.json?message_id= (Yammer's
        # developer docs, as the yammer_api gem calls it; Microsoft Learn has no page for it)
        r.add("POST", p + r"/messages/liked_by/current\.json", self.like)
        r.add("DELETE", p + r"/messages/liked_by/current\.json", self.unlike)
        r.add("GET", p + r"/messages/" + num + r"(?:\.json)?", self.get_message)
        r.add("DELETE", p + r"/messages/" + num + r"(?:\.json)?", self.delete_message)
        # https://learn.microsoft.com/en-us/rest/api/yammer/userscurrentjson, usersidjson, usersby_emailjson,
        # usersin_groupidjson
        r.add("GET", p + r"/users\.json", self.list_users)  # https://learn.microsoft.com/en-us/rest/api/yammer/usersjson
        r.add("GET", p + r"/users/current\.json", self.current_user)
        r.add("GET", p + r"/users/by_email\.json", self.user_by_email)
        r.add("GET", p + r"/users/in_group/" + num + r"\.json", self.users_in_group)
        r.add("GET", p + r"/users/" + num + r"\.json", self.get_user)
        # https://learn.microsoft.com/en-us/rest/api/yammer/groupsjson and groupsidjson
        r.add("GET", p + r"/groups\.json", self.list_groups)
        r.add("GET", p + r"/groups/" + num + r"\.json", self.get_group)
        # https://learn.microsoft.com/en-us/rest/api/yammer/groupsfor_useruser_idjson
        r.add("GET", p + r"/groups/for_user/" + num + r"\.json", self.groups_for_user)
        # https://learn.microsoft.com/en-us/rest/api/yammer/group_membershipsjson
        r.add("POST", p + r"/group_memberships\.json", self.join_group)
        r.add("DELETE", p + r"/group_memberships\.json", self.leave_group)
        # https://learn.microsoft.com/en-us/rest/api/yammer/network-data-export
        r.add("GET", p + r"/export", self.export)

    # -- the gate ----------------------------------------------------------------------------
    def __call__(self, req: Request) -> Response:
        f = self.fake
        handler, params, known = self.router.match(req.method, req.path)
        if handler is None:
            return yammer_error(405 if known else 404, "Method not allowed" if known else "Not found")
        req.params = params
        token = req.bearer
        at = f.access_tokens.get(token or "")
        # https://learn.microsoft.com/en-us/rest/api/yammer/api-requests-1: an expired or de-authorized
        # token gets 401 {"response": {"message": "Token not found.", "code": 16, "stat": "fail"}}.
        if at is None or at.audience != YAMMER_RESOURCE or f.clock.now() >= at.expires_at:
            return yammer_error(401, "Token not found.", 16)
        # The Yammer resource has two delegated permissions, both "Read and write to the Yammer
        # platform": access_as_user (the one https://learn.microsoft.com/en-us/rest/api/yammer/app-registration
        # tells admins to grant) and the older user_impersonation. Either lets a token through.
        if not at.scopes & YAMMER_PERMISSIONS:
            return yammer_error(403, "The token lacks the access_as_user permission of the Yammer API.")
        rest = req.path.removeprefix("/api/v1/")
        bucket = (
            "messages"
            if rest.startswith("messages")
            else "autocomplete"
            if rest.startswith("autocomplete")
            else "notifications"
            if rest.startswith("streams/notifications")
            else "other"
        )
        poll_key = req.path if req.method == "GET" and req.arg("newer_than") is not None else None
        wait = f.yammer_limiter.check(at.user.graph_id, at.client_id, bucket, f.clock.now(), poll_key=poll_key)
        if wait is not None:
            headers = {"Retry-After": retry_after(wait)} if f.yammer_retry_after else None
            return yammer_error(429, "Rate limited due to excessive requests.", 33, headers)
        req.user = at.user  # type: ignore[attr-defined]
        return handler(req)

    # -- JSON shapes -------------------------------------------------------------------------
    def user_json(self, u: User) -> dict[str, Any]:
        f = self.fake
        first, _, last = u.display_name.partition(" ")
        return {
            "type": "user",
            "id": u.yammer_id,
            "network_id": f.network_id,
            "state": u.state,
            "full_name": u.display_name,
            "first_name": first,
            "last_name": last,
            "name": u.mail.split("@")[0].lower(),
            "email": u.mail,
            "job_title": u.job_title,
            "department": u.department,
            "url": f"{f.yammer_url}/users/{u.yammer_id}",
            "web_url": f"https://www.yammer.com/{f.network_permalink}/users/{u.yammer_id}",
            "mugshot_url": None,
            "activated_at": yammer_created_at(u.created_at),
            # Yammer renders these flags as strings ("true"/"false").
            "admin": "true" if u.verified_admin else "false",
            "verified_admin": "true" if u.verified_admin else "false",
            "contact": {"email_addresses": [{"type": "primary", "address": u.mail}]},
        }

    def group_json(self, g: Group) -> dict[str, Any]:
        f = self.fake
        msgs = [m for m in f.messages if m.group is g and m.deleted_at is None]
        last = max(msgs, key=lambda m: m.id) if msgs else None
        members = f.users if g.all_company else list(dict.fromkeys(g.members + g.owners))
        return {
            "type": "group",
            "id": g.yammer_id,
            "network_id": f.network_id,
            "full_name": g.display_name,
            "name": re.sub(r"[^a-z0-9]+", "", g.display_name.lower()),
            "description": g.description,
            "privacy": g.privacy,
            "state": "active",
            "created_at": yammer_created_at(g.created_at),
            "creator_id": g.creator.yammer_id if g.creator else None,
            "creator_type": "user",
            "url": f"{f.yammer_url}/groups/{g.yammer_id}",
            "web_url": f"https://www.yammer.com/{f.network_permalink}/#/threads/inGroup?type=in_group&feedId={g.yammer_id}",
            "show_in_directory": "true",
            "stats": {
                "members": len(members),
                "updates": len(msgs),
                "last_message_id": last.id if last else None,
                "last_message_at": yammer_created_at(last.created_at) if last else None,
            },
        }

    def _render(self, body: str) -> str:
        def name(m: re.Match[str]) -> str:
            u = self.fake.user_by_yammer_id(int(m.group(1)))
            return "@" + (u.display_name if u else m.group(1))

        return MENTION.sub(name, body)

    def message_json(self, m: Message) -> dict[str, Any]:
        f = self.fake
        plain = self._render(m.body)
        return {
            "id": m.id,
            "sender_id": m.sender.yammer_id,
            "sender_type": "user",
            "replied_to_id": m.replied_to_id,
            "created_at": yammer_created_at(m.created_at),
            "network_id": f.network_id,
            "message_type": "update",
            "url": f"{f.yammer_url}/messages/{m.id}",
            "web_url": f"https://www.yammer.com/{f.network_permalink}/messages/{m.id}",
            "group_id": m.group.yammer_id if m.group else None,
            "group_created_id": m.group.yammer_id if m.group else None,
            "thread_id": m.thread_id,
            "body": {"parsed": m.body, "plain": plain, "rich": plain},
            "content_excerpt": plain[:200],
            "privacy": "private" if (m.private or (m.group and m.group.privacy == "private")) else "public",
            "direct_message": m.private,
            "system_message": False,
            "client_type": "API",
            "attachments": [],
            "notified_user_ids": [u.yammer_id for u in m.notified],
            "liked_by": {
                "count": len(m.liked_by),
                "names": [
                    {
                        "full_name": u.display_name,
                        "permalink": u.mail.split("@")[0].lower(),
                        "user_id": u.yammer_id,
                        "network_id": f.network_id,
                    }
                    for u in m.liked_by
                ],
            },
        }

    def _references(self, msgs: list[Message]) -> list[dict[str, Any]]:
        users: dict[int, User] = {}
        groups: dict[int, Group] = {}
        threads: set[int] = set()
        for m in msgs:
            users[m.sender.yammer_id] = m.sender
            for u in (m.participants or []) + m.notified:
                users[u.yammer_id] = u
            if m.group:
                groups[m.group.yammer_id] = m.group
            threads.add(m.thread_id)
        refs: list[dict[str, Any]] = [self.user_json(u) for u in users.values()]
        refs += [self.group_json(g) for g in groups.values()]
        for tid in sorted(threads):
            in_thread = [x for x in self.fake.messages if x.thread_id == tid and x.deleted_at is None]
            latest = max(in_thread, key=lambda x: x.id) if in_thread else None
            refs.append(
                {
                    "type": "thread",
                    "id": tid,
                    "thread_starter_id": tid,
                    "stats": {
                        "updates": len(in_thread),
                        "latest_reply_id": latest.id if latest else None,
                        "latest_reply_at": yammer_created_at(latest.created_at) if latest else None,
                    },
                }
            )
        return refs

    # -- visibility ----------------------------------------------------------------------------
    def can_see(self, u: User, m: Message) -> bool:
        if m.deleted_at is not None:
            return False
        if m.private:
            return u in (m.participants or [])
        assert m.group is not None
        return (not m.group.deleted) and (m.group.privacy == "public" or m.group.is_member(u))

    def _capped(self, msgs: list[Message]) -> list[Message]:
        """Drop all but the `feed_reply_cap` latest replies of each thread (the "subset" the docs warn of)."""
        cap = self.fake.feed_reply_cap
        if cap is None:
            return msgs
        kept: list[Message] = []
        per_thread: dict[int, int] = {}
        for m in sorted(msgs, key=lambda x: -x.id):
            if m.id == m.thread_id:
                kept.append(m)
                continue
            per_thread[m.thread_id] = per_thread.get(m.thread_id, 0) + 1
            if per_thread[m.thread_id] <= cap:
                kept.append(m)
        return kept

    def _feed(self, req: Request, msgs: list[Message], feed_name: str, *, cap: bool = True) -> Response:
        """One page of a feed, as messagesjson documents it."""
        u: User = req.user  # type: ignore[attr-defined]
        older = req.arg("older_than")
        newer = req.arg("newer_than")
        older_i, newer_i = _int(older), _int(newer)
        if (older is not None and older_i is None) or (newer is not None and newer_i is None):
            return yammer_error(400, "older_than and newer_than take a message id (an integer).")
        threaded = req.arg("threaded")
        if threaded not in (None, "true", "extended", "false"):
            return yammer_error(400, "threaded takes true or extended.")
        msgs = self._capped(msgs) if cap else msgs
        if threaded in ("true", "extended"):
            msgs = [m for m in msgs if m.id == m.thread_id]
        msgs.sort(key=lambda m: -m.id)
        if older_i is not None:
            msgs = [m for m in msgs if m.id < older_i]
        if newer_i is not None:
            msgs = [m for m in msgs if m.id > newer_i]
        size = PAGE
        limit = _int(req.arg("limit"))
        if threaded in ("true", "extended") and limit is not None and limit > 0:
            size = min(limit, PAGE)
        page = msgs[:size]
        body: dict[str, Any] = {
            "messages": [self.message_json(m) for m in page],
            "references": self._references(page),
            "meta": {
                "older_available": len(msgs) > len(page),
                "requested_poll_interval": 60,
                "current_user_id": u.yammer_id,
                "feed_name": feed_name,
                "liked_message_ids": [m.id for m in page if u in m.liked_by],
                "followed_user_ids": [],
            },
        }
        if threaded == "extended":
            ext: dict[str, list[dict[str, Any]]] = {}
            for m in page:
                replies = sorted(
                    (x for x in self.fake.messages if x.thread_id == m.id and x.id != m.id and self.can_see(u, x)),
                    key=lambda x: -x.id,
                )[:2]
                ext[str(m.id)] = [self.message_json(x) for x in replies]
            body["threaded_extended"] = ext
        return Response.json(200, body)

    # -- feeds -------------------------------------------------------------------------------
    def feed_all(self, req: Request) -> Response:
        u: User = req.user  # type: ignore[attr-defined]
        msgs = [m for m in self.fake.messages if not m.private and self.can_see(u, m)]
        return self._feed(req, msgs, "All")

    def _group_or_error(self, req: Request, gid: int) -> tuple[Group | None, Response | None]:
        g = self.fake.group_by_yammer_id(gid)
        if g is None:
            return None, yammer_error(404, "Group not found.")
        if g.privacy == "private" and not g.is_member(req.user):  # type: ignore[attr-defined]
            return None, yammer_error(403, "You do not have access to this private group.")
        return g, None

    def feed_group(self, req: Request) -> Response:
        g, err = self._group_or_error(req, int(req.params["id"]))
        if err:
            return err
        u: User = req.user  # type: ignore[attr-defined]
        msgs = [m for m in self.fake.messages if m.group is g and self.can_see(u, m)]
        return self._feed(req, msgs, g.display_name if g else "")

    def feed_private(self, req: Request) -> Response:
        u: User = req.user  # type: ignore[attr-defined]
        msgs = [m for m in self.fake.messages if m.private and self.can_see(u, m)]
        if self.fake.private_feed_received_only:
            msgs = [m for m in msgs if m.sender is not u]
        return self._feed(req, msgs, "Private messages")

    def feed_sent(self, req: Request) -> Response:
        u: User = req.user  # type: ignore[attr-defined]
        msgs = [m for m in self.fake.messages if m.sender is u and self.can_see(u, m)]
        return self._feed(req, msgs, "Sent")

    def feed_thread(self, req: Request) -> Response:
        u: User = req.user  # type: ignore[attr-defined]
        tid = int(req.params["id"])
        thread = [m for m in self.fake.messages if m.thread_id == tid and m.deleted_at is None]
        if not thread:
            return yammer_error(404, "Thread not found.")
        if not self.can_see(u, thread[0]):
            return yammer_error(403, "You do not have access to this thread.")
        return self._feed(req, [m for m in thread if self.can_see(u, m)], "Thread", cap=False)

    def get_message(self, req: Request) -> Response:
        u: User = req.user  # type: ignore[attr-defined]
        m = self.fake.message_by_id(int(req.params["id"]))
        if m is None or m.deleted_at is not None:
            return yammer_error(404, "Message not found.")
        if not self.can_see(u, m):
            return yammer_error(403, "You do not have access to this message.")
        return Response.json(
            200,
            {"messages": [self.message_json(m)], "references": self._references([m]), "meta": {"current_user_id": u.yammer_id}},
        )

    # -- writing ---------------------------------------------------------------------------------
    def post_message(self, req: Request) -> Response:
        """https://learn.microsoft.com/en-us/rest/api/yammer/messages-json-post"""
        f = self.fake
        u: User = req.user  # type: ignore[attr-defined]
        try:
            data = req.form_or_json()
        except ValueError:
            return yammer_error(400, "The request body is not valid JSON.")
        body = data.get("body")
        if not isinstance(body, str) or not body.strip():
            return yammer_error(400, "Please include a message body.")
        group_id, reply_id = data.get("group_id"), data.get("replied_to_id")
        direct = data.get("direct_to_user_ids")
        if direct is not None:  # a JSON array, repeated form keys, or "1,2": all mean the same ids
            raw_ids = direct if isinstance(direct, list) else [direct]
            direct = [d for item in raw_ids for d in re.split(r"[,\s]+", str(item)) if d]
        now = f.clock.now()
        group: Group | None = None
        participants: list[User] | None = None
        thread_id: int | None = None
        parent: Message | None = None
        if reply_id not in (None, ""):
            rid = _int(reply_id)
            parent = f.message_by_id(rid) if rid is not None else None
            if parent is None or parent.deleted_at is not None:
                return yammer_error(404, "The message you are replying to does not exist.")
            if not self.can_see(u, parent):
                return yammer_error(403, "You do not have access to the message you are replying to.")
            group, participants, thread_id = parent.group, parent.participants, parent.thread_id
            if group is not None and not group.is_member(u):  # fake's choice: replying needs membership, as posting does
                return yammer_error(403, "You are not a member of this group.")
        elif direct:
            if not f.private_messages_enabled:
                return yammer_error(403, "Private messages are disabled in this network.")
            if group_id not in (None, ""):
                return yammer_error(400, "Give either group_id or direct_to_user_ids, not both.")
            participants = [u]
            for raw in direct:
                target = f.user_by_yammer_id(_int(raw) or -1)
                if target is None:
                    return yammer_error(404, f"User {raw} not found.")
                if target not in participants:
                    participants.append(target)
            if len(participants) < 2:
                return yammer_error(400, "A private message needs a recipient other than yourself.")
        elif group_id not in (None, ""):
            gid = _int(group_id)
            group = f.group_by_yammer_id(gid) if gid is not None else None
            if group is None:
                return yammer_error(404, "Group not found.")
            if not group.is_member(u):
                return yammer_error(403, "You are not a member of this group.")
        else:
            group = next((g for g in f.groups if g.all_company and not g.deleted), None)
            if group is None:
                return yammer_error(400, "Give group_id, replied_to_id or direct_to_user_ids.")
        notified = [x for x in (f.user_by_yammer_id(int(i)) for i in MENTION.findall(body)) if x is not None]
        mid = f.ids.message()
        m = Message(
            id=mid,
            sender=u,
            body=body,
            created_at=now,
            thread_id=thread_id or mid,
            replied_to_id=parent.id if parent else None,
            group=group,
            participants=participants,
            notified=notified,
        )
        f.messages.append(m)
        for hook in list(f.on_message):
            hook(m)
        return Response.json(
            201,
            {"messages": [self.message_json(m)], "references": self._references([m]), "meta": {"current_user_id": u.yammer_id}},
        )

    def _message_param(self, req: Request) -> tuple[Message | None, Response | None]:
        try:
            data = req.form_or_json()
        except ValueError:
            return None, yammer_error(400, "The request body is not valid JSON.")
        mid = _int(data.get("message_id"))
        if mid is None:
            return None, yammer_error(400, "message_id is required.")
        m = self.fake.message_by_id(mid)
        if m is None or m.deleted_at is not None:
            return None, yammer_error(404, "Message not found.")
        if not self.can_see(req.user, m):  # type: ignore[attr-defined]
            return None, yammer_error(403, "You do not have access to this message.")
        return m, None

    def like(self, req: Request) -> Response:
        m, err = self._message_param(req)
        if err:
            return err
        u: User = req.user  # type: ignore[attr-defined]
        if m is not None and u not in m.liked_by:  # liking twice changes nothing (fake's choice)
            m.liked_by.append(u)
        return Response.empty(201)

    def unlike(self, req: Request) -> Response:
        m, err = self._message_param(req)
        if err:
            return err
        u: User = req.user  # type: ignore[attr-defined]
        if m is not None and u in m.liked_by:
            m.liked_by.remove(u)
        return Response.empty(200)

    def delete_message(self, req: Request) -> Response:
        f = self.fake
        u: User = req.user  # type: ignore[attr-defined]
        m = f.message_by_id(int(req.params["id"]))
        if m is None or m.deleted_at is not None:
            return yammer_error(404, "Message not found.")
        if not (m.sender is u or u.verified_admin or (m.group is not None and m.group.is_admin(u))):
            return yammer_error(403, "You cannot delete this message.")
        m.deleted_at = f.clock.now()
        f.deleted_by[m.id] = u
        return Response.empty(200)

    # -- users and groups ---------------------------------------------------------------------
    def current_user(self, req: Request) -> Response:
        return Response.json(200, self.user_json(req.user))  # type: ignore[attr-defined]

    def list_users(self, req: Request) -> Response:
        """All active users, 50 a page (page=N), optionally by first letter (letter=a)."""
        users = [u for u in self.fake.users if u.state == "active"]
        letter = (req.arg("letter") or "").lower()
        if letter:
            users = [u for u in users if u.mail.lower().startswith(letter)]
        page = max(1, _int(req.arg("page")) or 1)
        return Response.json(200, [self.user_json(u) for u in users[(page - 1) * USERS_PAGE : page * USERS_PAGE]])

    def get_user(self, req: Request) -> Response:
        """usersidjson: "This endpoint does not accept Azure Active Directory user IDs which are in GUID format"."""
        u = self.fake.user_by_yammer_id(int(req.params["id"]))
        return Response.json(200, self.user_json(u)) if u else yammer_error(404, "User not found.")

    def user_by_email(self, req: Request) -> Response:
        email = req.arg("email")
        if not email:
            return yammer_error(400, "email is required.")
        u = self.fake.find_user(email)
        return Response.json(200, [self.user_json(u)]) if u else yammer_error(404, "User not found.")

    def users_in_group(self, req: Request) -> Response:
        g, err = self._group_or_error(req, int(req.params["id"]))
        if err or g is None:
            return err or yammer_error(404, "Group not found.")
        page = max(1, _int(req.arg("page")) or 1)
        people = self.fake.users if g.all_company else list(dict.fromkeys(g.owners + g.members))
        chunk = people[(page - 1) * USERS_PAGE : page * USERS_PAGE]
        return Response.json(
            200,
            {
                "users": [dict(self.user_json(x), is_group_admin=g.is_admin(x)) for x in chunk],
                "more_available": page * USERS_PAGE < len(people),
            },
        )

    def list_groups(self, req: Request) -> Response:
        u: User = req.user  # type: ignore[attr-defined]
        groups = [g for g in self.fake.groups if not g.deleted and (g.privacy == "public" or g.is_member(u))]
        if req.arg("mine") in ("1", "true"):
            groups = [g for g in groups if g.is_member(u)]
        page = max(1, _int(req.arg("page")) or 1)
        return Response.json(200, [self.group_json(g) for g in groups[(page - 1) * GROUPS_PAGE : page * GROUPS_PAGE]])

    def groups_for_user(self, req: Request) -> Response:
        me: User = req.user  # type: ignore[attr-defined]
        who = self.fake.user_by_yammer_id(int(req.params["id"]))
        if who is None:
            return yammer_error(404, "User not found.")
        groups = [
            g for g in self.fake.groups if not g.deleted and g.is_member(who) and (g.privacy == "public" or g.is_member(me))
        ]
        return Response.json(200, [self.group_json(g) for g in groups])

    def get_group(self, req: Request) -> Response:
        g, err = self._group_or_error(req, int(req.params["id"]))
        return err or Response.json(200, self.group_json(g))  # type: ignore[arg-type]

    def _membership_target(self, req: Request) -> tuple[Group | None, User | None, Response | None]:
        f = self.fake
        try:
            data = req.form_or_json()
        except ValueError:
            return None, None, yammer_error(400, "The request body is not valid JSON.")
        gid = _int(data.get("group_id"))
        if gid is None:
            return None, None, yammer_error(400, "group_id is required.")
        g = f.group_by_yammer_id(gid)
        if g is None:
            return None, None, yammer_error(404, "Group not found.")
        me: User = req.user  # type: ignore[attr-defined]
        target = me
        if data.get("user_id") not in (None, "") or data.get("email") not in (None, ""):
            target = (
                f.user_by_yammer_id(_int(data.get("user_id")) or -1)
                if data.get("user_id") not in (None, "")
                else f.find_user(str(data.get("email")))
            )
            if target is None:
                return None, None, yammer_error(404, "User not found.")
            if target is not me and not (g.is_admin(me) or me.verified_admin):
                return None, None, yammer_error(403, "Only group admins can change other people's membership.")
        return g, target, None

    def join_group(self, req: Request) -> Response:
        g, target, err = self._membership_target(req)
        if err or g is None or target is None:
            return err or yammer_error(400, "bad request")
        me: User = req.user  # type: ignore[attr-defined]
        if target is me and g.privacy == "private" and not (g.is_member(me) or me.verified_admin):
            return yammer_error(403, "This group is private: an admin must add you.")
        if not g.is_member(target):
            g.members.append(target)
            g.updated_at = self.fake.clock.now()
        return Response.empty(201)

    def leave_group(self, req: Request) -> Response:
        g, target, err = self._membership_target(req)
        if err or g is None or target is None:
            return err or yammer_error(400, "bad request")
        if target in g.members:
            g.members.remove(target)
            g.updated_at = self.fake.clock.now()
        return Response.empty(200)

    # -- Data Export -------------------------------------------------------------------------------
    def export(self, req: Request) -> Response:
        """https://learn.microsoft.com/en-us/rest/api/yammer/network-data-export: verified admins only;
        since (required), until, model (repeatable), include=csv|all; answers a zip of CSV files."""
        u: User = req.user  # type: ignore[attr-defined]
        if not u.verified_admin:
            return yammer_error(403, "The Data Export API can only be used by Verified Administrators.")
        return export_zip(self.fake, req)
