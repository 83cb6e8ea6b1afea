"""Every write to the network goes through here: journaled, and idempotent where it can be.

A post's transaction id is derived from what is being done (profile, action, target, text),
never from a counter, so a retried or re-run command reuses it. The store also remembers
what was sent, because the server only deduplicates per device and for about a day.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager

from rse_cli.domain import Sent
from rse_cli.errors import RseError
from rse_cli.network.base import Message, Network
from rse_cli.store import Store


@contextmanager
def journaled(store: Store, action: str, target: str) -> Iterator[dict]:
    """Journal the write done inside the block: outcome 'ok' unless the block sets another."""
    record = {"outcome": "ok", "detail": None}
    try:
        yield record
    except RseError as exc:
        store.journal(action, target, "failed", exc.errcode or type(exc).__name__)
        raise
    except BaseException as exc:  # interrupted or a bug: still leave a trace
        store.journal(action, target, "failed", type(exc).__name__)
        raise
    store.journal(action, target, record["outcome"], record["detail"])


def txn_key(store: Store, action: str, target: str, text: str, *, again: bool = False) -> str:
    nonce = str(time.time_ns()) if again else ""
    digest = hashlib.sha256("\x1f".join((store.profile, action, target, text, nonce)).encode()).hexdigest()
    return f"rse.{action}.{digest[:32]}"


def send_once(network: Network, store: Store, *, action: str, target: str, room_id: str | None,
              message: Message, again: bool = False, room_for=None) -> Sent:
    """Send `message` unless this very send was done before (then return it, `sent=False`).

    `room_for` lazily finds the room (a DM may need creating) only when something is sent.
    """
    key = txn_key(store, action, target, message.text, again=again)
    done = store.sent(key)
    if done is not None:
        store.journal(action, target, "unchanged", f"already sent as {done['event_id']}")
        return Sent(room_id=done["room_id"], event_id=done["event_id"], txn_id=done["txn_id"], sent=False)
    with journaled(store, action, target) as record:
        room = room_id or room_for()
        result = network.send(room, message, key)
        store.record_sent(key, room, key, result.event_id)
        record["detail"] = result.event_id
    return result
