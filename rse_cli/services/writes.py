"""Every write to the network goes through here: journaled, and idempotent where it can be.

A post's transaction id is derived from what is being done (profile, action, target, text),
never from a counter, so a retried or re-run command reuses it. The store also remembers
what was sent, because the server only deduplicates per device and for about a day.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rse_cli.domain import Sent
from rse_cli.errors import RseError, ServerError
from rse_cli.network.base import Message, Network
from rse_cli.store import Store
from rse_cli.store.attempts import end_send, start_send, unfinished_send


@contextmanager
def journaled(store: Store, action: str, target: str) -> Iterator[dict[str, str | None]]:
    """Journal the write done inside the block: outcome 'ok' unless the block sets another."""
    record: dict[str, str | None] = {"outcome": "ok", "detail": None}
    try:
        yield record
    except RseError as exc:
        store.journal(action, target, "failed", exc.errcode or type(exc).__name__)
        raise
    except BaseException as exc:  # interrupted or a bug: still leave a trace
        store.journal(action, target, "failed", type(exc).__name__)
        raise
    store.journal(action, target, record["outcome"] or "ok", record["detail"])


def txn_key(store: Store, action: str, target: str, text: str, *, again: bool = False) -> str:
    nonce = str(time.time_ns()) if again else ""
    digest = hashlib.sha256("\x1f".join((store.profile, action, target, text, nonce)).encode()).hexdigest()
    return f"rse.{action}.{digest[:32]}"


def send_once(
    network: Network,
    store: Store,
    *,
    action: str,
    target: str,
    room_id: str | None,
    message: Message,
    again: bool = False,
    room_for: Callable[[], str] | None = None,
) -> Sent:
    """Send `message` unless this very send was done before (then return it, `sent=False`).

    `room_for` lazily finds the room (a DM may need creating) only when something is sent.
    Where the server does not deduplicate (capabilities.server_idempotency False), the attempt
    is recorded before the send and the result after; a run that died in between asks the
    network for its own message (`find_sent`) instead of sending it again.
    """
    key = txn_key(store, action, target, message.text, again=again)
    done = store.sent(key)
    if done is not None:
        store.journal(action, target, "unchanged", f"already sent as {done['event_id']}")
        return Sent(room_id=done["room_id"], event_id=done["event_id"], txn_id=done["txn_id"], sent=False)
    if not network.capabilities.server_idempotency:
        return _send_recorded(
            network, store, key, action=action, target=target, room_id=room_id, message=message, room_for=room_for
        )
    with journaled(store, action, target) as record:
        room = room_id or _room(room_for)
        result = network.send(room, message, key)
        store.record_sent(key, room, key, result.event_id)
        record["detail"] = result.event_id
    return result


def _room(room_for: Callable[[], str] | None) -> str:
    if room_for is None:
        raise ValueError("send_once needs room_id or room_for")
    return room_for()


def _send_recorded(
    network: Network,
    store: Store,
    key: str,
    *,
    action: str,
    target: str,
    room_id: str | None,
    message: Message,
    room_for: Callable[[], str] | None,
) -> Sent:
    """Exactly once without the server's help: attempt recorded, then sent, then result recorded."""
    with journaled(store, action, target) as record:
        attempt = unfinished_send(store, key)
        if attempt is not None:
            found = network.find_sent(attempt.room_id, message, attempt.started_ms)
            if found is not None:
                store.record_sent(key, attempt.room_id, key, found.event_id)
                end_send(store, key)
                record.update(outcome="recovered", detail=f"sent by an interrupted run as {found.event_id}")
                return Sent(room_id=attempt.room_id, event_id=found.event_id, txn_id=key, sent=False)
        room = room_id or (attempt.room_id if attempt is not None else _room(room_for))
        start_send(store, key, room, int(time.time() * 1000))
        try:
            result = network.send(room, message, key)
        except ServerError as exc:
            if 400 <= exc.status < 500 and exc.status != 408:
                end_send(store, key)  # refused outright: nothing was posted, nothing to look for
            raise
        if os.environ.get("RSE_TEST_EXIT_AFTER_SEND"):
            os._exit(int(os.environ["RSE_TEST_EXIT_AFTER_SEND"]))  # tests: die between the send and its record
        store.record_sent(key, room, key, result.event_id)
        end_send(store, key)
        record["detail"] = result.event_id
    return result
