"""Benchmark: audit 1,000,000 stored events (goal: under 5 s and under 500 MB peak RSS).

Generates a SQLite store directly (20 communities, 3 rooms each, 1,500 members each, a year
of history: root posts, replies, thread replies, reactions, joins), then runs the audit of
every community in a fresh child process and prints its wall time and peak RSS.

    python bench/audit.py [--events 1000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
YEAR_MS = 365 * 86_400_000


def generate(path: Path, total: int, communities: int = 20, rooms: int = 3, members: int = 1500) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from rse_cli.store import Store

    rng = random.Random(42)
    store = Store(str(path))
    end = int(NOW.timestamp() * 1000)
    per_room = total // (communities * rooms)
    n = 0
    with store.tx() as db:
        for c in range(communities):
            space = f"!space{c}"
            db.execute(
                "INSERT INTO communities VALUES (?, ?, ?, ?)", (space, f"Communauté {c}", f"#c{c}:corp.test", NOW.isoformat())
            )
            db.execute("INSERT INTO rooms VALUES (?, ?, ?, 1)", (space, space, f"Communauté {c}"))
            people = [f"@u{c}_{i}:corp.test" for i in range(members)]
            db.executemany(
                "INSERT INTO members VALUES (?, ?, ?, 'join', ?, ?)",
                [
                    (space, p, f"Personne {i}", "animator" if i < 3 else "member", 50 if i < 3 else 0)
                    for i, p in enumerate(people)
                ],
            )
            # activity follows a long tail: a few people write most messages
            weights = [1 / (i + 1) for i in range(members)]
            for r in range(rooms):
                room = f"!room{c}_{r}"
                db.execute("INSERT INTO rooms VALUES (?, ?, ?, 0)", (room, space, f"Salon {r}"))
                ts = sorted(rng.randrange(end - YEAR_MS, end) for _ in range(per_room))
                senders = rng.choices(people, weights, k=per_room)
                rows, roots = [], []
                for i in range(per_room):
                    eid = f"$e{n}"
                    n += 1
                    roll = rng.random()
                    if roll < 0.35 or not roots:
                        body = "Une question sur le projet ?" if rng.random() < 0.3 else "Un point d'avancement sur le projet"
                        rows.append((eid, room, senders[i], ts[i], "post", body, None, None, None, None, None))
                        roots.append(eid)
                    elif roll < 0.60:
                        rows.append(
                            (
                                eid,
                                room,
                                senders[i],
                                ts[i],
                                "reply",
                                "Merci, c'est noté",
                                rng.choice(roots[-200:]),
                                None,
                                None,
                                None,
                                None,
                            )
                        )
                    elif roll < 0.70:
                        root = rng.choice(roots[-200:])
                        rows.append((eid, room, senders[i], ts[i], "thread", "Dans le fil", root, root, None, None, None))
                    elif roll < 0.97:
                        rows.append(
                            (eid, room, senders[i], ts[i], "reaction", None, rng.choice(roots[-200:]), None, "👍", None, None)
                        )
                    else:
                        rows.append(
                            (
                                eid,
                                space if r == 0 else room,
                                senders[i],
                                ts[i],
                                "membership",
                                None,
                                None,
                                None,
                                None,
                                "join",
                                senders[i],
                            )
                        )
                    if len(rows) >= 50_000:
                        db.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
                        rows = []
                db.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    store.query("ANALYZE")
    store.close()


def measure(path: Path) -> None:
    """Child process: audit every community, print seconds and peak RSS."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from rse_cli.config import Settings
    from rse_cli.services import health
    from rse_cli.store import Store

    started = time.perf_counter()
    store = Store(str(path))
    report = health.audit(store, Settings(user="@rse:corp.test", leaders=["@u0_0:corp.test", "@nobody:corp.test"]), now=NOW)
    health.save_snapshots(store, report)
    elapsed = time.perf_counter() - started
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    findings = sum(len(c.findings) for c in report.communities) + len(report.findings)
    print(f"{elapsed:.3f} {rss_mb:.1f} {len(report.communities)} {findings}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--keep", type=Path, help="directory to keep the generated store in")
    ap.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        measure(args.measure)
        return
    work = args.keep or Path(tempfile.mkdtemp(prefix="rse-bench-audit-"))
    db = work / "rse.db"
    if not db.exists():
        t = time.perf_counter()
        generate(db, args.events)
        print(f"generated {args.events:,} events in {time.perf_counter() - t:.1f} s ({db.stat().st_size / 1e6:.0f} MB on disk)")
    runs = []
    for _ in range(3):
        out = subprocess.run(
            [sys.executable, __file__, "--measure", str(db)], check=True, capture_output=True, text=True
        ).stdout.split()
        runs.append((float(out[0]), float(out[1])))
    best = min(r[0] for r in runs)
    rss = max(r[1] for r in runs)
    print(
        f"audit of {out[2]} communities, {out[3]} findings: best {best:.2f} s of 3 runs (goal < 5 s), "
        f"peak RSS {rss:.0f} MB (goal < 500 MB)"
    )
    print("PASS" if best < 5 and rss < 500 else "FAIL")


if __name__ == "__main__":
    main()
