"""Matrix: which rooms received anything since a token (`Network.changed_since`).

Rooms the account has joined: one incremental `/sync` with a filter that keeps only what says
"this room changed" (timeline limit 1; no state, presence, receipts, typing or account data),
`timeout=0` so it never waits. Measured on Synapse 1.163 (1,200 joined rooms): ~10 ms when
nothing changed, ~30 ms with 3 changed rooms, whatever the number of rooms. The first token
comes from a `/sync` whose filter excludes every room (`room.rooms: []`), which Synapse answers
without looking at any room (~20 ms).

Rooms an admin reads without having joined them (Synapse's admin messages API) are invisible
to `/sync`, and Synapse's admin API has no per-room activity marker (its room list gives names,
member and state-event counts, no stream position). They are reported as "may have changed"
every time, from one listing of the server's rooms (500 per request), so the caller reads them
from their checkpoints (one request each when nothing is new). Spaces are left out: a space the
account has not joined is not one of its communities.

A full-state `/sync` listing every space's children would name those rooms more precisely, but
costs the server ~5 s at 1,200 rooms: not worth it on every run.
"""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from rse_cli.errors import NotFoundError, ServerError

if TYPE_CHECKING:
    from rse_cli.network.http import HttpClient

C = "/_matrix/client/v3"
ADMIN = "/_synapse/admin"
_QUIET: dict[str, Any] = {"presence": {"types": []}, "account_data": {"types": []}}
# only the rooms with something new, each with at most its last event
CHANGES_FILTER: dict[str, Any] = {
    **_QUIET,
    "room": {
        "timeline": {"limit": 1},
        "state": {"types": []},
        "ephemeral": {"types": []},
        "account_data": {"types": []},
    },
}
# no room at all: just the current position
NOW_FILTER: dict[str, Any] = {**_QUIET, "room": {"rooms": []}}


def _fresh(spec: dict[str, Any]) -> str:
    """The filter, made unique to this call: Synapse answers a repeated identical /sync request
    (same filter string, same `since`) from a cache for two minutes (`sync_response_cache_duration`;
    empty incremental answers excepted): the first token would then be a position up to two
    minutes old. Checked on Synapse 1.163: without this, a sync's first token predated messages
    sent a minute before it."""
    nonce = {"not_rooms": [f"!{uuid.uuid4().hex}:rse.invalid"]}
    return json.dumps({**spec, "room": {**spec["room"], **nonce}}, separators=(",", ":"))


ADMIN_PAGE = 500


def current_token(http: HttpClient) -> str:
    """The server's current position, without reading any room."""
    return str(http.get(f"{C}/sync", params={"filter": _fresh(NOW_FILTER), "timeout": 0})["next_batch"])


def joined_changes(http: HttpClient, since: str) -> tuple[set[str], str] | None:
    """Joined rooms with anything new since `since` (rooms left since then too: their end must be
    read), and the next token; None when the server no longer accepts the token."""
    try:
        answer = http.get(f"{C}/sync", params={"filter": _fresh(CHANGES_FILTER), "since": since, "timeout": 0})
    except (ServerError, NotFoundError) as exc:
        if exc.status in (400, 404):  # an unknown or expired token: start again from now
            return None
        raise
    rooms = answer.get("rooms") or {}
    return set(rooms.get("join") or {}) | set(rooms.get("leave") or {}), str(answer["next_batch"])


def server_rooms(http: HttpClient) -> set[str]:
    """Every room (not space) on the server (admins only)."""
    out: set[str] = set()
    start = 0
    while True:
        page = http.get(f"{ADMIN}/v1/rooms", params={"from": start, "limit": ADMIN_PAGE, "order_by": "name"})
        out |= {r["room_id"] for r in page.get("rooms", []) if r.get("room_type") != "m.space"}
        nxt = page.get("next_batch")
        if nxt is None or not page.get("rooms"):
            return out
        start = int(nxt)


def changed_since(http: HttpClient, token: str | None, *, admin: bool) -> tuple[set[str] | None, str | None]:
    """What `MatrixNetwork.changed_since` answers (see the module docstring)."""
    if token is None:
        return None, current_token(http)
    if not admin:
        found = joined_changes(http, token)
        return (None, current_token(http)) if found is None else found
    # independent questions, asked at once: a re-sync waits one round trip rather than three
    with ThreadPoolExecutor(max_workers=2) as pool:
        every = pool.submit(server_rooms, http)
        joined = pool.submit(lambda: set(http.get(f"{C}/joined_rooms").get("joined_rooms", [])))
        found = joined_changes(http, token)
        if found is None:
            return None, current_token(http)
        changed, nxt = found
        return changed | (every.result() - joined.result()), nxt
