"""Bulk onboarding throughput: `rse onboard apply` against bare loops sending the same requests.

Three figures, each a ratio measured in the same run (issue 5, requirement 5):
  1. raised limits, loopback: rse vs a bare concurrent httpx loop (goal >= 80% of its throughput);
  2. +20 and +40 ms round trip through a delaying TCP proxy on 127.0.0.1 (half of it each way):
     rse vs the bare 16-way loop (goal >= 0.95), as the ratio of the medians of --reps runs of
     each, taken in turns (b r r b b r ...: the server slows down as each run adds rooms and
     people, and two runs of the same loop differ by up to 30% here); and vs a sequential loop
     (goal >= 5x), next to the ceiling the server's own time per person sets;
  3. Synapse's default limits: a small job with no failed and no duplicated request, total time vs
     the minimum the limits allow.
Each person gets an invitation to one community (a Space with no child room, like the bare
loops' spaces) and a welcome direct message (a new room + a send).

Run: python bench/onboard.py [--people 1000 --communities 5 --latency-people 100 --default-people 30 --reps 7 --parts 123]
Needs matrix-synapse (pip install -e '.[dev]'). Other jobs on the machine distort the figures.
The servers' data lives in /dev/shm when it exists (--data-dir to change): on this kind of VM,
SQLite's fsyncs to the virtual disk would otherwise dominate every request, and the figures
would measure the disk rather than the clients.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rse_cli.config import Settings
from rse_cli.network.matrix import MatrixNetwork
from rse_cli.sandbox.server import SynapseServer
from rse_cli.services import onboarding
from rse_cli.store import Store
from rse_cli.templating import Templates

PASSWORD = "bench-password-123"
WELCOME = "Bienvenue {name} ! Présente-toi en deux lignes dans la communauté."


# -- setup -------------------------------------------------------------------------------


def start(tmp: Path, name: str, default_limits: bool) -> SynapseServer:
    srv = SynapseServer(tmp / name, default_rate_limits=default_limits)
    srv.start()
    return srv


def register(srv: SynapseServer, admin_token: str, prefix: str, n: int) -> list[str]:
    """People created through the admin API (not rate limited, no password hashing)."""
    ids = [f"@{prefix}{i}:{srv.server_name}" for i in range(n)]
    with httpx.Client(base_url=srv.url, headers={"Authorization": f"Bearer {admin_token}"}, timeout=60) as c:

        def one(uid: str) -> None:
            c.put(
                f"/_synapse/admin/v2/users/{quote(uid)}", json={"displayname": uid[1:].split(":")[0].capitalize()}
            ).raise_for_status()

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(one, ids))
    return ids


def sender(srv: SynapseServer, local: str) -> str:
    srv.register_user(local, PASSWORD, admin=True)
    return srv.login(local, PASSWORD)["access_token"]


def manifest(tmp: Path, tag: str, people: list[str], communities: int, dm: bool = True) -> Path:
    csv = tmp / f"{tag}.csv"
    csv.write_text(
        "matrix_id;first_name;department\n"
        + "".join(f"{p};{p[1:].split(':')[0].capitalize()};D{i % communities}\n" for i, p in enumerate(people)),
        encoding="utf-8",
    )
    (tmp / "tpl" / "fr").mkdir(parents=True, exist_ok=True)
    (tmp / "tpl" / "fr" / "bench-welcome.md.j2").write_text(WELCOME.replace("{name}", "{{ first_name }}"), encoding="utf-8")
    path = tmp / f"{tag}.toml"
    welcome = '"bench-welcome"' if dm else "false"
    path.write_text(
        f'[people]\ncsv = "{csv.name}"\n'
        + "".join(
            f'\n[[community]]\nname = "{tag} {k}"\nalias = "{tag}-{k}"\nrooms = []\n'
            f'members_where = {{ department = "D{k}" }}\nwelcome_dm = {welcome}\n'
            for k in range(communities)
        ),
        encoding="utf-8",
    )
    return path


class Counting(httpx.HTTPTransport):
    """Counts requests per (method, path) and per status, to prove nothing failed or repeated."""

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.lock = threading.Lock()
        self.calls: collections.Counter = collections.Counter()
        self.status: collections.Counter = collections.Counter()
        self.failed: list[str] = []

    def handle_request(self, request):
        response = super().handle_request(request)
        write = request.method in ("POST", "PUT") and "account_data" not in request.url.path
        with self.lock:
            self.status[response.status_code] += 1
            if write and response.status_code < 300:
                self.calls[
                    (request.method, request.url.path, request.content if request.url.path.endswith("/invite") else b"")
                ] += 1
            if write and response.status_code >= 400 and response.status_code != 429:
                self.failed.append(f"{request.method} {request.url.path} -> {response.status_code} {response.text[:80]}")
        return response


def rse_apply(
    url: str, user: str, token: str, path: Path, tmp: Path, concurrency: int, transport=None
) -> tuple[float, dict, MatrixNetwork]:
    settings = Settings(homeserver=url, user=user, concurrency=concurrency, store=str(tmp / f"{path.stem}.db"), max_retries=8)
    network = MatrixNetwork.from_settings(settings, token=token, transport=transport)
    store = Store(settings.store_location())
    started = time.perf_counter()
    result = onboarding.apply(network, store, path, templates=Templates(tmp / "tpl", "fr"))
    network.flush_direct()  # what the CLI's close() does: the last m.direct write is part of the job
    return time.perf_counter() - started, result.summary, network


def machine_probe() -> float:
    """The time a fixed pure-Python loop takes: how fast this machine runs at the moment (on a
    shared VM it varies from one second to the next, and Synapse, CPU-bound here, with it)."""
    started = time.perf_counter()
    total = 0
    for i in range(1_000_000):
        total += i * i % 7
    return time.perf_counter() - started


def server_cpu(srv: SynapseServer) -> float | None:
    """The CPU seconds the Synapse process has used so far (Linux's /proc; None elsewhere)."""
    try:
        pid = int(srv.pid_path.read_text().split()[0])
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


# -- the bare loops ----------------------------------------------------------------------


def bare(url: str, token: str, people: list[str], communities: int, workers: int, dm: bool = True) -> float:
    """The same requests with nothing around them: create the spaces, then per person invite + DM room + send."""
    limits = httpx.Limits(max_connections=workers, max_keepalive_connections=workers)
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=120, limits=limits) as c:
        started = time.perf_counter()
        spaces = [
            c.post(
                "/_matrix/client/v3/createRoom",
                json={"name": f"bare {k}", "creation_content": {"type": "m.space"}, "preset": "private_chat"},
            ).json()["room_id"]
            for k in range(communities)
        ]

        def one(item: tuple[int, str]) -> None:
            i, person = item
            c.post(
                f"/_matrix/client/v3/rooms/{quote(spaces[i % communities])}/invite", json={"user_id": person}
            ).raise_for_status()
            if not dm:
                return
            room = c.post(
                "/_matrix/client/v3/createRoom", json={"preset": "trusted_private_chat", "is_direct": True, "invite": [person]}
            ).json()["room_id"]
            c.put(
                f"/_matrix/client/v3/rooms/{quote(room)}/send/m.room.message/bare{i}",
                json={"msgtype": "m.text", "body": WELCOME.format(name=person), "m.mentions": {}},
            ).raise_for_status()

        if workers == 1:
            for item in enumerate(people):
                one(item)
        else:
            with ThreadPoolExecutor(workers) as pool:
                list(pool.map(one, enumerate(people)))
        return time.perf_counter() - started


