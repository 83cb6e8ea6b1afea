"""A run of `send_once` in its own process (tests/network/engage/test_exactly_once.py): argv[1] is a
JSON object with the fake's addresses, the tokens, the store and what to send."""

from __future__ import annotations

import json
import sys

from rse_cli.config import Settings
from rse_cli.domain import Message
from rse_cli.network.engage import build
from rse_cli.network.engage.settings import engage_settings
from rse_cli.services.writes import send_once
from rse_cli.store import Store


def main() -> None:
    job = json.loads(sys.argv[1])
    settings = Settings(network="engage", engage=job["engage"], store=job["store"])
    net = build(
        settings, engage_settings(settings), graph_token=lambda fresh: job["graph"], yammer_token=lambda fresh: job["yammer"]
    )
    store = Store(job["store"])
    room = job.get("room")
    sent = send_once(
        net,
        store,
        action=job["action"],
        target=job["target"],
        room_id=room,
        message=Message(job["text"]),
        room_for=lambda: net.direct_room(job["to"]),
    )
    print(json.dumps({"sent": sent.sent, "event_id": sent.event_id}))
    net.close()
    store.close()


if __name__ == "__main__":
    main()
