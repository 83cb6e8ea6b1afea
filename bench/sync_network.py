"""Benchmark: `rse sync` of a company-shaped network (many communities of a few quiet rooms)
against a bare concurrent reader (8 requests in flight, Synapse's admin messages API, given the
list of rooms), at loopback and through a delaying TCP proxy (issue 15). Each figure is a ratio
measured in the same run:

  1. full sync, rse vs the bare reader, at loopback, +20 ms and +40 ms round trip (goal >= 0.8);
  2. re-sync with nothing new, at +20 ms (goal < 1 s at 120 rooms, < 2 s at 1,000 rooms);
  3. re-sync after 1% of the rooms received messages (goal < 10% of the full sync).

The network is seeded through the sandbox's application service (no rate limit) on a throwaway
Synapse living in /dev/shm: on this kind of VM, SQLite's fsyncs to the virtual disk would
otherwise dominate every request. Creating rooms is the slow part (~6 rooms/s on 2 cores): the
1,000-room network takes about 3 minutes to build (--big-rooms 0 skips it). rse's account is
exempted from rate limits, as MATRIX-NOTES recommends for a real deployment: Synapse limits
`/hierarchy` (how rse reads a community's rooms) to 5 requests/s per account, whatever its
config says, so without the exemption (--no-exempt) a first sync of 167 communities waits ~30 s.

    python bench/sync_network.py [--communities 20 --rooms 5 --events 28 --big-rooms 1000 --keep DIR]
"""

from __future__ import annotations

import argparse
import math
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import httpx

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

from netseed import Seeder
from onboard import ProxyProcess

from rse_cli.config import Settings
from rse_cli.network.matrix import MatrixNetwork
from rse_cli.sandbox.server import SynapseServer
from rse_cli.services.sync import sync
from rse_cli.store import Store

IN_FLIGHT = 8


def bare_read(url: str, token: str, rooms: list[str]) -> tuple[float, int, int]:
    """The baseline: every room paged from its start with 8 requests in flight; (seconds, events, requests)."""
    limits = httpx.Limits(max_connections=IN_FLIGHT, max_keepalive_connections=IN_FLIGHT)
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=120, limits=limits) as client:

        def one(room: str) -> tuple[int, int]:
            n = requests = 0
            start = None
            while True:
                params: dict = {"dir": "f", "limit": 1000}
                if start:
                    params["from"] = start
                page = client.get(f"/_synapse/admin/v1/rooms/{quote(room)}/messages", params=params).raise_for_status().json()
                requests += 1
                n += len(page.get("chunk", []))
                if not page.get("chunk") or not page.get("end"):
                    return n, requests
                start = page["end"]

        started = time.perf_counter()
        with ThreadPoolExecutor(IN_FLIGHT) as pool:
            done = list(pool.map(one, rooms))
        return time.perf_counter() - started, sum(d[0] for d in done), sum(d[1] for d in done)


class Rse:
    """rse's sync service against one URL, with its own store."""

    def __init__(self, url: str, admin: str, token: str, store: Path) -> None:
        self.net = MatrixNetwork.from_settings(Settings(homeserver=url, user=admin, concurrency=IN_FLIGHT), token=token)
        self.store = Store(str(store))

    def sync(self) -> tuple[float, int, int]:
        """(seconds, new events, requests)"""
        before = self.net.http.stats["requests"]
        started = time.perf_counter()
        results = sync(self.net, self.store)
        return time.perf_counter() - started, sum(r.new_events for r in results), self.net.http.stats["requests"] - before

    def close(self) -> None:
        self.net.close()
        self.store.close()


