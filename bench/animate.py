"""`rse animate run` with nothing due: the whole process, as cron runs it every 5 minutes
(goal: under 300 ms). Also prints the bare interpreter, `rse --help`, the same command through
the full CLI (RSE_FAST=0) for comparison, and the in-process cost of deciding that nothing is due.

It runs the `rse` installed next to this interpreter, the full path `rse cron` prints, not a
shell shim (pyenv's costs about 50 ms more).

Run: python bench/animate.py [runs] [animations]
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def median_ms(cmd: list[str], runs: int, env: dict, **extra: str) -> float:
    env = {**env, **extra}
    subprocess.run(cmd, capture_output=True, check=True, env=env)  # warm the file cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True, env=env)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    home = tempfile.mkdtemp(prefix="rse-bench-")
    env = {k: v for k, v in os.environ.items() if not k.startswith("RSE_")}
    env.update(RSE_CONFIG_DIR=f"{home}/config", RSE_DATA_DIR=f"{home}/data", RSE_KEYRING="0")
    rse = Path(sys.executable).parent / ("rse.exe" if os.name == "nt" else "rse")
    base = [str(rse)] if rse.exists() else [sys.executable, "-m", "rse_cli"]
    kinds = [["--every", "MON 09:00"], ["--cron", "0 16 * * FRI"], ["--every", "DAILY 03:00"], ["--at", "2099-12-15T12:00"]]
    for i in range(count):
        subprocess.run(
            [*base, "animate", "add", f"a{i}", "--community", "c", "--template", "weekly-question", *kinds[i % 4]],
            check=True,
            capture_output=True,
            env=env,
        )
    # mark everything of the past month as done, as a long-lived store would be
    os.environ.update(RSE_CONFIG_DIR=env["RSE_CONFIG_DIR"], RSE_DATA_DIR=env["RSE_DATA_DIR"])
    from datetime import UTC, datetime, timedelta

    from rse_cli.services import animations as svc
    from rse_cli.store import Store

    store = Store(f"{home}/data/rse.db")
    now = datetime.now(UTC)
    with store.tx() as db:
        db.execute("UPDATE animations SET active_since = ?", ((now - timedelta(days=40)).isoformat(),))
    for anim, occurrence, _ in svc.due(store, now):
        store.finish(anim.key(store.profile, occurrence), "done", "bench")
    start = time.perf_counter()
    for _ in range(runs):
        assert svc.due(store, now) == []
    in_process = (time.perf_counter() - start) * 1000 / runs

    bare = median_ms([sys.executable, "-c", "pass"], runs, env)
    help_ = median_ms([*base, "--help"], runs, env)
    journal = median_ms([*base, "journal"], runs, env)
    run = median_ms([*base, "animate", "run"], runs, env)
    full = median_ms([*base, "animate", "run"], runs, env, RSE_FAST="0")
    print(f"{count} animations, nothing due, median of {runs} runs, {os.cpu_count()} CPU(s)")
    print(f"  python -c pass        {bare:7.1f} ms")
    print(f"  rse --help            {help_:7.1f} ms")
    print(f"  rse journal           {journal:7.1f} ms   (a trivial command reading the store)")
    print(f"  rse animate run       {run:7.1f} ms   (goal < 300 ms)")
    print(f"    through the full CLI {full:6.1f} ms   (RSE_FAST=0: typer builds its command tree first)")
    print(f"  due() in process      {in_process:7.1f} ms")
    shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