# -- a delaying TCP proxy ----------------------------------------------------------------


class DelayProxy:
    """Forwards 127.0.0.1:port to the server, delaying every chunk by half of `delay` s (the round trip) in each direction."""

    def __init__(self, target_port: int, delay: float) -> None:
        self.target_port, self.delay = target_port, delay
        self.loop = asyncio.new_event_loop()
        self.port = 0
        ready = threading.Event()
        threading.Thread(target=self._run, args=(ready,), daemon=True).start()
        ready.wait()

    def _run(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)

        async def pipe(reader, writer):
            queue: asyncio.Queue = asyncio.Queue()

            async def deliver():
                while True:
                    due, data = await queue.get()
                    if data is None:
                        break
                    await asyncio.sleep(max(0.0, due - self.loop.time()))
                    writer.write(data)
                    await writer.drain()
                writer.close()

            task = asyncio.create_task(deliver())
            try:
                while data := await reader.read(65536):
                    queue.put_nowait((self.loop.time() + self.delay / 2, data))
            except ConnectionError:
                pass
            queue.put_nowait((0, None))
            await task

        async def handle(client_r, client_w):
            server_r, server_w = await asyncio.open_connection("127.0.0.1", self.target_port)
            await asyncio.gather(pipe(client_r, server_w), pipe(server_r, client_w), return_exceptions=True)

        async def main():
            server = await asyncio.start_server(handle, "127.0.0.1", 0)
            self.port = server.sockets[0].getsockname()[1]
            ready.set()
            await server.serve_forever()

        self.loop.run_until_complete(main())

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _serve_proxy(target_port: int, delay: float, ports) -> None:
    proxy = DelayProxy(target_port, delay)
    ports.put(proxy.port)
    threading.Event().wait()


