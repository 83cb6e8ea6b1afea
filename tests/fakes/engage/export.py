"""The Network Data Export API: GET /api/v1/export?since=...&until=...&model=...&include=csv
(https://learn.microsoft.com/en-us/rest/api/yammer/network-data-export; a recurring-export script on
https://learn.microsoft.com/en-us/rest/api/yammer/code-samples passes since as ISO-8601).

The answer is a zip with one CSV per model: Messages.csv, Users.csv, Groups.csv. Content "generated
or modified within a specified time range": a message is in [since, until) when it was created or
deleted there; users and groups when created or updated there. The columns are those of real exports
(the Messages.csv columns read by importers of Yammer exports: id, replied_to_id, thread_id, group_id,
participants as "user:ID,...", in_private_conversation, sender_id, body, created_at, deleted_at, ...).
Likes are not part of a network export.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from .http import Request, Response

if TYPE_CHECKING:
    from .fake import FakeEngage

# Messages.csv: "the message ID, thread ID, group ID, group name, GDPR deletion URL (gdpr_delete_url),
# privacy status, sender ID, name and email, the full body of the message, attachments, and creation and
# deletion information" (Microsoft's export page, export-viva-engage-enterprise-data in MicrosoftDocs/Viva,
# https://learn.microsoft.com/en-us/viva/engage/manage-security-and-compliance/export-viva-engage-enterprise-data).
# The exact column names are not on that page: these are the ones importers of real exports read
# (a migration vendor's column constants and Yamster's reader); their order is not documented.
MESSAGE_COLUMNS = [
    "id",
    "replied_to_id",
    "parent_id",
    "thread_id",
    "conversation_id",
    "group_id",
    "group_name",
    "participants",
    "in_private_group",
    "in_private_conversation",
    "sender_id",
    "sender_type",
    "sender_name",
    "sender_email",
    "body",
    "delegate_id",
    "api_url",
    "attachments",
    "deleted_by_id",
    "deleted_by_type",
    "created_at",
    "deleted_at",
    "title",
    "html_body",
    "message_type",
    "gdpr_delete_url",
]
USER_COLUMNS = [
    "id",
    "name",
    "email",
    "job_title",
    "location",
    "department",
    "api_url",
    "joined_at",
    "deleted_by_id",
    "deleted_by_type",
    "deleted_at",
    "suspended_by_id",
    "suspended_by_type",
    "suspended_at",
    "guid",
    "state",
]
GROUP_COLUMNS = [
    "id",
    "name",
    "description",
    "private",
    "deleted",
    "creator_id",
    "creator_type",
    "created_at",
    "updated_at",
    "api_url",
]
MODELS = {"Message", "User", "Group"}


def _parse(value: str) -> float:
    d = datetime.fromisoformat(value.replace(" ", "+"))  # a '+' in a query string arrives as a space
    if d.tzinfo is None:
        d = d.replace(tzinfo=UTC)
    return d.timestamp()


def _fmt(ts: float | None) -> str:
    if ts is None:
        return ""
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _csv(columns: list[str], rows: list[dict[str, object]]) -> bytes:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, lineterminator="\r\n")
    w.writeheader()
    for row in rows:
        w.writerow({c: "" if row.get(c) is None else row.get(c) for c in columns})
    return buf.getvalue().encode("utf-8")


def export_zip(fake: FakeEngage, req: Request) -> Response:
    from .yammer import yammer_error

    since_raw = req.arg("since")
    if not since_raw:
        return yammer_error(400, "since is required (an ISO-8601 date and time).")
    try:
        since = _parse(since_raw)
        until = _parse(req.arg("until")) if req.arg("until") else fake.clock.now()
    except ValueError:
        return yammer_error(400, "since and until must be ISO-8601 dates, e.g. 2026-11-01T00:00:00+00:00.")
    if until < since:
        return yammer_error(400, "until is before since.")
    models = set(req.args("model")) or MODELS
    unknown = models - MODELS - {"Topic", "UploadedFile", "Document", "Poll"}
    if unknown:
        return yammer_error(400, f"Unknown model: {sorted(unknown)[0]}.")
    include = req.arg("include") or "all"
    if include not in ("csv", "all"):
        return yammer_error(400, "include takes csv or all.")

    def within(*stamps: float | None) -> bool:
        return any(s is not None and since <= s < until for s in stamps)

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        if "Message" in models:
            rows = []
            for m in sorted(fake.messages, key=lambda x: x.id):
                if not within(m.created_at, m.deleted_at):
                    continue
                deleter = fake.deleted_by.get(m.id)
                rows.append(
                    {
                        "id": m.id,
                        "replied_to_id": m.replied_to_id,
                        "parent_id": m.replied_to_id,
                        "thread_id": m.thread_id,
                        "conversation_id": m.thread_id,
                        "group_id": m.group.yammer_id if m.group else None,
                        "group_name": m.group.display_name if m.group else None,
                        "participants": ",".join(f"user:{u.yammer_id}" for u in (m.participants or [])),
                        "in_private_group": str(bool(m.group and m.group.privacy == "private")).lower(),
                        "in_private_conversation": str(m.private).lower(),
                        "sender_id": m.sender.yammer_id,
                        "sender_type": "User",
                        "sender_name": m.sender.display_name,
                        "sender_email": m.sender.mail,
                        "body": m.body,
                        "api_url": f"{fake.yammer_url}/messages/{m.id}",
                        "attachments": "",
                        "deleted_by_id": deleter.yammer_id if deleter else None,
                        "deleted_by_type": "User" if deleter else None,
                        "created_at": _fmt(m.created_at),
                        "deleted_at": _fmt(m.deleted_at),
                        "html_body": m.body,
                        "message_type": "update",
                        "gdpr_delete_url": f"{fake.yammer_url}/messages/{m.id}",
                    }
                )
            z.writestr("Messages.csv", _csv(MESSAGE_COLUMNS, rows))
        if "User" in models:
            z.writestr(
                "Users.csv",
                _csv(
                    USER_COLUMNS,
                    [
                        {
                            "id": u.yammer_id,
                            "name": u.display_name,
                            "email": u.mail,
                            "job_title": u.job_title,
                            "department": u.department,
                            "api_url": f"{fake.yammer_url}/users/{u.yammer_id}",
                            "joined_at": _fmt(u.created_at),
                            "guid": u.graph_id,
                            "state": u.state,
                        }
                        for u in fake.users
                        if within(u.created_at)
                    ],
                ),
            )
        if "Group" in models:
            z.writestr(
                "Groups.csv",
                _csv(
                    GROUP_COLUMNS,
                    [
                        {
                            "id": g.yammer_id,
                            "name": g.display_name,
                            "description": g.description,
                            "private": str(g.privacy == "private").lower(),
                            "deleted": str(g.deleted).lower(),
                            "creator_id": g.creator.yammer_id if g.creator else None,
                            "creator_type": "User",
                            "created_at": _fmt(g.created_at),
                            "updated_at": _fmt(g.updated_at or g.created_at),
                            "api_url": f"{fake.yammer_url}/groups/{g.yammer_id}",
                        }
                        for g in fake.groups
                        if within(g.created_at, g.updated_at)
                    ],
                ),
            )
    return Response(
        200,
        out.getvalue(),
        {"Content-Type": "application/zip", "Content-Disposition": f"attachment; filename=export-{int(since)}.zip"},
    )