def through(srv: SynapseServer, rtt_ms: float) -> tuple[str, ProxyProcess | None]:
    if not rtt_ms:
        return srv.url, None
    proxy = ProxyProcess(srv.port, rtt_ms / 1000)
    return proxy.url, proxy


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--communities", type=int, default=20)
    ap.add_argument("--rooms", type=int, default=5, help="rooms per community, besides its Space")
    ap.add_argument("--events", type=int, default=28, help="messages per room")
    ap.add_argument("--latencies", type=float, nargs="*", default=[0, 20, 40], help="round trips added, in ms")
    ap.add_argument(
        "--big-rooms", type=int, default=1000, help="grow the network to this many rooms for the last figure (0: skip)"
    )
    ap.add_argument("--keep", type=Path, help="keep the server's data here")
    ap.add_argument(
        "--no-exempt",
        action="store_true",
        help="leave rse's account rate limited (Synapse limits /hierarchy to 5 requests/s, burst 10, per account)",
    )
    args = ap.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="rse-bench-net-", dir="/dev/shm" if Path("/dev/shm").is_dir() else None))
    srv = SynapseServer(work / "synapse")
    srv.start()
    verdicts: list[bool] = []
    try:
        admin = srv.register_user("bench", "bench-password", admin=True)
        token = srv.login("bench", "bench-password")["access_token"]
        seeder = Seeder(srv.url, srv.appservice_token, admin)
        if not args.no_exempt:
            # as a real deployment should (MATRIX-NOTES): otherwise reading each community's rooms
            # (/hierarchy, rate limited by Synapse whatever its config says) paces the first sync at 5 communities/s
            httpx.post(
                f"{srv.url}/_synapse/admin/v1/users/{quote(admin)}/override_ratelimit",
                timeout=30,
                headers={"Authorization": f"Bearer {token}"},
                json={"messages_per_second": 0, "burst_count": 0},
            ).raise_for_status()
            print("rse's account is exempted from rate limits (override_ratelimit); --no-exempt to measure without")
        print(f"network: {args.communities} communities x {args.rooms} rooms, {args.events} messages per room", flush=True)
        rooms = seeder.communities(args.communities, args.rooms, "n")
        seeder.messages(rooms, args.events)
        print(f"{len(rooms)} rooms with the Spaces, {len(rooms) * args.events:,} messages")

        for n, rtt in enumerate(args.latencies):
            url, proxy = through(srv, rtt)
            where = f"+{rtt:g} ms" if rtt else "loopback"
            try:
                bare_s, bare_n, bare_req = bare_read(url, token, rooms)
                rse = Rse(url, admin, token, work / f"rse-{n}.db")
                full_s, full_n, full_req = rse.sync()
                ratio = bare_s / full_s
                verdicts.append(ratio >= 0.8)
                print(
                    f"{where:>9}: full sync  bare {bare_s:5.2f} s ({bare_req} requests, {bare_n:,} events)  "
                    f"rse {full_s:5.2f} s ({full_req} requests, {full_n:,} events)  ratio {ratio:.2f} (goal >= 0.80)",
                    flush=True,
                )
                none_s, none_n, none_req = rse.sync()
                line = f"{where:>9}: re-sync, nothing new: {none_s:.2f} s, {none_req} requests, {none_n} events"
                if rtt == 20:
                    verdicts.append(none_s < 1.0)
                    line += f" (goal < 1 s at {len(rooms)} rooms)"
                print(line, flush=True)
                plain = [r for i, r in enumerate(rooms) if i % (args.rooms + 1)]  # not the Spaces
                want = max(1, math.ceil(len(rooms) / 100))
                changed = plain[:: max(1, len(plain) // want)][:want]
                seeder.messages(changed, 3)
                some_s, some_n, some_req = rse.sync()
                verdicts.append(some_s / full_s < 0.10)
                print(
                    f"{where:>9}: re-sync after {len(changed)} room(s) of {len(rooms)} received messages: {some_s:.2f} s, "
                    f"{some_req} requests, {some_n} events = {some_s / full_s:.1%} of the full sync (goal < 10%)",
                    flush=True,
                )
                rse.close()
            finally:
                if proxy:
                    proxy.stop()

        if args.big_rooms > len(rooms):
            per = args.rooms + 1
            more = math.ceil((args.big_rooms - len(rooms)) / per)
            print(
                f"growing the network to {len(rooms) + more * per} rooms ({more} more communities, 2 messages per room):",
                flush=True,
            )
            extra = seeder.communities(more, args.rooms, "g")
            seeder.messages(extra, 2)
            rooms += extra
            url, proxy = through(srv, 20)
            try:
                bare_s, bare_n, bare_req = bare_read(url, token, rooms)
                rse = Rse(url, admin, token, work / "rse-big.db")
                full_s, full_n, full_req = rse.sync()
                print(
                    f"  +20 ms: full sync of {len(rooms)} rooms  bare {bare_s:.2f} s ({bare_req} requests)  "
                    f"rse {full_s:.2f} s ({full_req} requests)  ratio {bare_s / full_s:.2f}",
                    flush=True,
                )
                verdicts.append(bare_s / full_s >= 0.8)
                none_s, none_n, none_req = rse.sync()
                verdicts.append(none_s < 2.0)
                print(
                    f"  +20 ms: re-sync of {len(rooms)} rooms, nothing new: {none_s:.2f} s, {none_req} requests "
                    f"(goal < 2 s at 1,000 rooms)",
                    flush=True,
                )
                rse.close()
            finally:
                if proxy:
                    proxy.stop()
        seeder.close()
        print("PASS" if all(verdicts) else "FAIL (see the goals above)")
    finally:
        srv.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