class ProxyProcess:
    """The proxy in its own process, so it never competes with the client for the GIL."""

    def __init__(self, target_port: int, delay: float) -> None:
        import multiprocessing

        ports = multiprocessing.Queue()
        self.proc = multiprocessing.Process(target=_serve_proxy, args=(target_port, delay, ports), daemon=True)
        self.proc.start()
        self.url = f"http://127.0.0.1:{ports.get(timeout=30)}"

    def stop(self) -> None:
        self.proc.terminate()


# -- the three figures -------------------------------------------------------------------


def part_raised(tmp: Path, people: int, communities: int, concurrency: int) -> None:
    srv = start(tmp, "raised", False)
    try:
        admin = sender(srv, "admin")
        ids = register(srv, admin, "p", people)
        bare_token, rse_token = sender(srv, "bare"), sender(srv, "champion")
        t_bare = bare(srv.url, bare_token, ids, communities, concurrency)
        t_rse, summary, net = rse_apply(
            srv.url, f"@champion:{srv.server_name}", rse_token, manifest(tmp, "raised", ids, communities), tmp, concurrency
        )
        assert summary.get("invited") == people and summary.get("welcome_sent") == people, summary
        print(
            f"1. raised limits, {people} people into {communities} communities (invite + welcome DM each), {concurrency} in flight:"
        )
        print(f"   bare concurrent httpx loop {t_bare:7.1f} s ({people / t_bare:6.1f} people/s)")
        print(
            f"   rse onboard apply          {t_rse:7.1f} s ({people / t_rse:6.1f} people/s, {net.http.stats['requests']} requests)"
        )
        print(f"   rse throughput = {100 * t_bare / t_rse:.0f}% of the bare loop (goal >= 80%)")
    finally:
        srv.stop()


def part_latency(tmp: Path, people: int, communities: int, concurrency: int, latencies_ms: list[float], reps: int = 7) -> None:
    srv = start(tmp, "latency", False)
    try:
        admin = sender(srv, "admin")
        bare_token, rse_token = sender(srv, "bare"), sender(srv, "champion")
        for rtt in latencies_ms:
            proxy = ProxyProcess(srv.port, rtt / 1000)
            print(
                f"2. +{rtt:g} ms round trip ({rtt / 2:g} ms each way) through a delaying proxy (its own process), {people} people:"
            )
            for label, dm, k, trips in (
                ("invite + welcome DM, 2 communities", True, communities, 3),
                ("invitations only, 5 communities", False, 5, 1),
            ):
                tag = f"{int(dm)}{int(rtt)}"
                t_seq = bare(proxy.url, bare_token, register(srv, admin, f"s{tag}x", people), k, 1, dm=dm)
                # the bare loop and rse take turns (b r r b b r …): the server slows down as the run
                # adds rooms and people, and two runs of the same loop differ by up to 30% on this
                # machine, so one run of each in a fixed order would measure the order
                times: dict[str, list[float]] = {"b": [], "r": []}
                busy: dict[str, list[float]] = {"b": [], "r": []}  # the server's CPU seconds per second of run
                probes: list[float] = []
                for i, who in enumerate("".join("br" if n % 2 == 0 else "rb" for n in range(reps))):
                    ids = register(srv, admin, f"{who}{tag}x{i}", people)
                    probes.append(machine_probe())
                    cpu_before = server_cpu(srv)
                    if who == "b":
                        times["b"].append(bare(proxy.url, bare_token, ids, k, concurrency, dm=dm))
                        if cpu_before is not None and (cpu_after := server_cpu(srv)) is not None:
                            busy["b"].append((cpu_after - cpu_before) / times["b"][-1])
                        continue
                    t_rse, summary, _ = rse_apply(
                        proxy.url,
                        f"@champion:{srv.server_name}",
                        rse_token,
                        manifest(tmp, f"lat{tag}x{i}", ids, k, dm=dm),
                        tmp,
                        concurrency,
                    )
                    assert summary.get("invited") == people, summary
                    times["r"].append(t_rse)
                    if cpu_before is not None and (cpu_after := server_cpu(srv)) is not None:
                        busy["r"].append((cpu_after - cpu_before) / t_rse)
                t_par, t_rse = statistics.median(times["b"]), statistics.median(times["r"])
                server_ms = 1000 * t_seq / people - trips * rtt  # what the server spends per person, latency aside
                runs = ", ".join(f"{t:.1f}" for t in times["b"]), ", ".join(f"{t:.1f}" for t in times["r"])
                print(
                    f"   {label}: sequential loop {t_seq:.1f} s; bare {concurrency}-way loop {runs[0]} s (median {t_par:.1f});"
                    f" rse {runs[1]} s (median {t_rse:.1f})"
                )
                print(
                    f"     rse reaches {t_par / t_rse:.2f} of the bare {concurrency}-way loop's throughput (medians; goal >= 0.95)"
                )
                print(
                    f"     rse is {t_seq / t_rse:.1f}x faster than the sequential loop (goal >= 5x). The server spends about"
                    f" {server_ms:.0f} ms per person against {trips * rtt:g} ms of added latency, so a client whose requests the server cannot overlap"
                    f" tops out at {(server_ms + trips * rtt) / server_ms:.1f}x; the bare loop reaches {t_seq / t_par:.1f}x"
                )
                if busy["b"] and busy["r"]:
                    b_busy, r_busy = statistics.median(busy["b"]), statistics.median(busy["r"])
                    print(
                        f"     Synapse's CPU ran {b_busy:.2f} s per second of the bare loop's runs and {r_busy:.2f} of rse's"
                        f" (medians): rse keeps the server {r_busy / b_busy:.2f} as busy. A run's time follows the"
                        " server's CPU time, whose run-to-run spread is the spread of the times above; a fixed CPU"
                        f" loop timed before each run varied by {100 * statistics.pstdev(probes) / statistics.mean(probes):.0f}%"
                        " (standard deviation over mean): the machine's own speed"
                    )
            proxy.stop()
    finally:
        srv.stop()


