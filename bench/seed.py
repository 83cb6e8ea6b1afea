"""Seeding throughput: `rse sandbox seed` for 300 people × 90 days on a throwaway sandbox.

Goal (issue 3, requirement 3): under 120 s on 2 cores, Synapse sharing the CPUs. Prints the
time of `sandbox up`, of the seed itself, events per second, the plan's volume, then the
time of a re-run (which must send nothing).

Run: python bench/seed.py [--people 300 --days 90 --seed 42]
Needs matrix-synapse (pip install -e '.[dev]'). Other jobs on the machine distort the figures:
the load average before the run is printed for that reason.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

GOAL_SECONDS = 120.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="rse-bench-seed-") as home:
        # a private config and data directory: the user's own sandbox is never touched
        os.environ.update(RSE_CONFIG_DIR=f"{home}/config", RSE_DATA_DIR=f"{home}/data", RSE_KEYRING="0")
        from rse_cli.services import sandbox

        print(f"cpus: {os.cpu_count()}, load average before: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
        try:
            began = time.monotonic()
            sandbox.up()
            print(f"sandbox up: {time.monotonic() - began:.1f} s")

            summary = sandbox.seed(seed=args.seed, people=args.people, days=args.days)
            rate = summary.sent / summary.seconds if summary.seconds else 0.0
            print(
                f"plan: {summary.people} people, {summary.communities} communities, {summary.rooms} rooms, "
                f"{summary.messages} posts, {summary.replies} replies, {summary.thread_messages} thread messages, "
                f"{summary.reactions} reactions, {summary.memberships} invitations and joins"
            )
            verdict = "OK" if summary.seconds < GOAL_SECONDS else "TOO SLOW"
            print(
                f"seed {args.people} people x {args.days} days: {summary.seconds:.1f} s, {summary.sent} events, "
                f"{rate:.0f} events/s  (goal < {GOAL_SECONDS:.0f} s: {verdict})"
            )

            again = sandbox.seed(seed=args.seed, people=args.people, days=args.days)
            print(f"re-run: {again.seconds:.2f} s, {again.sent} events sent, {again.skipped} already there")
            return 0 if summary.seconds < GOAL_SECONDS and again.sent == 0 else 1
        finally:
            sandbox.down()


if __name__ == "__main__":
    sys.exit(main())
