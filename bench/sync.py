"""Benchmark: `rse sync` of one room of 50,000 events against a bare paginated httpx reader on
the same local Synapse (goal: rse reaches >= 80% of the bare event rate), then a re-sync
after 1% new events (goal: < 10% of the full sync's time).

Starts its own Synapse (raised rate limits, the sandbox's application service), fills one
room through the application service with concurrent sends, then reads it back both ways
(both through the admin messages API, as rse does when it runs as an admin).

    python bench/sync.py [--events 50000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def fill(url: str, as_token: str, room_id: str, user: str, count: int, workers: int = 16) -> float:
    """Send `count` messages (a quarter are replies) as `user`; returns the seconds taken."""
    started = time.perf_counter()
    client = httpx.Client(
        base_url=url, headers={"Authorization": f"Bearer {as_token}"}, timeout=60, limits=httpx.Limits(max_connections=workers)
    )

    def one(i: int) -> None:
        content = {"msgtype": "m.text", "body": f"message {i} {'?' if i % 7 == 0 else ''}", "m.mentions": {}}
        r = client.put(
            f"/_matrix/client/v3/rooms/{room_id}/send/m.room.message/{uuid.uuid4().hex}", params={"user_id": user}, json=content
        )
        r.raise_for_status()

    with ThreadPoolExecutor(workers) as pool:
        for n, _ in enumerate(pool.map(one, range(count)), 1):
            if n % 5000 == 0:
                rate = n / (time.perf_counter() - started)
                print(f"  sent {n:,}/{count:,} ({rate:.0f}/s)", file=sys.stderr, flush=True)
    client.close()
    return time.perf_counter() - started


def bare_read(url: str, token: str, room_id: str) -> tuple[int, float]:
    """The baseline: page through the room with plain httpx, counting events."""
    started = time.perf_counter()
    n, token_from = 0, None
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
        while True:
            params = {"dir": "f", "limit": 1000}
            if token_from:
                params["from"] = token_from
            page = client.get(f"/_synapse/admin/v1/rooms/{room_id}/messages", params=params).raise_for_status().json()
            n += len(page.get("chunk", []))
            if not page.get("chunk") or not page.get("end"):
                break
            token_from = page["end"]
    return n, time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=50_000)
    ap.add_argument("--keep", type=Path, help="keep the server's data here")
    ap.add_argument(
        "--fill-workers",
        type=int,
        default=4,
        help="concurrent sends while filling (more forks the room's history: Synapse then slows down)",
    )
    args = ap.parse_args()

    from rse_cli.config import Settings
    from rse_cli.network.matrix import MatrixNetwork
    from rse_cli.sandbox.server import SynapseServer
    from rse_cli.services.sync import sync
    from rse_cli.store import Store

    # the server on tmpfs when there is one: filling 50,000 events is then about 3x faster
    work = args.keep or Path(tempfile.mkdtemp(prefix="rse-bench-sync-", dir="/dev/shm" if Path("/dev/shm").is_dir() else None))
    srv = SynapseServer(work / "synapse")
    srv.start()
    try:
        admin = srv.register_user("bench", "bench-password", admin=True)
        token = srv.login("bench", "bench-password")["access_token"]
        settings = Settings(homeserver=srv.url, user=admin, concurrency=8)
        net = MatrixNetwork.from_settings(settings, token=token)
        community = net.create_community("Bench", alias=f"bench-{uuid.uuid4().hex[:6]}", topic=None)
        room = net.add_room(community, "Général")
        secs = fill(srv.url, srv.appservice_token, room.id, admin, args.events, args.fill_workers)
        print(f"filled one room with {args.events:,} messages in {secs:.0f} s ({args.events / secs:.0f}/s)")

        bare_n, bare_s = bare_read(srv.url, token, room.id)
        store = Store(str(work / "rse.db"))
        started = time.perf_counter()
        results = sync(net, store, [community.id])
        rse_s = time.perf_counter() - started
        rse_n = sum(r.new_events for r in results if r.room_id == room.id)
        bare_rate, rse_rate = bare_n / bare_s, rse_n / rse_s
        print(f"bare httpx reader: {bare_n:,} events in {bare_s:.2f} s = {bare_rate:,.0f} events/s")
        print(f"rse sync:          {rse_n:,} events stored in {rse_s:.2f} s = {rse_rate:,.0f} events/s")
        print(f"ratio rse / bare: {rse_rate / bare_rate:.2f} (goal >= 0.80)")

        extra = max(1, args.events // 100)
        fill(srv.url, srv.appservice_token, room.id, admin, extra, args.fill_workers)
        started = time.perf_counter()
        again = sync(net, store, [community.id])
        re_s = time.perf_counter() - started
        re_n = sum(r.new_events for r in again if r.room_id == room.id)
        print(
            f"re-sync after {extra:,} new events (1%): {re_n:,} events in {re_s:.2f} s = "
            f"{re_s / rse_s:.1%} of the full sync (goal < 10%)"
        )
        ok = rse_rate / bare_rate >= 0.8 and re_s / rse_s < 0.10
        print("PASS" if ok else "FAIL")
        net.close()
    finally:
        srv.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