def part_default(tmp: Path, people: int, communities: int, concurrency: int) -> None:
    srv = start(tmp, "default", True)
    try:
        admin = sender(srv, "admin")
        ids = register(srv, admin, "r", people)
        token = sender(srv, "champion")
        path = manifest(tmp, "default", ids, communities)
        counting = Counting()
        t, summary, net = rse_apply(srv.url, f"@champion:{srv.server_name}", token, path, tmp, concurrency, transport=counting)
        invites = sum(n for (m, p, body), n in counting.calls.items() if p.endswith("/invite"))
        # a send is repeated when its transaction id was PUT twice; an invitation when the same person was invited twice
        repeated = {k: n for k, n in counting.calls.items() if n > 1 and ("/send/" in k[1] or k[1].endswith("/invite"))}
        rooms = communities + people  # the spaces (no child room) + one DM room each
        writes = 3 * people  # rc_message counts the invitation, the DM room's invitation and the message
        minimum = max((writes - 10) / 0.2, (rooms - 10) / 0.016)
        print(f"3. Synapse default limits, {people} people into {communities} communities:")
        print(
            f"   {summary.get('invited', 0)} invited, {summary.get('welcome_sent', 0)} welcomed, {summary.get('failed', 0)} failed;"
            f" {invites} successful invite requests, {len(repeated)} repeated writes, {counting.status[429]} answers 429"
            f" (paced), {len(counting.failed)} failed writes"
        )
        for key, n in repeated.items():
            print(f"   repeated {n}x: {key[0]} {key[1]} {key[2][:60]!r}")
        for line in counting.failed[:5]:
            print(f"   failed: {line}")
        print(
            f"   total {t:.0f} s; the limits allow at best {minimum:.0f} s "
            f"(rc_message 0.2/s burst 10 for {writes} invites+messages, rc_room_creation 0.016/s burst 10 for {rooms} rooms):"
            f" {100 * minimum / t:.0f}% of the optimum"
        )
    finally:
        srv.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--people", type=int, default=1000)
    ap.add_argument("--communities", type=int, default=5)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--latency-people", type=int, default=100)
    ap.add_argument(
        "--latency-ms",
        default="20,40",
        help="added round-trip latencies, comma-separated (40: 20 ms each way, like `tc netem delay 20ms` on loopback)",
    )
    ap.add_argument("--reps", type=int, default=7, help="runs of the bare loop and of rse each, in turns, in part 2")
    ap.add_argument("--default-people", type=int, default=30)
    ap.add_argument("--parts", default="123")
    ap.add_argument(
        "--data-dir",
        default="/dev/shm" if Path("/dev/shm").is_dir() else None,
        help="where the servers keep their data (default: /dev/shm when it exists)",
    )
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="rse-bench-", dir=args.data_dir) as tmp:
        if "1" in args.parts:
            part_raised(Path(tmp), args.people, args.communities, args.concurrency)
        if "2" in args.parts:
            part_latency(
                Path(tmp), args.latency_people, 2, args.concurrency, [float(x) for x in args.latency_ms.split(",")], args.reps
            )
        if "3" in args.parts:
            part_default(Path(tmp), args.default_people, 2, args.concurrency)


if __name__ == "__main__":
    main()
